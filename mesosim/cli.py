"""mesosim's command line: parse options, call library functions, print, exit.

Exit codes: 0 no error finding; 1 at least one error finding; 2 usage error (bad option, a path
that does not exist, a bad configuration, an output that cannot be written); 3 a plugin failed
(refused at load, or raised while checking); 4 mesosim itself failed (a bug: one line names it
and asks for a report; ``--debug`` or ``MESOSIM_DEBUG=1`` prints the traceback); 130
interrupted (Ctrl-C).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from mesosim import __version__

if TYPE_CHECKING:
    from mesosim.plugin.host import HostRecipe, PluginHost


#: the path types of the options, one instance each: click asks gettext for a type's name when
#: it is made ("file", "directory"), and each ask looks for message catalogs on disk: 21 asks
#: took 3.6 ms of a one-file check (speed round 2); click's types hold no state per option.
FILE = click.Path(dir_okay=False)
EXISTING_FILE = click.Path(exists=True, dir_okay=False)
FOLDER = click.Path(file_okay=False)
EXISTING_FOLDER = click.Path(exists=True, file_okay=False)


class ConfigProblem(click.ClickException):
    """A bad configuration file: its message names the file and line; exit code 2."""

    exit_code = 2


class OutputProblem(click.ClickException):
    """A report that could not be written: exit code 2, as for an output refused up front."""

    exit_code = 2


def _recipe(ctx: click.Context) -> HostRecipe:
    """How this invocation's plugin host is built (again, in a spawned worker)."""
    from mesosim.plugin.host import HostRecipe

    obj = ctx.ensure_object(dict)
    config = obj.get("config")
    return HostRecipe(blocked=tuple(obj.get("no_plugins", ())),
                      only=tuple(obj.get("plugins", ())),
                      autoload=False if obj.get("no_autoload") else None,
                      overrides=tuple(config.overrides) if config is not None else (),
                      cache=True)


def _plugins(ctx: click.Context) -> PluginHost:
    """The plugins, loaded once per invocation, before any configuration is read: an override
    may be written in a unit a plugin declares (``min = "-14 °C"``)."""
    obj = ctx.ensure_object(dict)
    if "plugins_host" not in obj:
        from mesosim.plugin.host import load_host

        obj["plugins_host"] = load_host(
            only=obj.get("plugins", ()), blocked=obj.get("no_plugins", ()),
            autoload=False if obj.get("no_autoload") else None, cache=True)
    got: PluginHost = obj["plugins_host"]
    return got


def _host(ctx: click.Context) -> PluginHost:
    """The plugins with the configuration's overrides (lazily: ``--version`` and ``--help``
    skip it)."""
    obj = ctx.ensure_object(dict)
    if "host" not in obj:
        host = _plugins(ctx)
        config = obj.get("config")
        if config is not None:
            from mesosim.config import check_codes
            from mesosim.errors import ConfigError
            from mesosim.overrides import apply_overrides

            try:  # a bad override or rule code is a usage error with file:line (exit 2)
                check_codes(config, host.catalog)
                host = host.with_catalog(apply_overrides(host.catalog, config.overrides))
            except ConfigError as exc:
                raise ConfigProblem(str(exc)) from None
        obj["host"] = host
        _startup_done()
    got: PluginHost = obj["host"]
    return got


def _startup_done() -> None:
    """End of start-up: move what the imports and the plugins built out of the collector's
    reach (``gc.freeze``) and let it run again for the work on the files. During start-up
    nothing is garbage, yet the collector runs dozens of times over the growing heap of
    modules and classes. Turned off there (:func:`main`) and frozen after, ``mesosim check`` on
    one small file took 77 ms instead of 85 (median of 60 paired runs, +0.5 MiB peak)."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mesosim")
@click.option("-p", "--plugin", "plugins", multiple=True, metavar="NAME",
              help="Load this third-party plugin even when autoload is disabled.")
@click.option("--no-plugin", "no_plugins", multiple=True, metavar="NAME",
              help="Never load this plugin.")
@click.option("--disable-plugin-autoload", "no_autoload", is_flag=True,
              help="Load no third-party plugin (as MESOSIM_DISABLE_PLUGIN_AUTOLOAD=1).")
@click.option("--config", "config_file", type=FILE, default=None,
              help="Configuration file (mesosim.toml or pyproject.toml); default: found by "
              "walking up from the checked paths.")
@click.option("--debug", is_flag=True, envvar="MESOSIM_DEBUG",
              help="Print the traceback when mesosim itself fails (a bug), to report it.")
@click.pass_context
def cli(ctx: click.Context, plugins: tuple[str, ...], no_plugins: tuple[str, ...],
        no_autoload: bool, config_file: str | None, debug: bool) -> None:
    """Validate and simulate mesotherapy treatment protocols.

    mesosim is a training and validation tool. Its figures come from two general-audience
    articles (see the README); it is not medical advice.
    """
    obj = ctx.ensure_object(dict)
    obj.update(plugins=plugins, no_plugins=no_plugins, no_autoload=no_autoload,
               config_file=config_file)
    if debug:  # the workers and the library read it too
        os.environ["MESOSIM_DEBUG"] = "1"


def _set_config_file(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["config_file"] = value


#: ``--config`` on a subcommand as well as on the group: ``mesosim check --config F`` reads as
#: people type it (ruff, yamllint); both set the same value.
config_option = click.option(
    "--config", type=FILE, default=None, expose_value=False,
    is_eager=True, callback=_set_config_file, metavar="FILE",
    help="Configuration file (mesosim.toml, pyproject.toml or any TOML file with the settings "
    "at top level); default: found by walking up from the checked paths.")


def _codes_option(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
                  ) -> tuple[str, ...]:
    from mesosim.config import CODE_OR_PREFIX

    codes = tuple(c.strip().upper() for v in value for c in v.split(",") if c.strip())
    bad = [c for c in codes if not CODE_OR_PREFIX.fullmatch(c)]
    if bad:
        raise click.BadParameter(f"'{bad[0]}' is not a rule code or prefix (e.g. MS401, MS4)")
    return codes


def _known_codes(host: PluginHost, codes: tuple[str, ...], hint: str) -> None:
    """A code or prefix on the command line must match a loaded rule, as in the configuration:
    a typo would otherwise select or ignore nothing, without a word."""
    from mesosim._text import did_you_mean

    for code in codes:
        if not any(r.startswith(code) for r in host.catalog.rules):
            close = did_you_mean(code, host.catalog.rules)
            raise click.BadParameter(f"'{code}' matches no rule" + (
                f"; did you mean {close}?" if close else "; see 'mesosim rules'"),
                param_hint=hint)


def _load_config(ctx: click.Context, paths: tuple[str, ...]) -> Any:
    from mesosim.config import find_config, load_config
    from mesosim.errors import ConfigError

    obj = ctx.ensure_object(dict)
    name = obj.get("config_file")
    if name is not None and not os.path.isfile(name):
        raise click.BadParameter(f"no such file: {name}", param_hint="--config")
    found = name or find_config(paths or (".",))
    if found:
        _plugins(ctx)  # their units first: an override may be written in one
    try:
        config = load_config(found) if found else None
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    obj["config"] = config
    return config


@cli.command()
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
    from attrs import evolve

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


def _use_color(mode: str, output: str | None) -> bool:
    """``always``/``never`` as said; ``auto``: FORCE_COLOR (non-empty) forces it, NO_COLOR
    (non-empty) turns it off, else colour on a terminal only, never into a file or a pipe."""
    if mode != "auto":
        return mode == "always"
    if output is not None:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


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


def _fragment_maker(host: PluginHost) -> Any:
    """What draws one protocol's part of an HTML report, where the file is checked."""
    from functools import partial

    from mesosim.report.html import fragment

    return partial(fragment, catalog=host.catalog)


def _check_output(output: str | None, hint: str = "--output") -> None:
    """Refuse, before any work, an output mesosim cannot or must not write (exit 2)."""
    if output is None:
        return
    if not output.strip():
        raise click.BadParameter("an empty file name", param_hint=hint)
    from mesosim.atomic import output_problem

    problem = output_problem(output)
    if problem is not None:
        raise click.BadParameter(f"cannot write '{output}': {problem}", param_hint=hint)
    if os.path.basename(output) in ("mesosim.toml", "pyproject.toml") or (
            os.path.realpath(output) in _inputs()):
        raise click.BadParameter(f"'{output}' is a configuration or an assignment mesosim "
                                 "reads; it never writes a report over one", param_hint=hint)


def _inputs() -> set[str]:
    """The configuration and assignment files named on the command line (resolved)."""
    ctx = click.get_current_context(silent=True)
    out: set[str] = set()
    while ctx is not None:
        for key in ("config_file", "assignment"):
            value = (ctx.obj or {}).get(key) if key == "config_file" else ctx.params.get(key)
            if value:
                out.add(os.path.realpath(value))
        ctx = ctx.parent
    return out


def _refuse_input_as_output(output: str, files: list[str]) -> None:
    """Never write over a protocol: ``--output`` may not name a checked file (``files``, what
    :func:`~mesosim.runner.collect_files` found; a report of mesosim's own found in a folder
    is not one: it is never checked)."""
    _check_output(output)
    target = os.path.realpath(output)
    name = os.path.basename(target)
    for f in files:
        # a path resolves to the output only if its last name is the output's or it is itself
        # a link (a linked folder keeps the name): the other files need no realpath, 0.3 s of
        # a 10,000-file check before (speed round 2)
        if (os.path.basename(f) == name or os.path.islink(f)) and os.path.realpath(f) == target:
            raise click.BadParameter(f"'{output}' is one of the checked files; mesosim never "
                                     "writes over a protocol", param_hint="--output")


def _check_outputs(protocol: str, output: str | None, ics: str | None) -> None:
    """``-o`` and ``--ics`` of a command that reads one protocol: never the protocol itself,
    never the same file, each writable (exit 2 before any work)."""
    for target, hint in ((ics, "--ics"), (output, "--output")):
        if target is not None and os.path.realpath(target) == os.path.realpath(protocol):
            raise click.BadParameter(f"'{target}' is the protocol itself; mesosim never writes "
                                     "over a protocol", param_hint=hint)
    if ics is not None and output is not None and os.path.realpath(ics) == os.path.realpath(output):
        raise click.BadParameter("--ics and --output name the same file", param_hint="--ics")
    _check_output(output)
    _check_output(ics, "--ics")


def _emit(text: str, output: str | None, color: bool | None = None) -> None:
    if output is None:
        # click strips colour codes off a pipe unless told: --color always means always
        click.echo(text, nl=False, color=color)
        return
    from mesosim.atomic import write_atomic

    try:
        write_atomic(output, text)
    except OSError as exc:
        raise OutputProblem(f"could not write {output}: {exc.strerror or exc}") from None


@cli.command("simulate")
@click.argument("protocol", type=EXISTING_FILE)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "html"]),
              default="text",
              show_default=True, help="text: a readable timeline; json: the full trace.")
@click.option("--ics", type=FILE, default=None, metavar="FILE",
              help="Also write the course as an iCalendar file (sessions, restriction windows).")
@click.option("--session-time", default="09:00", show_default=True, metavar="HH:MM",
              help="Time of day of the sessions in the --ics calendar (protocols give dates).")
@click.option("-o", "--output", type=FILE, default=None,
              help="Write the timeline or trace to FILE (atomically) instead of standard output.")
@click.pass_context
def simulate_cmd(ctx: click.Context, protocol: str, fmt: str, ics: str | None, session_time: str,
                 output: str | None) -> None:
    """Play a protocol forward: its calendar, its session minute by minute, its windows."""
    import datetime as _dt

    from mesosim.options import Options
    from mesosim.report.timeline import render_json, render_timeline
    from mesosim.runner import simulate_file

    _check_outputs(protocol, output, ics)
    try:
        at = _dt.time.fromisoformat(session_time)
    except ValueError:
        raise click.BadParameter(f"'{session_time}' is not a time of day such as 09:30",
                                 param_hint="--session-time") from None
    config = _load_config(ctx, (protocol,))
    host = _host(ctx)
    sim = simulate_file(protocol, host, config.options if config is not None else Options())
    color = output is None and fmt == "text" and sys.stdout.isatty() and not os.environ.get(
        "NO_COLOR")
    if fmt == "html":
        from mesosim.report.html import render_simulation

        _emit(render_simulation(sim, host.catalog), output)
    else:
        _emit(render_json(sim) if fmt == "json" else render_timeline(sim, host.catalog, color),
              output)
    if ics is not None:
        if sim.trace is None:
            click.echo(f"mesosim: no calendar written to {ics}: the protocol could not be "
                       "simulated", err=True)
        else:
            from mesosim.atomic import write_atomic
            from mesosim.report.ics import calendar_ics

            try:
                write_atomic(ics, calendar_ics(sim, at))
            except OSError as exc:
                raise OutputProblem(f"could not write {ics}: {exc.strerror or exc}") from None
    ctx.exit(sim.exit_code)


def _plan_option(kind: str) -> Any:
    """A click callback reading ``--done``/``--closed`` (dates), ``--clinic-days`` (weekdays) or
    ``--until``/``--from`` (one date) into values, or a usage error (exit 2)."""

    def read(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
        if value is None:
            return None
        from mesosim.planner import parse_dates, parse_weekdays

        try:
            if kind == "weekdays":
                return parse_weekdays(value)
            got = parse_dates(value, unique=kind == "sessions")
            if kind == "date" and len(got) != 1:
                raise ValueError(f"'{value}' is not one date (YYYY-MM-DD)")
            return got[0] if kind == "date" else got
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return read


@cli.command("plan")
@click.argument("protocol", type=EXISTING_FILE)
@click.option("--until", callback=_plan_option("date"), metavar="DATE",
              help="The latest day the last session may take (default: a year after the "
                   "protocol's own last session).")
@click.option("--done", callback=_plan_option("sessions"), metavar="DATE,...",
              help="Sessions already given: kept as they are, counted among the course's.")
@click.option("--from", "start", callback=_plan_option("date"), metavar="DATE",
              help="The first day a session still to give may take (today, when re-planning "
                   "after a missed session; default: the course's start).")
@click.option("--clinic-days", callback=_plan_option("weekdays"), metavar="DAYS",
              help="The clinic's working days: mon,tue,... or mon-fri (default: every day).")
@click.option("--closed", callback=_plan_option("dates"), metavar="DATE,...",
              help="Days the clinic is closed: dates or ranges (2026-12-24..2027-01-02).")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text: the calendar with the reason for every shift.")
@click.option("-o", "--output", type=FILE, default=None, metavar="FILE",
              help="Write the protocol with the planned dates to FILE (comments and other keys "
                   "kept; the input is never written).")
@click.option("--ics", type=FILE, default=None, metavar="FILE",
              help="Also write the planned course as an iCalendar file.")
@click.pass_context
def plan_cmd(ctx: click.Context, protocol: str, until: Any, done: Any, start: Any,
             clinic_days: Any, closed: Any, fmt: str, output: str | None,
             ics: str | None) -> None:
    """Plan the course around the patient's plans and the clinic: the calendar that finishes
    earliest with every interval in range and no plan in a before- or aftercare window.
    Exit 1 when none exists (saying what would make one possible)."""
    from mesosim.options import Options
    from mesosim.planner import WEEKDAYS, PlanError, plan_file
    from mesosim.report.plan import render_json, render_text

    _check_outputs(protocol, output, ics)
    config = _load_config(ctx, (protocol,))
    host = _host(ctx)
    try:
        planned = plan_file(protocol, host.catalog, host,
                            config.options if config is not None else Options(),
                            until=until, done=done or (), start=start,
                            clinic_days=clinic_days or WEEKDAYS, closed=closed or ())
    except PlanError as exc:  # an option that contradicts the protocol: a usage error
        raise click.BadParameter(str(exc), param_hint=exc.option) from None
    click.echo(render_json(planned) if fmt == "json" else render_text(planned), nl=False)
    if planned.result is None or not planned.result.feasible:
        for target in (output, ics):
            if target is not None:
                click.echo(f"mesosim: nothing written to {target}: no calendar", err=True)
        ctx.exit(planned.outcome.exit_code if planned.result is None and
                 planned.outcome.exit_code > 1 else 1)
    if output is not None and planned.text is None:  # a layout the rewrite does not handle
        click.echo(f"mesosim: nothing written to {output}: {planned.error}", err=True)
        ctx.exit(1)
    from mesosim.atomic import write_atomic

    try:
        if output is not None and planned.text is not None:
            write_atomic(output, planned.text)
        if ics is not None and planned.written is not None:
            from mesosim.report.ics import calendar_ics

            write_atomic(ics, calendar_ics(planned.written))
    except OSError as exc:
        raise OutputProblem(f"could not write: {exc.strerror or exc}") from None


@cli.command()
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.pass_context
def rules(ctx: click.Context, fmt: str) -> None:
    """List every rule: code, kind, default severity, summary."""
    catalog = _host(ctx).catalog
    if fmt == "json":
        import json

        click.echo(json.dumps({"version": 1, "rules": [
            {"code": r.code, "name": r.name, "kind": r.kind, "severity": r.severity,
             "summary": r.summary, "explanation": r.explanation, "origin": r.origin}
            for r in sorted(catalog.rules.values(), key=lambda r: r.code)]}, indent=2,
            ensure_ascii=False))
        return
    for r in sorted(catalog.rules.values(), key=lambda r: r.code):
        origin = "" if r.origin == "core" else f"  (plugin {r.origin})"
        click.echo(f"{r.code}  {r.kind:<18} {r.severity:<8} {r.summary}{origin}")


@cli.command()
@click.argument("code")
@config_option
@click.pass_context
def explain(ctx: click.Context, code: str) -> None:
    """Explain one rule, with the techniques' figures and sources it applies; where the
    configuration in force changes the rule's severity, ignores it or overrides a figure, it
    says so and names the file and line."""
    from mesosim.describe import explain_rule

    config = _load_config(ctx, (".",))
    catalog = _host(ctx).catalog
    code = code.upper()
    text = explain_rule(catalog, code, _in_force(config, code))
    if text is None:
        from mesosim._text import did_you_mean

        hint = did_you_mean(code, catalog.rules)
        raise click.BadParameter(f"no rule '{code}'" + (f"; did you mean {hint}?" if hint else
                                                        "; see 'mesosim rules'"),
                                 param_hint="CODE")
    click.echo(text)


def _in_force(config: Any, code: str) -> list[str]:
    """What the configuration does to rule ``code``, each with its file and line."""
    if config is None:
        return []
    o, origins = config.options, config.origins
    out = []
    if code in o.severity:
        out.append(f"severity {o.severity[code]}, set by "
                   f"{origins.get(f'severity.{code}', config.path)}")
    if o.select and not any(code.startswith(c) for c in o.select):
        out.append(f"not reported: 'select' leaves it out ({origins.get('select', config.path)})")
    if any(code.startswith(c) for c in o.ignore):
        out.append(f"not reported: 'ignore' names it ({origins.get('ignore', config.path)})")
    for glob, codes in o.per_file_ignores.items():
        if any(code.startswith(c) for c in codes):
            out.append(f"not reported in files matching {glob} "
                       f"({origins.get(f'per-file-ignores.{glob}', config.path)})")
    if any(code.startswith(c) for c in o.unsuppressable):
        out.append(f"no comment may suppress it ({origins.get('unsuppressable', config.path)})")
    return out


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def techniques(ctx: click.Context, as_json: bool) -> None:
    """List the loaded techniques with their plugin, distribution and version."""
    if ctx.invoked_subcommand is not None:
        return
    from mesosim.describe import plugins_as_dict

    catalog = _host(ctx).catalog
    if as_json:
        import json

        click.echo(json.dumps(plugins_as_dict(catalog), indent=2))
        return
    for t in sorted(catalog.techniques.values(), key=lambda t: t.name):
        click.echo(f"{t.name:<18} {t.plugin} ({t.distribution} {t.version})  {t.description}")
    for p in catalog.plugins:
        if p.status != "loaded":
            click.echo(f"[{p.status}] {p.name} ({p.distribution} {p.version}): {p.reason}")
    if any(p.status == "refused" for p in catalog.plugins):
        ctx.exit(3)


@techniques.command("show")
@click.argument("name")
@click.option("--zone", default=None, help="Also show what is in force on this zone.")
@click.option("--setting", type=click.Choice(["clinic", "home"]), default=None,
              help="... in this setting.")
@click.option("--course", type=click.Choice(["intensive", "maintenance"]), default=None,
              help="... for this kind of course.")
@click.pass_context
def techniques_show(ctx: click.Context, name: str, zone: str | None, setting: str | None,
                    course: str | None) -> None:
    """Show a technique's steps, graph and ranges, each with its source; with --zone, --setting
    or --course, also which declarations are in force there and which they replace."""
    from mesosim.describe import show_technique

    parent = ctx.parent if ctx.parent is not None else ctx
    paths_ctx = parent.parent if parent.parent is not None else parent
    _load_config(paths_ctx, (".",))
    catalog = _host(paths_ctx).catalog
    tech = catalog.techniques.get(name)
    if tech is None:
        from mesosim._text import did_you_mean

        hint = did_you_mean(name, catalog.techniques)
        raise click.BadParameter(f"no technique '{name}'" + (f"; did you mean '{hint}'?" if hint
                                 else f"; loaded: {', '.join(sorted(catalog.techniques))}"),
                                 param_hint="NAME")
    if zone is not None and zone not in catalog.zones:
        raise click.BadParameter(f"no zone '{zone}'; zones: {', '.join(sorted(catalog.zones))}",
                                 param_hint="--zone")
    click.echo(show_technique(catalog, tech, zone, setting, course))


@cli.command()
@click.argument("refs", nargs=-1, metavar="[REF]...")
@click.option("--markdown", is_flag=True, help="Print docs/sources.md: every claim, by topic.")
@click.pass_context
def sources(ctx: click.Context, refs: tuple[str, ...], markdown: bool) -> None:
    """The sources mesosim cites, or what a cited line says (REF: 002:11, 000:98...)."""
    from mesosim.describe import show_sources, sources_markdown

    if markdown:
        click.echo(sources_markdown(), nl=False)
        return
    text, ok = show_sources(_host(ctx).catalog, refs)
    click.echo(text)
    if not ok:
        ctx.exit(1)


@cli.command()
@click.pass_context
def vocabulary(ctx: click.Context) -> None:
    """List the shared vocabulary: steps (with parameters), conditions, activities."""
    from mesosim.describe import show_vocabulary

    click.echo(show_vocabulary(_host(ctx).catalog))


@cli.command()
@click.option("-o", "--output", type=FILE, default=None,
              help="Write the schema to FILE.")
@click.pass_context
def schema(ctx: click.Context, output: str | None) -> None:
    """Print the JSON Schema of the protocol format (for editors)."""
    import json

    from mesosim.schema import protocol_schema

    _check_output(output)
    _emit(json.dumps(protocol_schema(_host(ctx).catalog), indent=2) + "\n", output)


@cli.command("config")
@click.argument("path", required=False, default=".")
@config_option
@click.pass_context
def config_cmd(ctx: click.Context, path: str) -> None:
    """Print the configuration in force for PATH (default: here) and where each value came from."""
    from mesosim.config import describe

    if not os.path.exists(path):
        raise click.BadParameter(f"no such file or directory: {path}", param_hint="PATH")
    config = _load_config(ctx, (path,))
    _host(ctx)  # validates the rule codes and the overrides against the loaded plugins
    click.echo(describe(config), nl=False)


@cli.command("new")
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


@cli.command("class")
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


def _inside(path: str, folder: str, depth: int = 0) -> bool:
    """Whether ``path`` lies under ``folder``, at least ``depth`` folders down."""
    p, f = os.path.realpath(path), os.path.realpath(folder)
    if os.path.commonpath([p, f]) != f or p == f:
        return False
    return len(os.path.relpath(p, f).split(os.sep)) > depth


def main() -> None:
    """Console-script entry point: every way a run can end becomes one of the documented exit
    codes with at most one line on stderr, never a traceback (unless ``--debug``)."""
    import gc

    gc.disable()  # until the plugins are loaded: see _startup_done
    for name in ("stdout", "stderr"):  # started with a stream closed (`>&-`): write nowhere
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    from mesosim._codecache import install

    try:
        # before the first class (the console script, mesosim.__main__, installed it before
        # click: this returns its saver): mesosim/_codecache.py
        save_code = install(__version__)
    except Exception:  # noqa: BLE001 - a cache may only make a run faster, never fail it
        save_code = None
    code = run_main(sys.argv[1:])
    try:
        if save_code is not None:
            save_code()
    except Exception:  # noqa: BLE001 - as above
        pass
    # Leave without the interpreter's teardown (freeing every module and object one by one:
    # ~3 ms of a one-file check, measured paired, speed round 2). Everything mesosim writes is
    # closed by now (reports are written and renamed atomically; worker pools are shut down);
    # what others registered to run at exit (a plugin's handler, coverage saving its data)
    # still runs, then the standard streams are flushed. A flush that fails (a closed pipe)
    # takes the ordinary exit, whose handling of a broken pipe is the documented one.
    try:
        import atexit

        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - any failure: the ordinary exit handles it
        sys.exit(code)
    os._exit(code)


def _bare_color(args: list[str]) -> list[str]:
    """``--color`` alone means ``--color always`` (as GNU tools read ``--color[=WHEN]``); a
    following ``auto``, ``always`` or ``never`` is its value."""
    out = list(args)
    for i, a in enumerate(out):
        if a == "--":
            break
        if a == "--color" and (i + 1 == len(out) or out[i + 1] not in ("auto", "always", "never")):
            out[i] = "--color=always"
    return out


def run_main(args: list[str]) -> int:
    """Run the command line on ``args`` and return its exit code (what :func:`main` exits with)."""
    from mesosim.results import EXIT_USAGE

    args = _bare_color(args)
    try:
        try:
            code = cli.main(args=args, prog_name="mesosim", standalone_mode=False)
        finally:
            sys.stdout.flush()
    except click.exceptions.Exit as exc:  # pragma: no cover - standalone_mode=False returns it
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        _say("mesosim: interrupted")
        return 130
    except BrokenPipeError:  # `mesosim check . | head`: the reader is gone, not an error of ours
        _silence_stdout()
        return 0
    except OSError as exc:
        if exc.filename is None and exc.errno is not None:  # the standard output itself failed
            _silence_stdout()
            _say(f"mesosim: cannot write the output: {exc.strerror or exc}")
            return EXIT_USAGE
        return _internal(exc)
    except Exception as exc:  # noqa: BLE001 - a bug: one line and exit 4, never a traceback
        return _internal(exc)
    return code if isinstance(code, int) else 0


def _internal(exc: BaseException) -> int:
    from mesosim.results import EXIT_INTERNAL

    if os.environ.get("MESOSIM_DEBUG"):
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    _say(f"mesosim: internal error ({type(exc).__name__}: {exc}); this is a bug in mesosim: "
         "please report it with the command and the files (--debug shows the traceback)")
    return EXIT_INTERNAL


def _say(line: str) -> None:
    try:
        print(line, file=sys.stderr)
    except OSError:
        pass


def _silence_stdout() -> None:
    """Point the standard output at /dev/null so that the interpreter's final flush does not
    print a traceback about the broken or full stream."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
