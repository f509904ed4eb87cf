"""Active list versions, differences between versions, and imports (admin)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query
from pydantic import BaseModel

from dprkwatch.exceptions import InputError
from dprkwatch.lists.diff import diff_snapshots, source_notes
from dprkwatch.lists.download import fetch
from dprkwatch.lists.freshness import Freshness, assess_active
from dprkwatch.lists.snapshot import Manifest
from dprkwatch.service import imports
from dprkwatch.service.api.deps import AdminRole, ScreenRole, State
from dprkwatch.service.api.models import (
    ImportRequest,
    ImportResponse,
    ListsResponse,
    ListVersionModel,
    errors,
)
from dprkwatch.service.api.server_paths import withheld
from dprkwatch.service.api.state import ServiceState
from dprkwatch.service.keys import Principal

log = logging.getLogger(__name__)
router = APIRouter(tags=["Lists"])


def version_model(m: Manifest, verdict: Freshness | None = None) -> ListVersionModel:
    return ListVersionModel(
        list=m.list_name,
        version=m.version,
        published=m.published,
        imported_at=m.imported_at,
        entities=int(m.counts.get("entities", 0)),
        dprk=int(m.counts.get("dprk", 0)),
        format=m.format,
        source=verdict.source if verdict else m.source,
        source_title=verdict.source_title if verdict else None,
        retired=verdict.retired if verdict else None,
        age_days=verdict.age_days if verdict else None,
        stale=list(verdict.warnings) if verdict else [],
    )


@router.get(
    "/lists",
    response_model=ListsResponse,
    summary="The active version of every list",
    responses=errors(401, 403),
)
def lists(state: State, _caller: ScreenRole) -> ListsResponse:
    active = state.store.active()
    verdicts = assess_active(active, max_age_days=state.settings.list_age_days)
    loaded = state.index.current() if state.index.ready else None
    return ListsResponse(
        lists=[version_model(s.manifest, verdicts[n]) for n, s in active.items()],
        algorithm=loaded.algorithm if loaded else None,
        index_versions=dict(loaded.versions) if loaded else {},
        stale=[f"{n}: {w}" for n, v in sorted(verdicts.items()) for w in v.warnings],
    )


class StoredVersionModel(ListVersionModel):
    active: bool


class VersionsResponse(BaseModel):
    versions: list[StoredVersionModel]


@router.get(
    "/lists/versions",
    response_model=VersionsResponse,
    summary="Every stored version of every list, oldest publication first (for diffs)",
    responses=errors(401, 403),
)
def versions(state: State, _caller: ScreenRole) -> VersionsResponse:
    active = state.store.active_versions()
    return VersionsResponse(
        versions=[
            StoredVersionModel(
                **version_model(m).model_dump(), active=active.get(name) == m.version
            )
            for name in state.store.lists()
            for m in state.store.versions(name)
        ]
    )


@router.get(
    "/lists/diff",
    summary="What changed between two list versions",
    description=(
        "`old` and `new` take `list` (its active version), `list@version`, "
        "`list@<date prefix>` or a version id."
    ),
    responses=errors(400, 401, 403, 404, 422),
)
def diff(
    state: State,
    _caller: ScreenRole,
    old: Annotated[str, Query(min_length=1, max_length=200)],
    new: Annotated[str, Query(min_length=1, max_length=200)],
    dprk: bool = False,
) -> dict[str, Any]:
    a, b = state.store.resolve(old), state.store.resolve(new)
    result = diff_snapshots(a, b)
    if dprk:
        result = result.only_dprk()
    data = result.to_dict()
    data["notes"] = source_notes(a, b)
    return data


@router.post(
    "/lists/import",
    response_model=ImportResponse,
    summary="Import list files that are on the server, activate them, re-screen the books",
    responses=errors(400, 401, 403, 404, 409, 422),
)
def import_lists(body: ImportRequest, state: State, principal: AdminRole) -> ImportResponse:
    """Versions older than the active ones, or that lost more than DPRKWATCH_MAX_LIST_DROP
    of their entries, are stored but not activated (409 with the reason) unless `force`."""
    try:
        published = date.fromisoformat(body.published) if body.published else None
    except ValueError:
        raise InputError(f"not a date: {body.published!r}", where="published") from None
    paths = [state.server_paths.source(p, f"paths[{i}]") for i, p in enumerate(body.paths)]
    with state.import_lock, withheld("import"):
        outcome = imports.import_lists(
            state.store,
            state.db,
            paths,
            actor=principal.actor,
            fmt=body.format,
            published=published,
            force=body.force,
            max_drop=state.settings.max_list_drop,
            rescreen_books=body.rescreen,
        )
    # Loading the new lists takes up the pending rescreen (in the background).
    state.index.load()
    return ImportResponse(
        imported=[version_model(m) for m in outcome.manifests],
        active=outcome.active,
        rescreen_run=outcome.rescreen_run.id if outcome.rescreen_run else None,
    )


def _update(state: ServiceState, principal: Principal, lists: list[str]) -> imports.ImportOutcome:
    """Download the publications and import them as one recorded decision (kind
    ``lists.update``), with the same activation checks as an import of files."""
    fetched = fetch(state.store.home, lists or None, mirror=state.settings.update_mirror)
    with state.import_lock:
        outcome = imports.import_lists(
            state.store,
            state.db,
            [f.main for f in fetched],
            actor=principal.actor,
            formats=[f.source.update_format for f in fetched],
            max_drop=state.settings.max_list_drop,
            kind="lists.update",
        )
    state.index.load()
    return outcome


@router.post(
    "/updatez",
    summary="Download the lists from their publishers now, import them, re-screen the books",
    response_model=None,
    responses=errors(400, 401, 403, 409, 503),
)
def updatez(
    background: BackgroundTasks,
    state: State,
    principal: AdminRole,
    sync: Annotated[bool, Query(description="Answer only when the update is done")] = False,
    lists: Annotated[list[str], Query(max_length=10, description="Only these lists")] = [],  # noqa: B006
) -> dict[str, Any]:
    """yente's "force an index update": what `dprkwatch lists update` does, by HTTP (admin
    only). Without `sync` it runs in the background and the answer comes at once. The books
    are re-screened in the background either way (a pending run, taken up once the new
    lists are loaded); a version older than the active one, or one that lost too many
    entries, is stored but not activated (409 with `sync`)."""

    def run() -> dict[str, Any]:
        outcome = _update(state, principal, lists)
        return {
            "status": "ok",
            "imported": [m.ref for m in outcome.manifests],
            "active": outcome.active,
        }

    if sync:
        return run()

    def in_background() -> None:
        try:
            run()
        except Exception:  # the audit log and /lists show what happened; say why here
            log.exception("list update through /updatez failed")

    background.add_task(in_background)
    return {"status": "ok"}
