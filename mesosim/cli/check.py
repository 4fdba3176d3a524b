"""``mesosim check``: the files and folders given, each with the configuration in force for it."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from mesosim.cli._common import (
    EXISTING_FILE,
    FILE,
    ConfigProblem,
    OutputProblem,
    _codes_option,
    _emit,
    _fragment_maker,
    _host,
    _known_codes,
    _load_config,
    _recipe,
    _refuse_input_as_output,
    _say,
    _use_color,
    config_option,
)

if TYPE_CHECKING:
    from mesosim.plugin.host import PluginHost



@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", default="text", show_default=True,
              help="Output format: text, json, sarif, junit, github, gitlab, html.")
@click.option("-o", "--output", type=FILE, default=None,
              help="Write the report to FILE (atomically) instead of standard output.")
@click.option("-j", "--jobs", type=click.IntRange(0, 64), default=0, show_default=True,
              help="Check files in N parallel processes (0: one per CPU from 300 files on); the "
              "output is the same whatever N.")
@click.option("--select", multiple=True, metavar="CODE", callback=_codes_option,
              help="Report only these codes or prefixes.")
@click.option("--ignore", multiple=True, metavar="CODE", callback=_codes_option,
              help="Do not report these codes or prefixes.")
@config_option
@click.option("--max-file-size", type=click.IntRange(1), default=None, metavar="BYTES",
              help="Largest file read (default 4 MiB).")
@click.option("--report-unused-ignores/--no-report-unused-ignores", default=None,
              help="Report suppression comments that silence nothing (MS011); default: the "
              "configuration's report-unused-ignores, else off.")
@click.option("--color", "color_mode", type=click.Choice(["auto", "always", "never"]),
              default="auto", show_default=True, metavar="[WHEN]",
              help="Colour the text output: auto (on a terminal, unless NO_COLOR is set; "
              "FORCE_COLOR forces it), always (also --color alone), never.")
@click.option("--no-color", "no_color", is_flag=True, help="The same as --color never.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (a plugin or mesosim "
              "failing still exits 3 or 4).")
@click.option("--fail-level", type=click.Choice(["error", "warning", "info"]), default="error",
              show_default=True, help="The least severe finding that makes the exit code 1.")
@click.option("--statistics", is_flag=True, help="After the report, one line per rule: how many "
              "findings (text format).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing: the exit code tells the result "
              "(a report still goes to -o FILE).")
@click.option("--protocols-only", is_flag=True, help="Leave alone the YAML and JSON files that "
              "are not protocols (no top-level 'mesosim:' and too little of a protocol's shape): "
              "for the pre-commit hook, which is handed every staged YAML and JSON file.")
@click.option("--show-source", is_flag=True, help="Under each finding, its line and a caret "
              "under the column (text format).")
@click.option("--stdin-filename", default=None, metavar="NAME", help="With PATHS '-': the "
              "name of the protocol read from standard input (its suffix, configuration and "
              "per-file rules are resolved for NAME; nothing is written there).")
@click.option("--write-baseline", type=FILE, default=None, metavar="FILE",
              help="Record today's findings in FILE (by file, rule and place in the data, not "
              "by line), and exit 0.")
@click.option("--baseline", "baseline_file", type=EXISTING_FILE,
              default=None, metavar="FILE", help="Report only the findings FILE does not "
              "record.")
@click.pass_context
def check(ctx: click.Context, paths: tuple[str, ...], fmt: str, output: str | None, jobs: int,
          select: tuple[str, ...], ignore: tuple[str, ...], max_file_size: int | None,
          report_unused_ignores: bool | None, color_mode: str, no_color: bool, exit_zero: bool,
          fail_level: str, statistics: bool, quiet: bool, protocols_only: bool,
          show_source: bool,
          stdin_filename: str | None, write_baseline: str | None,
          baseline_file: str | None) -> None:
    """Check protocol files and directories (*.yaml, *.yml, *.json, recursively).

    Exit codes: 0 no finding at --fail-level or above (error by default), 1 some, 2 usage, 3 a
    plugin failed, 4 mesosim failed.
    """
    from mesosim.options import Options
    from mesosim.report import REPORTERS
    from mesosim.runner import check_files

    if fmt not in REPORTERS and fmt != "html":
        raise click.BadParameter(f"'{fmt}' is not a format; choose from: "
                                 f"{', '.join((*REPORTERS, 'html'))}", param_hint="--format")
    stdin_text: str | None = None
    stdin_problem: Any = None
    if paths == ("-",):  # a protocol on standard input (editors, pre-commit wrappers)
        from mesosim.loader import decode

        limit = max_file_size or _stdin_limit(ctx)
        raw = sys.stdin.buffer.read(limit + 1)  # never more than the size limit allows
        if len(raw) > limit:
            from mesosim.document import LoadProblem
            from mesosim.rules import UNREADABLE_FILE

            stdin_text, stdin_problem = "", LoadProblem(
                UNREADABLE_FILE, f"standard input is over the limit of {limit} bytes",
                suggestion="raise the limit with --max-file-size if it is meant to be this big")
        else:
            stdin_text, stdin_problem = decode(raw)
        if stdin_text is None:
            stdin_text = ""
        paths = (stdin_filename or "stdin.yaml",)
    elif "-" in paths:
        raise click.BadParameter("'-' (standard input) must be the only path", param_hint="PATHS")
    missing = [p for p in paths if not os.path.exists(p) and stdin_text is None]
    if protocols_only and stdin_text is None and not missing:
        from mesosim.options import Options as _Options
        from mesosim.runner import collect_files, looks_like_protocol

        paths = tuple(f for f in collect_files(paths, _Options()) if looks_like_protocol(f))
        if not paths:
            if not quiet:
                click.echo("mesosim: no protocol among the files given")
            ctx.exit(0)
    if missing:
        raise click.BadParameter(f"no such file or directory: {', '.join(missing)}",
                                 param_hint="PATHS")
    from attr import evolve

    def with_flags(options: Options) -> Options:
        """The command line's flags over a configuration's options."""
        changes: dict[str, Any] = {}
        if select:
            changes["select"] = select
        if ignore:
            changes["ignore"] = (*options.ignore, *ignore)
        if max_file_size:
            changes["max_bytes"] = max_file_size
        if report_unused_ignores is not None:
            changes["report_unused_ignores"] = report_unused_ignores
        return evolve(options, **changes)

    found: list[str] = []
    if stdin_text is None:  # the files under the paths, walked once for all that follows
        from mesosim.runner import collect_files

        found = collect_files(paths, Options())
    if output is not None:
        _refuse_input_as_output(output, found)
    if write_baseline is not None:
        _refuse_input_as_output(write_baseline, found)
    known = None
    if baseline_file is not None:
        from mesosim.baseline import load_baseline
        from mesosim.errors import ConfigError

        try:
            known = load_baseline(baseline_file)
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from None
    fragments: dict[str, str] = {}
    if stdin_text is not None:
        report = _check_stdin(ctx, paths[0], stdin_text, stdin_problem, with_flags, fmt,
                              fragments)
        host = _host(ctx)
    elif ctx.ensure_object(dict).get("config_file"):  # --config: one configuration for all
        config = _load_config(ctx, paths)
        host = _host(ctx)
        _known_codes(host, select, "--select")
        _known_codes(host, ignore, "--ignore")
        each = _fragment_maker(host) if fmt == "html" else None
        options = with_flags(config.options)
        report = check_files([f for f in found if not options.excluded(f)], host, options,
                             jobs=jobs, recipe=_recipe(ctx), each=each, extras=fragments)
    else:  # each file with the nearest configuration above it, whatever the arguments' order
        ctx.obj["config"] = None
        host = _host(ctx)
        _known_codes(host, select, "--select")
        _known_codes(host, ignore, "--ignore")
        each = _fragment_maker(host) if fmt == "html" else None
        report = _check_per_config(ctx, found, host, with_flags, jobs, each, fragments)
    if known is not None and baseline_file is not None:
        from mesosim.baseline import apply_baseline

        report, _dropped = apply_baseline(report, known, baseline_file)
    if write_baseline is not None:
        from mesosim.atomic import write_atomic
        from mesosim.baseline import baseline_text

        try:
            write_atomic(write_baseline, baseline_text(report, write_baseline))
        except OSError as exc:
            raise OutputProblem(f"could not write {write_baseline}: {exc.strerror or exc}"
                                ) from None
        _say(f"mesosim: {sum(len(r.findings) for r in report.files)} findings recorded in "
             f"{write_baseline}")
        exit_zero = True
    color = _use_color("never" if no_color else color_mode, output)
    if fmt == "html":
        from mesosim.report.html import render_outcomes

        text = render_outcomes(report.files, fragments, host.catalog)
    else:
        text = REPORTERS[fmt](report, host.catalog, color)
    if show_source and fmt == "text":
        from mesosim.report.text import render_text

        sources = {r.path: stdin_text if stdin_text is not None else _text_of(r.path)
                   for r in report.files if r.findings}
        text = render_text(report, host.catalog, color, sources)
    if statistics and fmt == "text":
        text += _statistics(report, host.catalog)
    if not (quiet and output is None):
        _emit(text, output, color or None)
    ctx.exit(_exit_code(report, fail_level, exit_zero))


def _stdin_limit(ctx: click.Context) -> int:
    """The size limit in force for standard input: --config's, else the default."""
    from mesosim.document import DEFAULT_MAX_BYTES

    if ctx.ensure_object(dict).get("config_file"):
        config = _load_config(ctx, (".",))
        if config is not None:
            return int(config.options.max_bytes)
    return DEFAULT_MAX_BYTES


def _text_of(path: str) -> str:
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            return fh.read(8 * 1024 * 1024)
    except OSError:
        return ""


def _check_stdin(ctx: click.Context, name: str, text: str, problem: Any, with_flags: Any,
                 fmt: str, fragments: dict[str, str]) -> Any:
    """``check -``: the protocol on standard input, checked as if it were the file ``name``
    (its configuration: --config, else the nearest to NAME)."""
    from mesosim.document import Document
    from mesosim.loader import load_text
    from mesosim.options import Options
    from mesosim.pipeline import run_document
    from mesosim.results import Report

    config = _load_config(ctx, (os.path.dirname(os.path.abspath(name)),))
    host = _host(ctx)
    options = with_flags(config.options if config is not None else Options())
    doc = Document(name, None, problems=(problem,)) if problem is not None else \
        load_text(text, name)
    outcome = run_document(doc, host.catalog, options, host)
    if fmt == "html":
        from mesosim.report.html import fragment

        fragments[name] = fragment(outcome, host.catalog)
    return Report((outcome.result,), host.catalog.plugins)


def _check_per_config(ctx: click.Context, files: list[str], base: PluginHost,
                      with_flags: Any, jobs: int, each: Any, extras: dict[str, str]) -> Any:
    """Check every file (:func:`~mesosim.runner.collect_files`'s list) with the configuration
    nearest above it (its options, its overrides, its ``exclude``), as ruff does: ``check a
    b`` and ``check b a`` give the same report."""
    from mesosim.config import check_codes, find_config, load_config
    from mesosim.errors import ConfigError
    from mesosim.options import Options
    from mesosim.results import Report
    from mesosim.runner import check_files

    found: dict[str, str | None] = {}
    groups: dict[str | None, list[str]] = {}
    for f in files:
        folder = os.path.dirname(os.path.abspath(f))
        if folder not in found:
            found[folder] = find_config([folder])
        groups.setdefault(found[folder], []).append(f)
    recipe = _recipe(ctx)
    results: list[Any] = []
    for where in sorted(groups, key=lambda w: (w is not None, w or "")):
        host, group_recipe, options = base, recipe, with_flags(Options())
        if where is not None:
            try:
                config = load_config(where)
                check_codes(config, base.catalog)
                if config.overrides:  # imported only then: most configurations have none
                    from mesosim.overrides import apply_overrides

                    host = base.with_catalog(apply_overrides(base.catalog, config.overrides))
            except ConfigError as exc:
                raise ConfigProblem(str(exc)) from None
            options = with_flags(config.options)
            group_recipe = recipe._replace(overrides=tuple(config.overrides))
        # a configuration's exclude leaves out every file it matches, found in a folder or
        # named (as a pre-commit hook names every staged file)
        group = [f for f in groups[where] if not options.excluded(f)]
        if group:
            results += check_files(group, host, options, jobs=jobs, recipe=group_recipe,
                                   each=each, extras=extras).files
    return Report(tuple(sorted(results, key=lambda r: r.path)), base.catalog.plugins)


def _statistics(report: Any, catalog: Any) -> str:
    """``--statistics``: per rule, how many findings, most first (as ruff prints them)."""
    from collections import Counter

    counts = Counter(f.rule for f in report.findings)
    lines = [f"{n:>5}  {code}  {catalog.rules[code].name if code in catalog.rules else ''}"
             for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(lines) + "\n" if lines else ""


def _exit_code(report: Any, fail_level: str, exit_zero: bool) -> int:
    from mesosim.results import EXIT_ERRORS, EXIT_OK

    code = report.exit_code
    if code not in (EXIT_OK, EXIT_ERRORS):
        return int(code)  # a plugin or mesosim failed: never hidden by --exit-zero
    if exit_zero:
        return EXIT_OK
    levels = {"error": ("error",), "warning": ("error", "warning"),
              "info": ("error", "warning", "info")}[fail_level]
    return EXIT_ERRORS if any(f.severity in levels for f in report.findings) else EXIT_OK
