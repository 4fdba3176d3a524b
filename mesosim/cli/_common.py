"""What the commands of :mod:`mesosim.cli` share: the plugin host of an invocation, its
configuration, the ``--config`` and rule-code options, and writing an output."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from mesosim.plugin.host import HostRecipe, PluginHost

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


def _inside(path: str, folder: str, depth: int = 0) -> bool:
    """Whether ``path`` lies under ``folder``, at least ``depth`` folders down."""
    p, f = os.path.realpath(path), os.path.realpath(folder)
    if os.path.commonpath([p, f]) != f or p == f:
        return False
    return len(os.path.relpath(p, f).split(os.sep)) > depth


def _say(line: str) -> None:
    try:
        print(line, file=sys.stderr)
    except OSError:
        pass
