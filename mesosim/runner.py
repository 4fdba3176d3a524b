"""Check files and folders: the service the command line calls (layer 5).

Everything the CLI does is callable from here: :func:`check_paths` for many files (in worker
processes when asked), :func:`check_file` and :func:`check_text` for one, :func:`simulate_file`
for one file with its model and trace kept. Each file goes through the one pipeline
(:func:`mesosim.pipeline.run_document`) with the host's catalog and the host's plugin checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from mesosim.options import Options, path_matches
from mesosim.pipeline import run_document
from mesosim.results import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_PLUGIN,
    EXIT_USAGE,
    REPORT_VERSION,
    FileResult,
    Outcome,
    Report,
)

if TYPE_CHECKING:
    from mesosim.plugin.host import HostRecipe, PluginHost

__all__ = [
    "AUTO_JOBS_MIN_FILES", "EXIT_ERRORS", "EXIT_OK", "EXIT_PLUGIN", "EXIT_USAGE", "REPORT_VERSION",
    "FileResult", "Options", "Report", "check_file", "check_paths", "check_text", "path_matches",
    "simulate_file",
]

#: ``--jobs 0`` (the default) checks in parallel from this many files on
AUTO_JOBS_MIN_FILES: Final = 200


def check_file(path: str, host: PluginHost, options: Options | None = None) -> FileResult:
    """Load and check one file. Never raises for bad content."""
    return simulate_file(path, host, options).result


def simulate_file(path: str, host: PluginHost, options: Options | None = None) -> Outcome:
    """Load, check and simulate one file: its result with the protocol model, technique and
    trace (``None`` where the file did not get that far). Never raises for bad content."""
    from mesosim.loader import load_file

    options = options or Options()
    return run_document(load_file(path, options.max_bytes), host.catalog, options, host)


def check_text(text: str, host: PluginHost, path: str = "<string>",
               options: Options | None = None) -> FileResult:
    """Check protocol text (YAML, or JSON when ``path`` ends in ``.json``)."""
    from mesosim.loader import load_text

    return run_document(load_text(text, path), host.catalog, options, host).result


_WORKER_HOST: PluginHost | None = None


def _worker_init(recipe: HostRecipe) -> None:
    global _WORKER_HOST
    _WORKER_HOST = recipe.build()


def _worker_check(args: tuple[str, Options]) -> FileResult:
    assert _WORKER_HOST is not None
    return check_file(args[0], _WORKER_HOST, args[1])


def collect_files(paths: Sequence[str], options: Options) -> list[str]:
    """The protocol files under ``paths`` that ``options`` does not exclude, sorted."""
    from mesosim.loader import iter_files

    return sorted({f for f in iter_files(list(paths)) if not options.excluded(f)})


def check_paths(paths: Sequence[str], host: PluginHost, options: Options | None = None,
                jobs: int = 1, recipe: HostRecipe | None = None) -> Report:
    """Check every protocol file under ``paths``; results are sorted by path whatever ``jobs``.

    With ``jobs > 1`` files are checked in worker processes; ``jobs=0`` picks one worker per CPU
    when there are at least :data:`AUTO_JOBS_MIN_FILES` files (below that, starting workers costs
    more than it saves), else one. ``recipe`` says how a spawned worker builds its host again
    (which plugins, which overrides); forked workers inherit ``host`` as it is.
    """
    import os

    options = options or Options()
    files = collect_files(paths, options)
    if jobs == 0:
        jobs = (os.cpu_count() or 1) if len(files) >= AUTO_JOBS_MIN_FILES else 1
    if jobs > 1 and len(files) > 1:
        results = _check_in_pool(files, host, options, jobs, recipe)
    else:
        results = [check_file(f, host, options) for f in files]
    return Report(tuple(sorted(results, key=lambda r: r.path)), host.catalog.plugins)


def _check_in_pool(files: list[str], host: PluginHost, options: Options, jobs: int,
                   recipe: HostRecipe | None) -> list[FileResult]:
    """Check ``files`` in ``jobs`` worker processes.

    On Linux the workers are forked and inherit the host exactly as the parent built it
    (plugins, overrides), instead of each loading every plugin again: with spawn, four workers
    cost ~1.3 s of start-up, more than checking the whole gallery. Elsewhere fork is unsafe
    (macOS) or missing (Windows), and each spawned worker builds its host from ``recipe``.
    """
    import multiprocessing
    import sys

    from mesosim.plugin.host import HostRecipe

    global _WORKER_HOST
    chunksize = max(1, len(files) // (jobs * 8))
    work = [(f, options) for f in files]
    if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods():
        saved, _WORKER_HOST = _WORKER_HOST, host
        try:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                return pool.map(_worker_check, work, chunksize=chunksize)
        finally:
            _WORKER_HOST = saved
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(jobs, initializer=_worker_init, initargs=(recipe or HostRecipe(),)) as pool:
        return pool.map(_worker_check, work, chunksize=chunksize)
