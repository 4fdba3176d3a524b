"""mesosim's command line: parse options, call library functions, print, exit.

This module holds the group, its options and :func:`main`; each command lives in a module of
this package (``check``; ``course``: simulate, plan; ``info``: rules, explain, techniques,
sources, vocabulary, schema, config; ``authoring``: new, class), imported when it runs;
``_common`` holds what they share.

Exit codes: 0 no error finding; 1 at least one error finding; 2 usage error (bad option, a path
that does not exist, a bad configuration, an output that cannot be written); 3 a plugin failed
(refused at load, or raised while checking); 4 mesosim itself failed (a bug: one line names it
and asks for a report; ``--debug`` or ``MESOSIM_DEBUG=1`` prints the traceback); 130
interrupted (Ctrl-C).
"""

from __future__ import annotations

import os
import sys

import click

from mesosim import __version__
from mesosim.cli._common import FILE, _say

#: each command's name -> (its module in this package, its function): a command's module is
#: imported only when it runs (or for --help), as click documents for lazy subcommands: the
#: options of the eleven other commands cost 0.6% of a one-file check (speed round 2,
#: instruction counts under callgrind).
COMMANDS = {
    "check": ("check", "check"),
    "simulate": ("course", "simulate_cmd"),
    "plan": ("course", "plan_cmd"),
    "rules": ("info", "rules"),
    "explain": ("info", "explain"),
    "techniques": ("info", "techniques"),
    "sources": ("info", "sources"),
    "vocabulary": ("info", "vocabulary"),
    "schema": ("info", "schema"),
    "config": ("info", "config_cmd"),
    "new": ("authoring", "new_cmd"),
    "class": ("authoring", "class_cmd"),
}


class LazyGroup(click.Group):
    """A group whose commands are imported by name when asked for (click's own pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        # a name that is no command: every command loaded, for click's "did you mean", which
        # looks among the loaded ones
        for wanted in (cmd_name,) if cmd_name in COMMANDS else tuple(COMMANDS):
            if wanted not in self.commands:
                import importlib

                module, name = COMMANDS[wanted]
                command = getattr(importlib.import_module(f"mesosim.cli.{module}"), name)
                self.add_command(command, wanted)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


def main() -> None:
    """Console-script entry point: every way a run can end becomes one of the documented exit
    codes with at most one line on stderr, never a traceback (unless ``--debug``)."""
    import gc

    gc.disable()  # until the plugins are loaded: see mesosim.cli._common._startup_done
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


def _silence_stdout() -> None:
    """Point the standard output at /dev/null so that the interpreter's final flush does not
    print a traceback about the broken or full stream."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
