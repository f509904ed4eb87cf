"""The web workbench: a single-page app served by the dprkwatch service at ``/``.

Its sources are a small TypeScript project in ``web/`` at the repository
root (kept out of the Python package so that ``node_modules`` never meets
setuptools, mypy or ruff); ``make web`` builds it into ``static/`` here,
which ships as package data. :mod:`dprkwatch.web.bundle` knows where it is;
:mod:`dprkwatch.service.api.routers.workbench`
serves those files; :mod:`dprkwatch.web.localkey` issues the local API key
that ``dprkwatch run`` prints so the page can be opened with one click.
"""
