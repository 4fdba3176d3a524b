"""Check files: the one straight line from bytes to findings.

``load (loader) -> build the model (model) -> simulate (simulate) -> core checks (checks) ->
plugin checks (host) -> filter (options)``. Everything the CLI does is callable from here:
:func:`check_paths` for many files, :func:`check_file` and :func:`check_text` for one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

from attrs import evolve, field, frozen

from mesosim.findings import Finding, Sink
from mesosim.loader import DEFAULT_MAX_BYTES, Document, iter_files, load_file, load_text

if TYPE_CHECKING:
    from mesosim.host import HookFailure, PluginInfo, Registry

#: Version of the JSON report shape (``mesosim check --format json``).
REPORT_VERSION: Final = 1

#: ``--jobs 0`` (the default) checks in parallel from this many files on
AUTO_JOBS_MIN_FILES: Final = 200

EXIT_OK: Final = 0
EXIT_ERRORS: Final = 1
EXIT_USAGE: Final = 2
EXIT_PLUGIN: Final = 3


def _codes(v: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(v or ())


@frozen
class Options:
    """What to check and how to report it. Built by the CLI from flags and configuration."""

    max_bytes: int = DEFAULT_MAX_BYTES
    #: rule codes or prefixes to report (empty: all), and to leave out
    select: tuple[str, ...] = field(default=(), converter=_codes)
    ignore: tuple[str, ...] = field(default=(), converter=_codes)
    #: rule code -> severity, overriding the rule's default
    severity: Mapping[str, str] = field(factory=dict)
    #: glob -> codes or prefixes ignored in matching files
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(factory=dict)
    exclude: tuple[str, ...] = field(default=(), converter=_codes)
    report_unused_ignores: bool = False

    def wanted(self, code: str, path: str) -> bool:
        """Whether a finding of rule ``code`` in ``path`` is reported (select, ignore and
        per-file-ignores; codes match by prefix)."""
        if self.select and not any(code.startswith(s) for s in self.select):
            return False
        if any(code.startswith(s) for s in self.ignore):
            return False
        for pattern, codes in self.per_file_ignores.items():
            if any(code.startswith(c) for c in codes) and path_matches(path, pattern):
                return False
        return True

    def excluded(self, path: str) -> bool:
        """Whether ``path`` is left out by an ``exclude`` glob."""
        return any(path_matches(path, pattern) for pattern in self.exclude)


def path_matches(path: str, pattern: str) -> bool:
    """Whether a glob of the configuration matches ``path`` or one of its folders.

    The glob is matched against every run of the path's components, so ``drafts`` or ``drafts/*``
    leave out ``./course/drafts/a.yaml`` whether mesosim was given ``.``, ``course`` or an
    absolute path, and ``*.json`` matches a file name (as ruff's ``exclude`` does).
    """
    import fnmatch

    parts = [p for p in path.replace(os.sep, "/").split("/") if p not in ("", ".")]
    pat = pattern.replace(os.sep, "/").strip("/")
    while pat.startswith("./"):
        pat = pat[2:]
    return any(fnmatch.fnmatchcase("/".join(parts[i:j]), pat)
               for i in range(len(parts)) for j in range(i + 1, len(parts) + 1))


@frozen
class FileResult:
    path: str
    findings: tuple[Finding, ...]
    failures: tuple[HookFailure, ...] = ()

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)


@frozen
class Report:
    files: tuple[FileResult, ...]
    plugins: tuple[PluginInfo, ...] = ()

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings]

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.files)

    @property
    def warnings(self) -> int:
        return sum(r.warnings for r in self.files)

    @property
    def plugin_failed(self) -> bool:
        return any(p.status == "refused" for p in self.plugins) or any(
            r.failures for r in self.files)

    @property
    def exit_code(self) -> int:
        if self.plugin_failed:
            return EXIT_PLUGIN
        return EXIT_ERRORS if self.errors else EXIT_OK


def check_document(doc: Document, reg: Registry, options: Options | None = None) -> FileResult:
    """Check an already loaded document."""
    from mesosim import checks, model
    from mesosim.simulate import simulate

    options = options or Options()
    sink = Sink(doc.path, reg.rules, lambda p, key: doc.key_pos(p) if key else doc.pos(p))
    for problem in doc.problems:
        sink.add(problem.code, (), problem.message, pos=problem.pos, source="mesosim",
                 suggestion=problem.suggestion)
    failures: list[HookFailure] = []
    if doc.data is not None:
        protocol = model.build(doc, reg, sink)
        tech = reg.techniques.get(protocol.technique) if protocol is not None else None
        if protocol is not None and tech is not None:
            trace = simulate(protocol, tech, reg)
            ctx = checks.Context(protocol, tech, reg, trace, sink)
            for check in checks.CHECKS:
                check(ctx)
            extra, failures = reg.check_hooks(protocol, tech, trace)
            sink.findings.extend(extra)
            for fail in failures:
                sink.add("MS901", (), f"plugin '{fail.plugin}' failed in hook {fail.hook} while "
                         f"checking this file: {fail.error}", pos=(1, 1), technique=tech.name)
    return FileResult(doc.path, _finish(sink.findings, doc, options), tuple(failures))


def _finish(findings: list[Finding], doc: Document, options: Options) -> tuple[Finding, ...]:
    """Apply suppressions, then selection and severity overrides; sort; drop exact duplicates.

    Suppressions come first so that MS010/MS011 (findings about the suppressions) obey
    ``select``, ``ignore`` and ``severity`` like any other rule, and so that a suppression of a
    finding that the configuration also ignores is not reported as unused.
    """
    from mesosim.suppress import apply_suppressions

    out = []
    for f in apply_suppressions(findings, doc, options.report_unused_ignores):
        if not options.wanted(f.rule, doc.path):
            continue
        sev = options.severity.get(f.rule)
        out.append(evolve(f, severity=sev) if sev else f)
    return tuple(sorted(set(out), key=Finding.sort_key))


def check_file(path: str, reg: Registry, options: Options | None = None) -> FileResult:
    """Load and check one file. Never raises for bad content."""
    options = options or Options()
    return check_document(load_file(path, options.max_bytes), reg, options)


def check_text(text: str, reg: Registry, path: str = "<string>",
               options: Options | None = None) -> FileResult:
    """Check protocol text (YAML, or JSON when ``path`` ends in ``.json``)."""
    return check_document(load_text(text, path), reg, options)


def _worker_init(blocked: tuple[str, ...], only: tuple[str, ...], autoload: bool | None,
                 overrides: object) -> None:
    global _WORKER_REG
    from mesosim.host import load_registry

    reg = load_registry(blocked=blocked, only=only, autoload=autoload)
    if overrides is not None:
        from mesosim.config import apply_overrides

        reg = apply_overrides(reg, overrides)  # type: ignore[arg-type]
    _WORKER_REG = reg


_WORKER_REG: Registry | None = None


def _worker_check(args: tuple[str, Options]) -> FileResult:
    assert _WORKER_REG is not None
    return check_file(args[0], _WORKER_REG, args[1])


def check_paths(paths: Sequence[str], reg: Registry, options: Options | None = None,
                jobs: int = 1, registry_args: tuple[object, ...] | None = None) -> Report:
    """Check every protocol file under ``paths``; results are sorted by path whatever ``jobs``.

    With ``jobs > 1`` files are checked in worker processes; ``jobs=0`` picks one worker per CPU
    when there are at least :data:`AUTO_JOBS_MIN_FILES` files (below that, starting workers costs
    more than it saves), else one. ``registry_args`` are the ``(blocked, only, autoload,
    overrides)`` each spawned worker loads its registry with.
    """
    import os

    options = options or Options()
    files = sorted({f for f in iter_files(list(paths)) if not options.excluded(f)})
    if jobs == 0:
        jobs = (os.cpu_count() or 1) if len(files) >= AUTO_JOBS_MIN_FILES else 1
    if jobs > 1 and len(files) > 1:
        results = _check_in_pool(files, reg, options, jobs, registry_args)
    else:
        results = [check_file(f, reg, options) for f in files]
    return Report(tuple(sorted(results, key=lambda r: r.path)), reg.plugins)


def _check_in_pool(files: list[str], reg: Registry, options: Options, jobs: int,
                   registry_args: tuple[object, ...] | None) -> list[FileResult]:
    """Check ``files`` in ``jobs`` worker processes.

    On Linux the workers are forked and inherit the registry exactly as the parent built it
    (plugins, overrides), instead of each loading every plugin again: with spawn, four workers
    cost ~1.3 s of start-up, more than checking the whole gallery. Elsewhere fork is unsafe
    (macOS) or missing (Windows), and each spawned worker loads its registry from
    ``registry_args``.
    """
    import multiprocessing
    import sys

    global _WORKER_REG
    chunksize = max(1, len(files) // (jobs * 8))
    work = [(f, options) for f in files]
    if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods():
        saved, _WORKER_REG = _WORKER_REG, reg
        try:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                return pool.map(_worker_check, work, chunksize=chunksize)
        finally:
            _WORKER_REG = saved
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(jobs, initializer=_worker_init,
                  initargs=registry_args or ((), (), None, None)) as pool:
        return pool.map(_worker_check, work, chunksize=chunksize)
