"""``kinetrace check``: every knowledge file through the E-coded checks, with verification counts."""

from __future__ import annotations

from pathlib import Path

import typer

from kinetrace.cli.output import console

WRITE_DOCS_OPT = typer.Option(
    False, "--write-docs", help="Also write the verification record (docs/knowledge.md) from the data."
)
DOCS_PATH_OPT = typer.Option(Path("docs/knowledge.md"), "--docs-path", help="Where --write-docs writes.")


def check_command(write_docs: bool = WRITE_DOCS_OPT, docs_path: Path = DOCS_PATH_OPT) -> None:
    """Check the shipped knowledge (regions, markers, atlas, PROMs, video references) for consistency.

    Every problem is printed with a stable id (kinetrace.E001 ...); exit code 1 if any, including a
    figure with no verification status. Prints the verification counts by status.
    """
    from kinetrace.engine.atlas import atlas
    from kinetrace.knowledge.checks import check_knowledge

    problems, verification = check_knowledge()
    missing = verification.counts()["missing"]
    if problems or missing:
        for p in problems:
            typer.echo(str(p), err=True)
        typer.echo(verification.summary(), err=True)
        raise typer.Exit(1)
    loaded = atlas()
    console.print(
        f"[green]OK[/] atlas: {len(loaded.regions)} regions, {len(loaded.structures)} structures, "
        f"{len(loaded.links)} links, {len(loaded.sources)} sources"
    )
    typer.echo(verification.summary())
    if write_docs:
        from kinetrace.knowledge.docs import render_markdown

        docs_path.write_text(render_markdown(), encoding="utf-8")
        typer.echo(f"wrote {docs_path}")
