"""What a check reports: :class:`Finding`, plain frozen data that every reporter can render,
and :class:`Sink`, which makes findings located in one file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from attr import field, frozen
from attr.validators import in_

#: The fixed vocabulary of finding kinds (foundation issue, section 4).
KINDS: Final = (
    "syntax", "schema", "unit", "unknown-technique", "unknown-step", "missing-step", "step-order",
    "depth", "dose", "device-setting", "duration", "interval", "course-length",
    "contraindication", "allergy-test", "aftercare", "plan-conflict", "plugin-error",
    "internal-error", "assignment",
)
SEVERITIES: Final = ("error", "warning", "info")


@frozen(order=False)
class Finding:
    """One violation, located in a file.

    ``source`` is where the rule's figure comes from: ``002:11`` (seed file and line, see
    ``docs/sources.md``), ``default`` when the sources give no number, a config file and line
    when an instructor overrode it, or ``mesosim`` for rules about the file format itself.
    Vendors build findings with keyword arguments: ``Finding(rule="ACME001", kind="device-setting",
    severity="error", path=protocol.path, line=3, column=5, message="...")``.
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
    #: findings that follow from this one and were folded into it (a misspelt step also
    #: leaves the step it meant missing): ``"MS301 line 23: missing required step ..."``
    related: tuple[str, ...] = ()
    #: what in the protocol the finding is about, for pictures and tools: the step graph's
    #: slot a step finding concerns (``disinfection``), or the name of a step the graph lacks
    subject: str | None = None
    #: where in the protocol's data, as a JSON pointer (``/session/steps/6/injection/depth``;
    #: ``""`` for the whole file): unlike the line, it survives lines added above
    pointer: str | None = None

    def sort_key(self) -> tuple[Any, ...]:
        """File, line, column, rule and message, then every other field: two findings that
        differ only in, say, their pointer come out in one order whatever the hash seed."""
        return (self.path, self.line, self.column, self.rule, self.message, self.severity,
                self.kind, self.technique or "", self.source or "", self.suggestion or "",
                self.subject or "", self.pointer or "", self.related)

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
            "related": list(self.related),
            "subject": self.subject,
            "pointer": self.pointer,
        }


def json_pointer(where: tuple[Any, ...]) -> str:
    """A node's path as a JSON pointer (RFC 6901): ``("session", "steps", 6)`` ->
    ``/session/steps/6``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in where)


Locate = Callable[[tuple[Any, ...], bool], tuple[int, int]]


class Sink:
    """Makes the findings of one file, filling kind and severity from the rule table and the line
    and column from the node positions of the file; :meth:`add` also collects them."""

    __slots__ = ("path", "rules", "locate", "technique", "findings")

    def __init__(self, path: str, rules: Mapping[str, Any], locate: Locate,
                 technique: str | None = None) -> None:
        self.path = path
        self.rules = rules
        self.locate = locate
        self.technique = technique
        self.findings: list[Finding] = []

    def new(self, code: str, where: tuple[Any, ...], message: str, *, key: bool = False,
            source: str | None = None, suggestion: str | None = None,
            pos: tuple[int, int] | None = None, subject: str | None = None) -> Finding:
        """A finding of rule ``code`` at the node ``where`` (its key with ``key=True``)."""
        rule = self.rules[code]
        line, col = pos if pos is not None else self.locate(where, key)
        return Finding(code, rule.kind, rule.severity, self.path, line, col, message,
                       self.technique, source, suggestion, subject=subject,
                       pointer=json_pointer(where))

    def add(self, code: str, where: tuple[Any, ...], message: str, *, key: bool = False,
            source: str | None = None, suggestion: str | None = None,
            pos: tuple[int, int] | None = None, subject: str | None = None) -> Finding:
        """:meth:`new`, and keep it."""
        f = self.new(code, where, message, key=key, source=source, suggestion=suggestion,
                     pos=pos, subject=subject)
        self.findings.append(f)
        return f


_CONTROL: Final = {c: f"\\x{c:02x}" for c in (*range(0, 32), *range(127, 160))
                   if chr(c) != "\t"}
# bidirectional controls reorder what follows them on screen ("x\u202egpj.yaml" shows as
# "xlmay.jpg"): shown as escapes too
_CONTROL.update({c: f"\\u{c:04x}" for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                             *range(0x2066, 0x206A))})


def visible(text: str) -> str:
    """``text`` with its control characters written as escapes (``\\x1b``, ``\\n``): a key or
    a path can hold them, and raw ones would let a file recolour a terminal or forge lines of
    the report (hostile input, round 2)."""
    return text.translate(_CONTROL) if not text.isprintable() else text


def finding_text(f: Finding) -> str:
    """The message with its hint and source, as every reporter shows it:
    ``message (hint: ...) [source: 002:11]`` (no source for the format's own rules); control
    characters made visible."""
    text = visible(f.message)
    if f.suggestion:
        text += f" (hint: {visible(f.suggestion)})"
    if f.source and f.source != "mesosim":
        text += f" [source: {visible(f.source)}]"
    return text


def finding_line(f: Finding, severity: str | None = None) -> str:
    """``path:line:col: CODE [severity] message (hint: ...) [source: ...]``; ``severity`` is the
    severity label as shown (coloured, say), by default ``[severity]``."""
    return f"{visible(f.path)}:{f.line}:{f.column}: {f.rule} {severity or f'[{f.severity}]'} " \
           f"{finding_text(f)}"
