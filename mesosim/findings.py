"""What a check reports: :class:`Finding`, plain frozen data that every reporter can render."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from attrs import field, frozen
from attrs.validators import in_

#: The fixed vocabulary of finding kinds (foundation issue, section 4).
KINDS: Final = (
    "syntax", "schema", "unit", "unknown-technique", "unknown-step", "missing-step", "step-order",
    "depth", "dose", "device-setting", "duration", "interval", "course-length",
    "contraindication", "allergy-test", "aftercare", "plan-conflict", "plugin-error",
)
SEVERITIES: Final = ("error", "warning", "info")


@frozen(order=False)
class Finding:
    """One violation, located in a file.

    ``source`` is where the rule's figure comes from: ``002:11`` (seed file and line, see
    ``shared/domain.md``), ``default`` when the sources give no number, a config file and line
    when an instructor overrode it, or ``mesosim`` for rules about the file format itself.
    """

    rule: str
    kind: str = field(validator=in_(KINDS))
    severity: str = field(validator=in_(SEVERITIES))
    path: str
    line: int
    column: int
    message: str
    technique: str | None = None
    source: str | None = None
    suggestion: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "severity": self.severity,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "technique": self.technique,
            "source": self.source,
            "suggestion": self.suggestion,
        }


class Sink:
    """Collects findings for one file, filling kind and severity from the rule table and the
    line and column from the node positions of the file."""

    def __init__(self, path: str, rules: Mapping[str, Any], locate: Callable[[tuple[Any, ...], bool],
                 tuple[int, int]]) -> None:
        self.path = path
        self.rules = rules
        self.locate = locate
        self.findings: list[Finding] = []

    def add(self, code: str, where: tuple[Any, ...], message: str, *, key: bool = False,
            technique: str | None = None, source: str | None = None,
            suggestion: str | None = None, pos: tuple[int, int] | None = None) -> Finding:
        """Record a finding of rule ``code`` at the node ``where`` (its key with ``key=True``)."""
        rule = self.rules[code]
        line, col = pos if pos is not None else self.locate(where, key)
        f = Finding(code, rule.kind, rule.severity, self.path, line, col, message, technique,
                    source, suggestion)
        self.findings.append(f)
        return f


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to ``word``, for "did you mean ...?" suggestions."""
    import difflib

    if not isinstance(word, str):
        return None
    got = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return got[0] if got else None
