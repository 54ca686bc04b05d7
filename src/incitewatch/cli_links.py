"""CLI commands for cross-document records: list and show releases, actors and attacks; merge, split and undo
as an analyst; relink everything. ``register(app)`` adds them to the main ``incitewatch`` command; ``app`` runs
them on their own.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from incitewatch.errors import IncitewatchError
from incitewatch.link import linker
from incitewatch.link.records import Actor, Attack, Release
from incitewatch.store import default_db_path
from incitewatch.store.links import LinkStore
from incitewatch.store.sqlite import SQLiteStore

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite store file (default: $INCITEWATCH_DB, else a file in the user data dir)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
KindArgument = Annotated[str, typer.Argument(help="actor, release or attack")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (kept with the decision).")]
UserOption = Annotated[str, typer.Option("--user", help="Who decides (kept with the decision).")]


@contextmanager
def _store(db: Path | None) -> Iterator[SQLiteStore]:
    try:
        store = SQLiteStore(default_db_path(db))
    except IncitewatchError as exc:
        typer.echo(f"incitewatch: error: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        yield store
    except IncitewatchError as exc:
        typer.echo(f"incitewatch: error: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        store.close()


def _record_json(record: Release | Attack | Actor) -> dict[str, Any]:
    """A record as JSON: ``reports`` lists article ids (what clients join on); ``report_details`` keeps each
    report's own values and evidence."""
    data = dataclasses.asdict(record)
    if "reports" in data:
        data["report_details"] = data["reports"]
        data["reports"] = [report["article_id"] for report in data["report_details"]]
    return data


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _release_line(release: Release) -> str:
    speaker = release.speaker or "speaker unknown"
    when = release.release_date or "date unknown"
    medium, count = release.medium or "?", len(release.reports)
    title = f"  “{release.titles[0]}”" if release.titles else ""
    return f"{release.id}  {when}  {release.group or '?'}  {speaker}  {medium}{title}  {count} report(s)"


def _actor_line(actor: Actor) -> str:
    variants = ", ".join(n.name for n in actor.names[:4])
    return f"{actor.id}  {actor.name}  [{variants}]  {len(actor.article_ids)} article(s)"


def _attack_line(attack: Attack) -> str:
    toll = f"killed {attack.killed if attack.killed is not None else '?'}"
    where = f"{attack.place_name or '?'} ({attack.country or '?'})"
    return f"{attack.id}  {attack.date or '?'}  {where}  {toll}  {len(attack.reports)} report(s)"


def _list_records(
    db: Path | None, as_json: bool, lister: Callable[[SQLiteStore], Sequence[Any]], line: Callable[[Any], str]
) -> None:
    with _store(db) as store:
        found = lister(store)
    if as_json:
        _print_json([_record_json(record) for record in found])
    else:
        for record in found:
            typer.echo(line(record))


def releases(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List release records (one per release, however many outlets reported it)."""
    _list_records(db, as_json, linker.list_releases, _release_line)


def actors(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List actor records (people and groups, every spelling on one record)."""
    _list_records(db, as_json, linker.list_actors, _actor_line)


def attacks(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List attack records with reconciled tolls."""
    _list_records(db, as_json, linker.list_attacks, _attack_line)


def _show(kind: str, record_id: str, db: Path | None, getter: Callable[[SQLiteStore, str], Any]) -> None:
    with _store(db) as store:
        record = getter(store, record_id)
        if record is None:
            typer.echo(f"incitewatch: error: no {kind} record {record_id!r}", err=True)
            raise typer.Exit(1)
        out = _record_json(record)
        if kind != "actor":
            out["sources"] = dataclasses.asdict(linker.record_sources(store, kind, record_id))
        links = LinkStore(store)
        with links.transaction():
            out["history"] = [dataclasses.asdict(row) for row in links.log_entries(kind, record_id)]
    _print_json(out)


def show_release(record_id: str, db: DbOption = None) -> None:
    """One release with every report side by side, disagreements, sources and history (JSON)."""
    _show("release", record_id, db, linker.get_release)


def show_actor(record_id: str, db: DbOption = None) -> None:
    """One actor with name variants, dated roles, releases and why each report was linked (JSON)."""
    _show("actor", record_id, db, linker.get_actor)


def show_attack(record_id: str, db: DbOption = None) -> None:
    """One attack with each report's toll, date and perpetrator and how the reconciled values were chosen (JSON)."""
    _show("attack", record_id, db, linker.get_attack)


def merge(
    kind: KindArgument,
    keep_id: str,
    other_id: str,
    reason: ReasonOption,
    user: UserOption = "analyst",
    db: DbOption = None,
) -> None:
    """Merge record OTHER_ID into KEEP_ID (pinned: wins over the machine on re-analysis and relink)."""
    with _store(db) as store:
        decision = linker.merge(store, kind, keep_id, other_id, reason, user)
    typer.echo(f"decision #{decision.id}: merged {other_id} into {keep_id}")


def split(
    kind: KindArgument,
    record_id: str,
    articles: Annotated[str, typer.Option("--articles", help="Comma-separated article ids to move off.")],
    reason: ReasonOption,
    user: UserOption = "analyst",
    db: DbOption = None,
) -> None:
    """Move the reports of some articles off a record onto a new one."""
    article_ids = [a.strip() for a in articles.split(",") if a.strip()]
    with _store(db) as store:
        decision = linker.split(store, kind, record_id, article_ids, reason, user)
    new_record = decision.details["new_record"]
    typer.echo(f"decision #{decision.id}: split {len(article_ids)} article(s) off {record_id} to {new_record}")


def undo(
    decision_id: int,
    reason: Annotated[str, typer.Option("--reason")] = "undo",
    user: UserOption = "analyst",
    db: DbOption = None,
) -> None:
    """Undo a merge or split decision."""
    with _store(db) as store:
        decision = linker.undo(store, decision_id, reason, user)
    typer.echo(f"decision #{decision.id}: undid #{decision_id}")


def relink(db: DbOption = None) -> None:
    """Rebuild every record from the stored analyses; analysts' decisions still win."""
    with _store(db) as store:
        summary = linker.relink(store)
    typer.echo(
        f"{summary.articles} articles: {summary.actors} actors, {summary.releases} releases, {summary.attacks} attacks"
    )


COMMANDS: dict[str, Callable[..., None]] = {
    "releases": releases,
    "actors": actors,
    "attacks": attacks,
    "show-release": show_release,
    "show-actor": show_actor,
    "show-attack": show_attack,
    "merge": merge,
    "split": split,
    "undo": undo,
    "relink": relink,
}


def register(app: typer.Typer) -> None:
    """Add the record commands to a typer app (the main ``incitewatch`` command)."""
    for name, command in COMMANDS.items():
        app.command(name)(command)


def build_app() -> typer.Typer:
    standalone = typer.Typer(
        name="incitewatch-links", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False
    )
    register(standalone)
    return standalone
