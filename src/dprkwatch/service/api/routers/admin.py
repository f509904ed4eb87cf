"""API keys and the audit log (admin only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import iterate_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import StreamingResponse

from dprkwatch.service import audit, integrity, keys, logins
from dprkwatch.service.api.deps import AdminRole, State
from dprkwatch.service.api.models import (
    KeyCreated,
    KeyCreateRequest,
    KeysResponse,
    errors,
)

router = APIRouter(tags=["Administration"])

_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
}


@router.post(
    "/keys",
    response_model=KeyCreated,
    status_code=201,
    summary="Issue an API key",
    responses=errors(400, 401, 403, 422),
)
def create_key(body: KeyCreateRequest, state: State, principal: AdminRole) -> KeyCreated:
    key, raw = keys.create_key(state.db, body.name, body.roles, principal.actor)
    return KeyCreated(**key.model_dump(exclude={"active"}), key=raw)


@router.get(
    "/keys",
    response_model=KeysResponse,
    summary="Every API key (never the keys themselves)",
    responses=errors(401, 403),
)
def list_keys(state: State, _admin: AdminRole) -> KeysResponse:
    return KeysResponse(keys=keys.list_keys(state.db))


@router.delete(
    "/keys/{key_id}",
    response_model=keys.ApiKey,
    summary="Revoke an API key",
    responses=errors(401, 403, 404),
)
def revoke_key(key_id: str, state: State, principal: AdminRole) -> keys.ApiKey:
    key = keys.revoke_key(state.db, key_id, principal.actor)
    state.verifier.forget()
    return key


class SessionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(..., min_length=1, max_length=100, description="From a sign-in link")


class SessionKey(BaseModel):
    key: str = Field(..., description="The API key of this session; keep it in the tab only")
    id: str
    roles: list[str]
    expires_at: str


@router.post(
    "/session",
    response_model=SessionKey,
    status_code=201,
    summary="Exchange a one-time sign-in link's token for an expiring API key (no key needed)",
    responses=errors(400, 401, 422),
)
def session(body: SessionRequest, state: State) -> SessionKey:
    """The token is spent: a second exchange, or one after the link expired, gets 401."""
    key, raw = logins.exchange(state.db, body.token)
    assert key.expires_at is not None
    return SessionKey(key=raw, id=key.id, roles=sorted(key.roles), expires_at=key.expires_at)


@router.get(
    "/audit/verify",
    response_model=audit.VerifyReport,
    summary="Walk the hash chain; check reviews, keys and screenings against it",
    responses=errors(400, 401, 403),
)
def verify(
    state: State,
    _admin: AdminRole,
    expect_head: Annotated[
        str | None,
        Query(max_length=100, description="SEQ:HASH written down earlier; the chain must hold it"),
    ] = None,
) -> audit.VerifyReport:
    anchor = audit.parse_anchor(expect_head) if expect_head else None
    return integrity.verify(state.db, expect_head=anchor)


@router.get(
    "/audit/export",
    summary="Export the audit log as CSV, a JSON array or JSON lines",
    responses={
        200: {"content": {"text/csv": {}, "application/x-ndjson": {}}},
        **errors(400, 401, 403, 422),
    },
)
def export(
    state: State,
    _admin: AdminRole,
    format: Literal["csv", "json", "jsonl"] = "csv",
    kind: Annotated[
        list[str] | None, Query(description="Only these record kinds (screening, review, ...)")
    ] = None,
    since: Annotated[str | None, Query(description="ISO time, inclusive", max_length=40)] = None,
    until: Annotated[str | None, Query(description="ISO time, exclusive", max_length=40)] = None,
) -> StreamingResponse:
    records = audit.iter_records(state.db, kinds=kind, since=since, until=until)
    chunks = audit.export_chunks(records, format)
    return StreamingResponse(
        iterate_in_threadpool(chunks),
        media_type=_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="dprkwatch-audit.{format}"'},
    )
