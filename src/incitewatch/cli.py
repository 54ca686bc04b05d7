"""The ``incitewatch`` command: a thin typer layer over the library (``incitewatch.service``, ``Store``)."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from incitewatch.cli_links import register as register_link_commands
from incitewatch.errors import IncitewatchError
from incitewatch.pipeline import Pipeline, PipelineOptions
from incitewatch.serialize import analysis_to_dict
from incitewatch.service import Failure, IngestOptions, IngestReport, analyze_inputs, reanalyse_stored
from incitewatch.store import Store, default_db_path, open_store
from incitewatch.summary import render_summary

app = typer.Typer(
    name="incitewatch",
    help="Evidence-linked records from news reports about terrorist propaganda. Offline; analyses, never amplifies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="SQLite store file (default: $INCITEWATCH_DB, else a file in the user data dir)."
    ),
]
PublishedOption = Annotated[
    str | None,
    typer.Option("--published", help="Publication date (YYYY-MM-DD) used to resolve relative dates."),
]
NoModelOption = Annotated[
    bool, typer.Option("--no-model", help="Rules and gazetteers only, without the statistical NER model.")
]


def _error(message: str) -> None:
    typer.echo(f"incitewatch: error: {message}", err=True)


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date in the form YYYY-MM-DD", param_hint="--published"
        ) from None


def _pipeline(no_model: bool) -> Pipeline:
    return Pipeline(PipelineOptions(use_model=not no_model))


def _store(db: Path | None) -> Store:
    return open_store(default_db_path(db, os.environ))


@app.command()
def analyze(
    paths: Annotated[
        list[str], typer.Argument(help="Files or folders to analyse; '-' reads standard input.")
    ],
    published: PublishedOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per article (incitewatch.analysis/1).")
    ] = False,
    no_model: NoModelOption = False,
) -> None:
    """Analyse reports and print what they say: a readable summary, or the JSON contract with --json."""
    failures = 0
    for result in analyze_inputs(paths, _pipeline(no_model), published=_parse_date(published)):
        if isinstance(result, Failure):
            _error(str(result))
            failures += 1
        elif as_json:
            typer.echo(json.dumps(analysis_to_dict(result), ensure_ascii=False))
        else:
            typer.echo(render_summary(result))
            typer.echo("")
    if failures:
        raise typer.Exit(1)


class _ProgressLine:
    """One self-overwriting stderr line with counts and rates, redrawn at most every ``every_s`` seconds."""

    def __init__(self, enabled: bool, every_s: float = 0.5) -> None:
        self.enabled = enabled
        self.every_s = every_s
        self.started = time.monotonic()
        self._last_drawn = 0.0

    def __call__(self, report: IngestReport) -> None:
        now = time.monotonic()
        if self.enabled and now - self._last_drawn >= self.every_s:
            self._last_drawn = now
            self.draw(report, now)

    def draw(self, report: IngestReport, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        analysed = len(report.stored) + len(report.reanalysed)
        sys.stderr.write(
            f"\r{report.seen} inputs ({report.seen / elapsed:.1f}/s,"
            f" {analysed / elapsed:.1f} analysed/s):"
            f" {len(report.stored)} stored, {len(report.reanalysed)} re-analysed, {report.skipped} skipped,"
            f" {len(report.duplicates) + len(report.near_duplicates)} duplicate, {len(report.failed)} failed,"
            f" {report.already_done} done before\x1b[K"
        )
        sys.stderr.flush()

    def finish(self, report: IngestReport) -> None:
        if self.enabled:
            self.draw(report, time.monotonic())
            sys.stderr.write("\n")


def _report(line: _ProgressLine, report: IngestReport, verbose: bool, summary: list[str]) -> None:
    """End an ingest or re-analysis run: failures on stderr, the details asked for, the summary; exit 1 on failures."""
    line.finish(report)
    for failure in report.failed:
        _error(str(failure))
    if verbose:
        _echo_details(report)
    for summary_line in summary:
        typer.echo(summary_line)
    if report.failed:
        raise typer.Exit(1)


def _summary_table(header: str, rows: Sequence[tuple[str, int]], width: int) -> list[str]:
    return [header, *(f"  {label:<{width}}{count}" for label, count in rows)]


def _ingest_summary(report: IngestReport, elapsed_s: float) -> list[str]:
    rate = report.seen / elapsed_s if elapsed_s > 0 else 0.0
    rows = (
        ("stored and analysed", len(report.stored)),
        ("re-analysed", len(report.reanalysed)),
        ("skipped: not relevant", len(report.not_relevant)),
        ("skipped: non-English", len(report.non_english)),
        ("duplicate: exact", len(report.duplicates)),
        ("duplicate: near", len(report.near_duplicates)),
        ("already ingested", report.already_done),
        ("failed", len(report.failed)),
    )
    return _summary_table(f"{report.seen} inputs in {elapsed_s:.1f} s ({rate:.1f}/s)", rows, 24)


def _mapping(values: list[str]) -> dict[str, str]:
    """``--mapping`` pairs (``COLUMN=FIELD``, comma-separated, either order) as {field: column}."""
    from incitewatch.ingest.records import FIELDS

    mapping: dict[str, str] = {}
    for pair in (part.strip() for value in values for part in value.split(",")):
        left, equals, right = (side.strip() for side in pair.partition("="))
        if not pair:
            continue
        if not equals or not left or not right:
            raise typer.BadParameter(f"{pair!r} is not COLUMN=FIELD", param_hint="--mapping")
        if right.lower() in FIELDS:
            mapping[right.lower()] = left
        elif left.lower() in FIELDS:
            mapping[left.lower()] = right
        else:
            raise typer.BadParameter(f"{pair!r} names none of the fields {', '.join(FIELDS)}", param_hint="--mapping")
    return mapping


AllowPrivateOption = Annotated[
    bool,
    typer.Option("--allow-private", help="Allow fetching from private, loopback and link-local addresses."),
]
NoTriageOption = Annotated[bool, typer.Option("--no-triage", help="Analyse every English article, relevant or not.")]
ProgressOption = Annotated[
    bool | None,
    typer.Option("--progress/--no-progress", help="Progress line on stderr (default: when it is a terminal)."),
]


@app.command()
def ingest(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Sources: files, folders, '-' (standard input), http(s) URLs of pages or feeds, WARC/ARC archives,"
            " .json/.jsonl/.csv record files, RSS/Atom/JSON feeds and OPML lists."
        ),
    ],
    db: DbOption = None,
    published: PublishedOption = None,
    no_model: NoModelOption = False,
    progress: ProgressOption = None,
    no_triage: NoTriageOption = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every duplicate and skipped input.")
    ] = False,
    allow_private: AllowPrivateOption = False,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--mapping",
            help="Record files: which column holds which field, as COLUMN=FIELD pairs separated by commas"
            " (fields: text, html, title, url, published, outlet), e.g. --mapping Body=text,Date=published.",
        ),
    ] = None,
) -> None:
    """Keep reports in the store (raw input, article, analysis). Resumable: a re-run skips what is done.

    Exact and near-duplicate copies are recorded against the first article; non-English and not-relevant
    articles are stored and labelled but not analysed.
    """
    from incitewatch.ingest.fetch import FetchConfig, SafeFetcher
    from incitewatch.ingest.sources import iter_sources
    from incitewatch.service import ingest_raw

    columns = _mapping(mapping or [])
    line = _ProgressLine(sys.stderr.isatty() if progress is None else progress)
    options = IngestOptions(triage=not no_triage)
    pipeline = _pipeline(no_model)
    max_bytes = pipeline.options.max_bytes
    with_store = _store(db)
    try:
        with SafeFetcher(FetchConfig(allow_private=allow_private, max_bytes=max_bytes)) as fetcher:
            sources = iter_sources(paths, max_bytes=max_bytes, fetcher=fetcher, records_mapping=columns)
            report = ingest_raw(
                sources, with_store, pipeline, published=_parse_date(published), on_item=line, options=options
            )
    finally:
        with_store.close()
    _report(line, report, verbose, [*_ingest_summary(report, time.monotonic() - line.started), report.summary()])


@app.command()
def reanalyse(
    db: DbOption = None,
    no_model: NoModelOption = False,
    no_triage: NoTriageOption = False,
    everything: Annotated[
        bool,
        typer.Option("--all", help="Re-analyse every stored article, also those this pipeline version analysed."),
    ] = False,
    progress: ProgressOption = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every copy and skipped input.")
    ] = False,
) -> None:
    """Bring stored articles up to date after an upgrade: re-analyse, from the stored inputs, those an older
    pipeline version analysed (or none did). No files are read again; a second run finds nothing to do.

    Each article keeps its id; its annotations are replaced and its cross-document records relinked (analysts'
    decisions and corrections hold). Copies of a stored article are not analysed again. Triage is redone, except
    for articles ingested with --no-triage (or every article, with --no-triage here).
    """
    line = _ProgressLine(sys.stderr.isatty() if progress is None else progress)
    pipeline = _pipeline(no_model)
    with_store = _store(db)
    try:
        options = IngestOptions(triage=not no_triage)
        report = reanalyse_stored(with_store, pipeline, everything=everything, on_item=line, options=options)
    finally:
        with_store.close()
    _report(line, report, verbose, _reanalyse_summary(report, time.monotonic() - line.started, pipeline.version))


def _reanalyse_summary(report: IngestReport, elapsed_s: float, version: str) -> list[str]:
    rate = report.seen / elapsed_s if elapsed_s > 0 else 0.0
    rows = (
        ("re-analysed", len(report.reanalysed)),
        ("stored (never analysed)", len(report.stored)),
        ("skipped: not relevant", len(report.not_relevant)),
        ("skipped: non-English", len(report.non_english)),
        ("copies, left as they are", len(report.duplicates) + len(report.near_duplicates)),
        ("failed", len(report.failed)),
    )
    header = f"pipeline {version}: {report.seen} stored inputs in {elapsed_s:.1f} s ({rate:.1f}/s)"
    return _summary_table(header, rows, 26)


@app.command()
def watch(
    feeds: Annotated[
        Path,
        typer.Option(
            "--feeds",
            help="An OPML file, or a text file with one feed URL a line: added to the feeds the store watches "
            "(those added on the desk are polled too).",
        ),
    ],
    every: Annotated[str, typer.Option("--every", help="How often to poll each feed: 90s, 10m, 1h, 1h30m.")] = "10m",
    once: Annotated[bool, typer.Option("--once", help="Poll every due feed once and exit (for cron).")] = False,
    db: DbOption = None,
    no_model: NoModelOption = False,
    no_triage: NoTriageOption = False,
    allow_private: AllowPrivateOption = False,
) -> None:
    """Poll feeds and ingest their new items, until stopped (Ctrl-C or SIGTERM end it between items).

    Unchanged feeds cost a 304; seen items are never processed twice, across restarts too; a failing feed is
    retried later and later (reported with its error and next retry) while the others go on.
    """
    import threading

    from incitewatch.ingest.fetch import FetchConfig
    from incitewatch.ingest.watch import (
        ConditionalFetcher,
        Watcher,
        WatchOptions,
        load_feed_list,
        parse_duration,
        stop_on_signals,
    )
    from incitewatch.store.sqlite import SQLiteStore

    urls = load_feed_list(feeds)
    if not urls:
        raise typer.BadParameter(f"{feeds} lists no feeds", param_hint="--feeds")
    options = WatchOptions(every_s=parse_duration(every), ingest=IngestOptions(triage=not no_triage))
    pipeline = _pipeline(no_model)
    with_store = _store(db)
    stop = threading.Event()
    try:
        if not isinstance(with_store, SQLiteStore):
            raise IncitewatchError("watch needs the SQLite store")
        config = FetchConfig(allow_private=allow_private, max_bytes=pipeline.options.max_bytes)
        with ConditionalFetcher(config) as fetcher, stop_on_signals(stop):
            watcher = Watcher(with_store, pipeline, fetcher, options=options, stop=stop, say=typer.echo)
            report = watcher.run(urls, once=once)
    finally:
        with_store.close()
    if stop.is_set():
        typer.echo("stopped", err=True)
    if once and report.failed:
        raise typer.Exit(1)


def _echo_details(report: IngestReport) -> None:
    for uri, article_id in report.duplicates:
        typer.echo(f"duplicate: {uri} is article {article_id}")
    for uri, article_id in report.near_duplicates:
        typer.echo(f"near-duplicate: {uri} copies article {article_id}")
    for skipped in (*report.not_relevant, *report.non_english):
        typer.echo(f"skipped: {skipped.input_name} ({skipped.article_id}): {skipped.reason}")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to find in titles and texts (and entity names).")],
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Full-text search over stored articles, best matches first."""
    with_store = _store(db)
    try:
        hits = with_store.search(query, limit=limit)
        entities = with_store.search_entities(query, limit=limit)
    finally:
        with_store.close()
    if as_json:
        payload: dict[str, Any] = {
            "articles": [
                {
                    "id": h.article_id,
                    "title": h.title,
                    "outlet": h.outlet,
                    "published": h.published,
                    "url": h.url,
                    "snippet": h.snippet,
                    "score": h.score,
                }
                for h in hits
            ],
            "entities": [
                {
                    "id": e.entity_id,
                    "type": e.type,
                    "name": e.name,
                    "matched": e.matched,
                    "articles": e.article_count,
                }
                for e in entities
            ],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    for e in entities:
        typer.echo(f"entity  {e.entity_id}  {e.name}  ({e.article_count} articles)")
    for h in hits:
        typer.echo(f"{h.article_id}  {h.published or '----------'}  {h.title or '(untitled)'}")
        typer.echo(f"    {' '.join(h.snippet.split())}")
    if not hits and not entities:
        typer.echo("no matches")


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(help="Article id as printed by ingest/search.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show one stored article with everything extracted from it."""
    from incitewatch.serialize import analysis_from_dict

    with_store = _store(db)
    try:
        stored = with_store.get_article(article_id)
    finally:
        with_store.close()
    if stored is None:
        _error(f"{article_id}: no such article in the store")
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(stored, ensure_ascii=False))
    else:
        typer.echo(render_summary(analysis_from_dict(stored)))


@app.command()
def stats(db: DbOption = None) -> None:
    """Counts of what the store holds."""
    with_store = _store(db)
    try:
        for name, count in with_store.counts().items():
            typer.echo(f"{name:<20} {count}")
    finally:
        with_store.close()


@app.command()
def evaluate(
    dataset: Annotated[str, typer.Argument(help="muc4 | tempeval3 | geowebnews | lgl | wikievents | gold")],
    data: Annotated[Path, typer.Option("--data", help="The dataset folder (for gold: the JSON Lines file).")],
    split: Annotated[str, typer.Option("--split", help="dev | test")] = "dev",
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the JSON report here.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N documents.")] = None,
    no_model: NoModelOption = False,
) -> None:
    """Score the pipeline on a public benchmark (or your own gold file) and print the figures."""
    from incitewatch.evaluation.report import format_table, write_report
    from incitewatch.evaluation.runner import DATASETS, SPLITS
    from incitewatch.evaluation.runner import evaluate as run_evaluation

    if dataset not in DATASETS:
        raise typer.BadParameter(f"expected one of {', '.join(DATASETS)}", param_hint="DATASET")
    if split not in SPLITS:
        raise typer.BadParameter(f"expected one of {', '.join(SPLITS)}", param_hint="--split")
    if not data.exists():
        raise typer.BadParameter(f"{data} does not exist", param_hint="--data")
    report = run_evaluation(dataset, data, split=split, limit=limit, pipeline=_pipeline(no_model))
    if json_out is not None:
        write_report(report, json_out)
    typer.echo(f"{dataset} ({split}{f', first {limit}' if limit else ''})")
    typer.echo(format_table(report))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1 unless behind a proxy).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    db: DbOption = None,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="Mark cookies Secure (when served over HTTPS).")
    ] = False,
) -> None:
    """Serve the analyst's desk: web pages and the REST API (/api, schema at /api/openapi.json)."""
    import uvicorn

    from incitewatch.api import Settings, create_app

    settings = Settings(db_path=default_db_path(db, os.environ), secure_cookies=secure_cookies)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", server_header=False)


@app.command("refresh-groups")
def refresh_groups(
    lists: Annotated[
        list[Path],
        typer.Argument(help="Official lists: an OFAC SDN folder (sdn.csv + alt.csv) or a UN consolidated .xml."),
    ],
    write: Annotated[
        Path | None,
        typer.Option(
            "--write",
            help="Save the refreshed groups file here (in a checkout: src/incitewatch/resources/groups.json). "
            "Without it, only report what would change.",
        ),
    ] = None,
) -> None:
    """Add the aliases official designation lists give for the groups we know, naming each list as a source."""
    from incitewatch.resources import DesignationRefresh, refresh_groups_from_designations, write_refreshed_groups

    refreshes: list[DesignationRefresh] = []
    groups = None
    for path in lists:
        try:
            refresh = refresh_groups_from_designations(path, groups)
        except (IncitewatchError, OSError) as error:
            _error(f"{path}: {error}")
            raise typer.Exit(1) from error
        refreshes.append(refresh)
        groups = refresh.groups
        typer.echo(_refresh_summary(refresh))
    if write is None:
        typer.echo("nothing written: pass --write PATH to save the refreshed groups file")
        return
    added = write_refreshed_groups(refreshes, write, refreshed_on=date.today())
    typer.echo(f"wrote {write}: {added} aliases added")


def _refresh_summary(refresh: Any) -> str:
    lines = [
        f"{refresh.source}: {len(refresh.matched)} groups matched, "
        f"{sum(len(a) for a in refresh.added.values())} aliases to add, "
        f"{sum(len(s) for s in refresh.skipped.values())} skipped"
    ]
    lines += [f"  {group_id} + {', '.join(aliases)}" for group_id, aliases in sorted(refresh.added.items())]
    return "\n".join(lines)


users_app = typer.Typer(help="People who may use the desk (roles: viewer, analyst, admin).", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name (no spaces).")],
    role: Annotated[str, typer.Option("--role", help="viewer | analyst | admin")] = "viewer",
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")] = "added from the CLI",
    db: DbOption = None,
) -> None:
    """Create a user and print a one-time password and API token (only their hashes are stored)."""
    from incitewatch.store.users import UserStore

    path = default_db_path(db, os.environ)
    open_store(path).close()  # creates and migrates the store (users tables included)
    users = UserStore(path)
    try:
        created = users.add_user(name, role, by=f"cli:{os.environ.get('USER', 'unknown')}", reason=reason)
    finally:
        users.close()
    typer.echo(f"user:     {created.user.name} ({created.user.role})")
    typer.echo(f"password: {created.password}")
    typer.echo(f"token:    {created.token}")
    typer.echo("Shown once: hand them over now.", err=True)


register_link_commands(app)


def main() -> None:
    """Entry point: library errors become one line on stderr and a non-zero exit, never a traceback."""
    try:
        app()
    except IncitewatchError as error:
        _error(str(error))
        sys.exit(1)
    except KeyboardInterrupt:
        _error("interrupted")
        sys.exit(130)
