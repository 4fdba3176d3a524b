"""``mesosim new``: a model answer for a technique; ``mesosim class``: a class graded."""

from __future__ import annotations

import os
from typing import Any

import click

from mesosim.cli._common import (
    EXISTING_FILE,
    EXISTING_FOLDER,
    FILE,
    FOLDER,
    ConfigProblem,
    OutputProblem,
    _check_output,
    _emit,
    _fragment_maker,
    _host,
    _inside,
    _load_config,
    _recipe,
    _say,
    config_option,
)


@click.command("new")
@click.argument("technique")
@click.option("--zone", default=None, help="The zone (default: face when the technique treats it, "
              "else its first zone).")
@click.option("--setting", default=None, help="The setting (default: the technique's first).")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The course's first session, YYYY-MM-DD (default: today).")
@click.option("-o", "--output", type=FILE, default=None,
              help="Write the protocol to FILE, which must not exist (default: standard output).")
@config_option
@click.pass_context
def new_cmd(ctx: click.Context, technique: str, zone: str | None, setting: str | None,
            start: Any, output: str | None) -> None:
    """Write a model answer: a complete protocol for TECHNIQUE built from its declarations.

    Every step of the technique in its order, each parameter in the middle of its range, the
    course's length and interval in theirs, the aftercare required, each figure with its source
    in a comment. It passes `mesosim check` with no finding. Never writes over a file.
    """
    from mesosim.answer import Unsupported, model_answer

    _load_config(ctx, (".",))
    host = _host(ctx)
    try:
        text = model_answer(host.catalog, technique, zone, setting,
                            start.date() if start is not None else None)
    except Unsupported as exc:
        raise click.UsageError(str(exc)) from None
    if output is None:
        click.echo(text, nl=False)
        return
    if os.path.lexists(output):
        raise click.BadParameter(f"'{output}' exists; mesosim new never writes over a file",
                                 param_hint="--output")
    _check_output(output)
    try:
        with open(output, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except FileExistsError:
        raise click.BadParameter(f"'{output}' exists; mesosim new never writes over a file",
                                 param_hint="--output") from None
    except OSError as exc:
        raise OutputProblem(f"could not write {output}: {exc.strerror or exc}") from None
    _say(f"wrote {output}")


@click.command("class")
@click.argument("submissions", type=EXISTING_FOLDER)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "csv", "json", "html"]),
              default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=FILE, default=None,
              help="Write the summary to FILE (atomically) instead of standard output.")
@click.option("--assignment", type=EXISTING_FILE, default=None,
              help="What the class was asked for (a TOML file with a [class] table); default: "
              "the [class] table of the configuration in force.")
@click.option("--feedback", "feedback_dir", type=FOLDER, default=None,
              metavar="DIR", help="Also write one Markdown feedback file per student into DIR.")
@click.option("-j", "--jobs", type=click.IntRange(0, 64), default=0, show_default=True,
              help="Check files in N parallel processes (0: one per CPU from 300 files on).")
@config_option
@click.pass_context
def class_cmd(ctx: click.Context, submissions: str, fmt: str, output: str | None,
              assignment: str | None, feedback_dir: str | None, jobs: int) -> None:
    """Grade a class: SUBMISSIONS has one sub-folder (or file) per student.

    Per student: files, errors, warnings, suppressed findings, the most frequent rule codes,
    the score (with an assignment) and pass or fail; then the rules most often broken across
    the class, and protocols handed in twice. Only the instructor's configuration counts (the
    one found from the current folder, or --config): one inside a submission is ignored and
    reported. Exits 0 whatever the grades.
    """
    from mesosim.classroom import summarize
    from mesosim.config import check_assignment, load_assignment
    from mesosim.errors import ConfigError
    from mesosim.options import Options
    from mesosim.report.classroom import RENDERERS, write_feedback

    config = _load_config(ctx, (".",))
    if config is not None and not ctx.obj.get("config_file") and _inside(
            config.path, submissions, depth=1):
        ctx.obj["config"] = config = None  # a student's file: never the instructor's
    host = _host(ctx)
    _check_output(output)
    if output is not None and (_inside(output, submissions) or os.path.realpath(
            output) == os.path.realpath(submissions)):
        raise click.BadParameter("the summary may not be written inside the submissions (it "
                                 "would overwrite or become a student's file)",
                                 param_hint="--output")
    if feedback_dir is not None and (_inside(feedback_dir, submissions) or os.path.realpath(
            feedback_dir) == os.path.realpath(submissions)):
        raise click.BadParameter("the feedback folder may not be inside the submissions (it "
                                 "would be graded as a student)", param_hint="--feedback")
    try:
        task = load_assignment(assignment) if assignment else (
            config.assignment if config is not None else None)
        if task is not None:
            check_assignment(task, host.catalog)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    fragments: dict[str, str] = {}
    summary = summarize(submissions, host, config.options if config is not None else Options(),
                        jobs=jobs, recipe=_recipe(ctx), assignment=task,
                        origins=dict(config.origins) if config is not None else None,
                        each=_fragment_maker(host) if fmt == "html" else None,
                        extras=fragments)
    if feedback_dir is not None:
        try:
            write_feedback(summary, feedback_dir, host.catalog)
        except OSError as exc:
            raise OutputProblem(f"cannot write feedback into {feedback_dir}: "
                                f"{exc.strerror or exc}") from None
    if fmt == "html":
        from mesosim.report.html import render_class

        _emit(render_class(summary, fragments, host.catalog), output)
        return
    _emit(RENDERERS[fmt](summary), output)
