"""Check files and folders: the service the command line calls (layer 5).

Everything the CLI does is callable from here: :func:`check_paths` for many files (in worker
processes when asked), :func:`check_file` and :func:`check_text` for one, :func:`simulate_file`
for one file with its model and trace kept. Each file goes through the one pipeline
(:func:`mesosim.pipeline.run_document`) with the host's catalog and the host's plugin checks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from mesosim.options import Options, path_matches
from mesosim.pipeline import run_document
from mesosim.results import (
    EXIT_ERRORS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_PLUGIN,
    EXIT_USAGE,
    REPORT_VERSION,
    FileResult,
    Outcome,
    Report,
)

if TYPE_CHECKING:
    from mesosim.findings import Finding
    from mesosim.plugin.host import HostRecipe, PluginHost

__all__ = [
    "AUTO_JOBS_MIN_FILES", "EXIT_ERRORS", "EXIT_INTERNAL", "EXIT_OK", "EXIT_PLUGIN", "EXIT_USAGE",
    "REPORT_VERSION",
    "FileResult", "Options", "Report", "check_file", "check_files", "check_paths", "check_text",
    "collect_files", "path_matches",
    "simulate_file",
]

#: ``--jobs 0`` (the default) checks in parallel from this many files on: where two workers
#: start to beat one on a 2-CPU machine (`python bench/run.py`: even at 200 files, 1.1x as
#: fast at 400; speed round 2)
AUTO_JOBS_MIN_FILES: Final = 300


def check_file(path: str, host: PluginHost, options: Options | None = None) -> FileResult:
    """Load and check one file. Never raises for bad content."""
    return simulate_file(path, host, options).result


def simulate_file(path: str, host: PluginHost, options: Options | None = None) -> Outcome:
    """Load, check and simulate one file: its result with the protocol model, technique and
    trace (``None`` where the file did not get that far). Never raises for bad content."""
    options = options or Options()
    try:
        return run_document((_LOADER or _loader()).load_file(path, options.max_bytes),
                            host.catalog, options, host)
    except Exception as exc:  # noqa: BLE001 - a bug must cost one file, never the others
        return Outcome(FileResult(path, (internal_error(path, exc),)))


def _loader() -> Any:
    """:mod:`mesosim.loader`, imported on the first file (not with this module: it brings
    PyYAML) and kept, as :func:`mesosim.pipeline.run_document` keeps its stages."""
    global _LOADER
    from mesosim import loader

    _LOADER = loader
    return _LOADER


_LOADER: Any = None


def internal_error(path: str, exc: BaseException) -> Finding:
    """The MS009 finding for a file mesosim failed on (a bug); the traceback goes to stderr
    only with ``--debug`` or ``MESOSIM_DEBUG``."""
    import os
    import sys
    import traceback

    from mesosim.findings import Finding
    from mesosim.rules import INTERNAL_ERROR

    if os.environ.get("MESOSIM_DEBUG"):
        traceback.print_exception(exc, file=sys.stderr)
    where = ""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        where = f" in {os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
    return Finding(INTERNAL_ERROR, "internal-error", "error", path, 1, 1,
                   f"mesosim failed while checking this file ({type(exc).__name__}{where}); "
                   "this is a bug in mesosim, not in the file: please report it with the file",
                   source="mesosim",
                   suggestion="run 'mesosim --debug check FILE' for the traceback")


def check_text(text: str, host: PluginHost, path: str = "<string>",
               options: Options | None = None) -> FileResult:
    """Check protocol text (YAML, or JSON when ``path`` ends in ``.json``)."""
    from mesosim.loader import load_text

    try:
        return run_document(load_text(text, path), host.catalog, options, host).result
    except Exception as exc:  # noqa: BLE001 - as check_file
        return FileResult(path, (internal_error(path, exc),))


_WORKER_HOST: PluginHost | None = None
#: what a forked worker also makes of each file's outcome (an HTML report's fragment)
_WORKER_EACH: Callable[[Outcome], Any] | None = None


def _worker_init(recipe: HostRecipe) -> None:
    global _WORKER_HOST
    _WORKER_HOST = recipe.build()


def _worker_check(args: tuple[str, Options]) -> FileResult | tuple[FileResult, Any]:
    assert _WORKER_HOST is not None
    if _WORKER_EACH is None:
        return check_file(args[0], _WORKER_HOST, args[1])
    outcome = simulate_file(args[0], _WORKER_HOST, args[1])
    return outcome.result, _WORKER_EACH(outcome)


_PROTOCOL_KEYS: Final = ("technique", "zone", "patient", "course", "session", "aftercare")


def looks_like_protocol(path: str, limit: int = 1 << 16) -> bool:
    """Whether a YAML or JSON file is a protocol for ``--protocols-only`` (the pre-commit hook,
    handed every staged YAML and JSON file): one that says so (a top-level ``mesosim:`` key),
    or one that lacks the key but has two of a protocol's top-level keys (``technique``,
    ``session``...), which is then checked and told what it lacks. A workflow, a
    ``.pre-commit-config.yaml`` or a ``package.json`` is left alone."""
    import re

    try:
        with open(path, "rb") as fh:
            head = fh.read(limit).decode("utf-8", "replace")
    except OSError:
        return True  # unreadable: checking it says why
    if path.lower().endswith(".json"):
        keys = set(re.findall(r'"([a-z_]+)"\s*:', head))
    else:
        keys = set(re.findall(r"^([a-z_]+)[ \t]*:", head, re.M))
    return "mesosim" in keys or len(keys & set(_PROTOCOL_KEYS)) >= 2


def collect_files(paths: Sequence[str], options: Options) -> list[str]:
    """The protocol files under ``paths`` that ``options`` does not exclude, sorted. A JSON
    report mesosim wrote (``-o report.json``) found in a folder is never a protocol: it is left
    out (a file named on the command line is always checked)."""
    import os

    from mesosim.atomic import is_mesosim_report
    from mesosim.loader import iter_files

    named = {os.path.normpath(p) for p in paths if not os.path.isdir(p)}
    return sorted({f for f in iter_files(list(paths)) if not options.excluded(f)
                   and (os.path.normpath(f) in named or not f.lower().endswith(".json")
                        or not is_mesosim_report(f))})


def check_paths(paths: Sequence[str], host: PluginHost, options: Options | None = None,
                jobs: int = 1, recipe: HostRecipe | None = None,
                each: Callable[[Outcome], Any] | None = None,
                extras: dict[str, Any] | None = None) -> Report:
    """Check every protocol file under ``paths`` (:func:`collect_files`: folders walked,
    ``options``'s exclusions applied); results are sorted by path whatever ``jobs``. The other
    arguments are :func:`check_files`'s."""
    options = options or Options()
    return check_files(collect_files(paths, options), host, options, jobs, recipe, each, extras)


def check_files(files: Sequence[str], host: PluginHost, options: Options | None = None,
                jobs: int = 1, recipe: HostRecipe | None = None,
                each: Callable[[Outcome], Any] | None = None,
                extras: dict[str, Any] | None = None) -> Report:
    """Check ``files`` as given (no folder walked, no exclusion applied: what
    :func:`collect_files` returns); results are sorted by path whatever ``jobs``.

    With ``jobs > 1`` files are checked in worker processes; ``jobs=0`` picks one worker per CPU
    when there are at least :data:`AUTO_JOBS_MIN_FILES` files (below that, starting workers costs
    more than it saves), else one. ``recipe`` says how a spawned worker builds its host again
    (which plugins, which overrides); forked workers inherit ``host`` as it is.

    ``each``, when given, is applied to each file's whole outcome (protocol, technique,
    trace) where the file is checked, in a worker or here, and what it returns is put in
    ``extras`` by path: an HTML report's pictures are drawn in parallel that way. Workers are
    then forked (elsewhere the files are checked in this process: ``each`` need not pickle).
    """
    import os

    options = options or Options()
    files = list(files)
    if jobs == 0:
        jobs = (os.cpu_count() or 1) if len(files) >= AUTO_JOBS_MIN_FILES else 1
    if each is not None and not _can_fork():
        jobs = 1
    extras = extras if extras is not None else {}
    if jobs > 1 and len(files) > 1:
        results = _check_in_pool(files, host, options, jobs, recipe, each, extras)
    elif each is not None:
        results = []
        for f in files:
            outcome = simulate_file(f, host, options)
            extras[f] = each(outcome)
            results.append(outcome.result)
    else:
        results = [check_file(f, host, options) for f in files]
    return Report(tuple(sorted(results, key=lambda r: r.path)), host.catalog.plugins)


def _can_fork() -> bool:
    import multiprocessing
    import sys

    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def _check_in_pool(files: list[str], host: PluginHost, options: Options, jobs: int,
                   recipe: HostRecipe | None, each: Callable[[Outcome], Any] | None = None,
                   extras: dict[str, Any] | None = None) -> list[FileResult]:
    """Check ``files`` in ``jobs`` worker processes.

    On Linux the workers are forked and inherit the host exactly as the parent built it
    (plugins, overrides), instead of each loading every plugin again: with spawn, four workers
    cost ~1.3 s of start-up, more than checking the whole gallery. Elsewhere fork is unsafe
    (macOS) or missing (Windows), and each spawned worker builds its host from ``recipe``.

    A worker that dies (a plugin calling ``os._exit``, a crash) never hangs the run: the files
    it had not finished are checked again one by one in fresh workers, and a file that kills
    its worker again gets a plugin-error finding (MS901) instead of a result.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from mesosim.plugin.host import HostRecipe

    global _WORKER_HOST, _WORKER_EACH
    chunksize = max(1, len(files) // (jobs * 8))
    fork = _can_fork()
    extras = extras if extras is not None else {}

    def keep(f: str, got: FileResult | tuple[FileResult, Any]) -> FileResult:
        if isinstance(got, tuple):
            extras[f] = got[1]
            return got[0]
        return got

    def pool(n: int) -> ProcessPoolExecutor:
        if fork:
            return ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"))
        return ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_init, initargs=(recipe or HostRecipe(),))

    saved = _WORKER_HOST, _WORKER_EACH
    if fork:
        _WORKER_HOST, _WORKER_EACH = host, each
    try:
        done: list[FileResult] = []
        try:
            with pool(jobs) as executor:
                for f, got in zip(files, executor.map(
                        _worker_check, [(f, options) for f in files], chunksize=chunksize),
                        strict=False):
                    done.append(keep(f, got))
            return done
        except BrokenProcessPool:
            pass
        # a worker died: check what is left one file at a time, each in a fresh worker
        for f in files[len(done):]:
            try:
                with pool(1) as executor:
                    done.append(keep(f, executor.submit(_worker_check, (f, options)).result()))
            except BrokenProcessPool:
                done.append(_died(f))
        return done
    finally:
        _WORKER_HOST, _WORKER_EACH = saved


def _died(path: str) -> FileResult:
    from mesosim.findings import Finding
    from mesosim.results import HookFailure
    from mesosim.rules import PLUGIN_FAILED

    why = "the process checking this file ended abruptly (a plugin called os._exit or crashed)"
    return FileResult(path, (Finding(PLUGIN_FAILED, "plugin-error", "error", path, 1, 1,
                                     f"{why}; the other files are still checked",
                                     source="mesosim"),),
                      (HookFailure("?", "mesosim_check", why),))
