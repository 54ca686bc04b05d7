"""The ``incitewatch`` command: a thin typer layer over the library (``incitewatch.service``, ``Store``)."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from incitewatch.errors import IncitewatchError
from incitewatch.pipeline import Pipeline, PipelineOptions
from incitewatch.serialize import analysis_to_dict
from incitewatch.service import Failure, IngestReport, analyze_inputs, ingest_paths
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
    typer.Option("--db", help="SQLite store file (default: $INCITEWATCH_DB, else a file in the user data dir)."),
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
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD", param_hint="--published") from None


def _pipeline(no_model: bool) -> Pipeline:
    return Pipeline(PipelineOptions(use_model=not no_model))


def _store(db: Path | None) -> Store:
    return open_store(default_db_path(db, os.environ))


@app.command()
def analyze(
    paths: Annotated[list[str], typer.Argument(help="Files or folders to analyse; '-' reads standard input.")],
    published: PublishedOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per article (incitewatch.analysis/1).")] = False,
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


def _progress(report: IngestReport) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{report.seen} inputs: {report.summary()}")
        sys.stderr.flush()


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files or folders to ingest; '-' reads standard input.")],
    db: DbOption = None,
    published: PublishedOption = None,
    no_model: NoModelOption = False,
) -> None:
    """Analyse reports and keep them (raw input, article, analysis) in the store; the same article twice is stored once."""
    with_store = _store(db)
    try:
        report = ingest_paths(paths, with_store, _pipeline(no_model), published=_parse_date(published), on_item=_progress)
    finally:
        with_store.close()
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    for failure in report.failed:
        _error(str(failure))
    for uri, article_id in report.duplicates:
        typer.echo(f"duplicate: {uri} is article {article_id}")
    typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(1)


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
                {"id": h.article_id, "title": h.title, "outlet": h.outlet, "published": h.published, "url": h.url,
                 "snippet": h.snippet, "score": h.score}
                for h in hits
            ],
            "entities": [
                {"id": e.entity_id, "type": e.type, "name": e.name, "matched": e.matched, "articles": e.article_count}
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
