"""The HTTP face of the service: app factory, routers, dependencies, middleware, error table.

Everything FastAPI, Starlette or uvicorn knows about lives here. The use
cases it serves (screening, reviews, books, rescreens, keys, the audit
chain, storage) are the FastAPI-free library one level up, in
:mod:`dprkwatch.service`, which the command line calls as well. Routers
parse a request, call one library function and render its answer; the
process-wide objects (database, index, writer, analyses) reach them
through :mod:`dprkwatch.service.api.deps`.
"""
