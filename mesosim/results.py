"""What a run produces: per-file results, the report, the exit codes (layer 1: data types).

Reporters read these types only; they never run the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, NamedTuple

from attr import frozen

from mesosim.catalog import PluginInfo
from mesosim.findings import Finding
from mesosim.rules import INTERNAL_ERROR

if TYPE_CHECKING:
    from mesosim.declarations import Technique
    from mesosim.protocol import Protocol
    from mesosim.trace import Trace

#: Version of the JSON report shape (``mesosim check --format json``).
REPORT_VERSION: Final = 1

EXIT_OK: Final = 0
EXIT_ERRORS: Final = 1
EXIT_USAGE: Final = 2
EXIT_PLUGIN: Final = 3
#: mesosim itself failed (a bug): reported per file as MS009, the other files still checked
EXIT_INTERNAL: Final = 4
INTERNAL_RULE: Final = INTERNAL_ERROR


class HookFailure(NamedTuple):
    """A plugin that misbehaved in a hook while checking a file (raised, returned something
    that is not a list of findings, or reported a finding it may not report)."""

    plugin: str
    hook: str
    error: str


class SuppressedFinding(NamedTuple):
    """A finding a suppression comment silenced, and the comment's reason."""

    finding: Finding
    reason: str


@frozen
class FileResult:
    path: str
    findings: tuple[Finding, ...]
    failures: tuple[HookFailure, ...] = ()
    #: what suppression comments silenced: counted and shown, never dropped
    suppressed: tuple[SuppressedFinding, ...] = ()
    #: whether the technique's checks ran (not for a file that does not parse, is not a
    #: protocol, or names no loaded technique): a class grades such a file as failed
    checked: bool = True

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)


class Outcome(NamedTuple):
    """One document through the pipeline: its result and, when it got that far, the protocol
    model, its technique (overrides applied) and the simulation trace. ``simulate``, ``class``
    and the reports reuse it instead of building the model again."""

    result: FileResult
    protocol: Protocol | None = None
    technique: Technique | None = None
    trace: Trace | None = None

    @property
    def exit_code(self) -> int:
        """As ``mesosim check``: 4 mesosim failed, 3 a plugin failed, 1 an error finding (or
        nothing to simulate)."""
        if any(f.rule == INTERNAL_RULE for f in self.result.findings):
            return EXIT_INTERNAL
        if self.result.failures:
            return EXIT_PLUGIN
        return EXIT_ERRORS if self.result.errors or self.trace is None else EXIT_OK


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
    def suppressed(self) -> int:
        return sum(len(r.suppressed) for r in self.files)

    @property
    def plugin_failed(self) -> bool:
        return any(p.status == "refused" for p in self.plugins) or any(
            r.failures for r in self.files)

    @property
    def crashed(self) -> bool:
        """Whether mesosim itself failed on a file (MS009)."""
        return any(f.rule == INTERNAL_RULE for r in self.files for f in r.findings)

    @property
    def exit_code(self) -> int:
        if self.crashed:
            return EXIT_INTERNAL
        if self.plugin_failed:
            return EXIT_PLUGIN
        return EXIT_ERRORS if self.errors else EXIT_OK
