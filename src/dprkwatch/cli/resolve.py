"""``dprkwatch resolve``: one target across the lists, the review queue, human decisions."""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer
from rich.table import Table

from dprkwatch.cli.context import exit_now, settings_of
from dprkwatch.cli.output import console, emit_json, err_console, print_table
from dprkwatch.resolution import ResolutionStore, run
from dprkwatch.resolution import review as review_lib
from dprkwatch.resolution.relevance import only_by

app = typer.Typer(
    help="Cross-list resolution: one canonical target per person, firm or vessel.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
UserOpt = Annotated[
    str | None, typer.Option("--user", help="Who decides (default: the login name).")
]


def _user(user: str | None) -> str:
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a container
        return "unknown"


@app.command("run")
def run_cmd(
    ctx: typer.Context,
    full: Annotated[
        bool, typer.Option("--full", help="Screen every listing again, not only changed ones.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Resolve the active lists into targets (incremental after the first run)."""
    home = settings_of(ctx).home
    # Progress goes out as plain lines: a spinner redraws from its own
    # thread, and a process with a second thread may not fork the workers
    # that screen on both cores.
    resolution = run(home, full=full, progress=lambda msg: err_console.print(f"[dim]{msg}[/dim]"))
    if json_out:
        emit_json(resolution.stats)
    else:
        _print_stats(resolution.stats)
    exit_now()


def _print_stats(stats: dict[str, Any]) -> None:
    links = stats["links"]
    seconds = stats["seconds"]
    console.print(
        f"{stats['listings']} listings -> {stats['targets']} targets "
        f"({stats['multi_list_targets']} on more than one list); "
        f"links: {links['reference']} by UN reference, {links['identifier']} by identifier, "
        f"{links['matching']} by the matching engine, {links['judgement']} by judgement"
    )
    console.print(
        f"review queue: {stats['review']} pair(s); DPRK targets: {stats['dprk_targets']}; "
        f"{'incremental' if stats['incremental'] else 'full'} run, "
        f"{stats['screened']} listing(s) screened in {seconds.get('total', 0):.1f} s"
    )
    if stats.get("orphan_judgements"):
        console.print(
            f"[yellow]{stats['orphan_judgements']} judgement(s) name ids no longer listed "
            "(kept; see `dprkwatch resolve judgements --orphans`)[/yellow]"
        )


@app.command("status")
def status_cmd(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """The stored resolution: counts, DPRK evidence by kind, judgements."""
    store = ResolutionStore(settings_of(ctx).home)
    resolution = store.load()
    data = {
        "created_at": resolution.created_at,
        "versions": resolution.versions,
        **resolution.stats,
        "dprk_only_by": only_by(
            {k: [(e[0], e[1], e[2]) for e in v] for k, v in resolution.dprk.items()}
        ),
        "orphans": resolution.orphans,
    }
    if json_out:
        emit_json(data)
        return
    console.print(f"resolved {resolution.created_at} from {resolution.versions}")
    _print_stats(resolution.stats)
    rows = [
        {"evidence": kind, "DPRK targets": n, "only this kind": data["dprk_only_by"].get(kind, 0)}
        for kind, n in resolution.stats["dprk_evidence"].items()
    ]
    print_table(rows, ["evidence", "DPRK targets", "only this kind"], title="DPRK relevance")


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="A target id (dw-...) or a listing id (ofac-21735).")],
    json_out: JsonOpt = False,
) -> None:
    """One target: its listings on every list, the links that joined them, DPRK evidence."""
    resolution = ResolutionStore(settings_of(ctx).home).load()
    data = resolution.describe(resolution.target(ref))
    if json_out:
        emit_json(data)
        return
    console.print(f"[bold]{data['id']}[/bold] {data['caption']} — on {', '.join(data['lists'])}")
    print_table(
        data["records"],
        ["id", "list", "schema", "caption", "listed_on", "legal_basis"],
        title="Listings",
    )
    for link in data["links"]:
        console.print(
            f"  {link['a']} = {link['b']} [{link['method']}] {'; '.join(link['evidence'])}"
        )
    for ev in data["dprk"]:
        console.print(f"  DPRK: {ev['kind']} ({ev['listing']}: {ev['detail']})")


@app.command("decide")
def decide_cmd(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="A listing id.")],
    b: Annotated[str, typer.Argument(help="Another listing id.")],
    decision: Annotated[str, typer.Argument(help="same, different or unsure.")],
    note: Annotated[str, typer.Option("--note", help="Why (kept in the audit log).")] = "",
    user: UserOpt = None,
) -> None:
    """Record a human decision about two listings (takes effect on the next run)."""
    j = review_lib.decide(settings_of(ctx).home, a, b, decision, user=_user(user), note=note)
    console.print(f"recorded: {j.a} {j.decision} {j.b} by {j.user} at {j.at}")


@app.command("review")
def review_cmd(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Pairs to show.")] = 20,
    list_only: Annotated[
        bool, typer.Option("--list", help="Print the queue instead of asking.")
    ] = False,
    json_out: JsonOpt = False,
    user: UserOpt = None,
) -> None:
    """Go through doubtful pairs: [s]ame, [d]ifferent, [u]nsure, [n]ext, [q]uit."""
    home = settings_of(ctx).home
    page = review_lib.queue(home, limit=limit)
    if json_out:
        emit_json(page)
        return
    if list_only:
        rows = [
            {
                "a": i["a"],
                "b": i["b"],
                "score": i["score"],
                "method": i["method"],
                "reason": i["reason"],
                "names": " / ".join(str(r.get("caption")) for r in i["records"]),
            }
            for i in page["items"]
        ]
        print_table(rows, ["a", "b", "score", "method", "reason", "names"], title="Review queue")
        console.print(f"{page['total']} pair(s) in the queue")
        return
    if not page["items"]:
        console.print("The review queue is empty.")
        return
    who = _user(user)
    answers = {"s": "same", "d": "different", "u": "unsure"}
    decided = 0
    for n, item in enumerate(page["items"], 1):
        console.print(_pair_table(item, n, page["total"]))
        choice = typer.prompt("[s]ame, [d]ifferent, [u]nsure, [n]ext, [q]uit", default="n")
        choice = choice.strip().lower()[:1]
        if choice == "q":
            break
        if choice in answers:
            review_lib.decide(home, item["a"], item["b"], answers[choice], user=who)
            decided += 1
    console.print(
        f"{decided} decision(s) recorded; `dprkwatch resolve run` applies them to the targets"
    )


def _pair_table(item: dict[str, Any], n: int, total: int) -> Table:
    table = Table(
        title=f"{n}/{total}: score {item['score']:.2f} by {item['method']} — {item['reason']}"
    )
    table.add_column("")
    left, right = item["records"]
    table.add_column(str(left.get("id")))
    table.add_column(str(right.get("id")))
    for key in ("list", "schema", "caption", "birth_dates", "nationality", "identifiers",
                "listed_on", "legal_basis"):  # fmt: skip
        table.add_row(key, _cell(left.get(key)), _cell(right.get(key)))
    table.add_row("evidence", "; ".join(item["evidence"]), "")
    return table


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k} {', '.join(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@app.command("judgements")
def judgements_cmd(
    ctx: typer.Context,
    history: Annotated[
        bool, typer.Option("--history", help="Every decision ever recorded, oldest first.")
    ] = False,
    orphans: Annotated[
        bool, typer.Option("--orphans", help="Only decisions naming ids no longer listed.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Human decisions in force (or their whole audit history)."""
    store = ResolutionStore(settings_of(ctx).home)
    log = store.judgements()
    rows = [j.to_dict() for j in (log.history if history else log.current().values())]
    if orphans:
        listed = set(store.load().listings)
        rows = [
            {**r, "missing": [x for x in (r["a"], r["b"]) if x not in listed]}
            for r in rows
            if r["a"] not in listed or r["b"] not in listed
        ]
    if json_out:
        emit_json(rows)
        return
    cols = ["a", "b", "decision", "user", "at", "note"] + (["missing"] if orphans else [])
    print_table(rows, cols, title="Judgements")
