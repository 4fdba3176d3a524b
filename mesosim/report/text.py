"""The text and JSON reports of ``mesosim check``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from mesosim import rules
from mesosim.findings import finding_line
from mesosim.results import REPORT_VERSION

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.results import Report

_COLORS: Final = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_RESET: Final = "\x1b[0m"


def summary_line(report: Report) -> str:
    n = len(report.files)
    line = (f"{n} file{'s' * (n != 1)} checked: {report.errors} error"
            f"{'s' * (report.errors != 1)}, {report.warnings} warning"
            f"{'s' * (report.warnings != 1)}")
    if report.suppressed:  # never silently dropped: every suppressed finding is counted
        line += f", {report.suppressed} suppressed"
    refused = [p for p in report.plugins if p.status == "refused"]
    failed = sorted({f.plugin for r in report.files for f in r.failures})
    if refused or failed:
        line += f"; plugin problems: {', '.join(sorted({p.name for p in refused} | set(failed)))}"
    return line


def render_text(report: Report, catalog: Catalog, color: bool = False,
                sources: Mapping[str, str] | None = None) -> str:
    """``path:line:col: CODE [severity] message``, then plugin problems and a summary line.
    With ``sources`` (path -> text: ``--show-source``), each finding is followed by its line
    and a caret under its column."""
    out = []
    for p in report.plugins:
        if p.status == "refused":
            out.append(f"mesosim: {rules.PLUGIN_REFUSED} [error] plugin '{p.name}' "
                       f"({p.distribution}) refused: {p.reason}")
    for r in report.files:
        for f in r.findings:
            sev = f"[{f.severity}]"
            if color:
                sev = f"{_COLORS.get(f.severity, '')}{sev}{_RESET}"
            out.append(finding_line(f, sev))
            if sources is not None:
                out += _snippet(sources.get(r.path), f.line, f.column)
    out.append(summary_line(report))
    return "\n".join(out) + "\n"


def _snippet(text: str | None, line: int, column: int) -> list[str]:
    """The finding's line and a caret under its column (control characters shown escaped)."""
    from mesosim.findings import visible

    if not text or line < 1:
        return []
    lines = text.split("\n")
    if line > len(lines):
        return []
    src = lines[line - 1].rstrip("\r")
    shown = visible(src[:column - 1])
    return [f"  {line:>5} | {visible(src)}", f"        | {' ' * len(shown)}^"]


def report_as_dict(report: Report) -> dict[str, object]:
    """The versioned JSON shape of a check report (documented in the README)."""
    return {
        "version": REPORT_VERSION,
        "files": [
            {"path": r.path, "findings": [f.as_dict() for f in r.findings],
             "suppressed": [{**s.finding.as_dict(), "reason": s.reason} for s in r.suppressed]}
            for r in report.files
        ],
        "plugins": [
            {"name": p.name, "distribution": p.distribution, "version": p.version,
             "status": p.status, "reason": p.reason, "techniques": list(p.techniques)}
            for p in report.plugins
        ],
        "summary": {
            "files": len(report.files),
            "errors": report.errors,
            "warnings": report.warnings,
            "suppressed": report.suppressed,
            "exit_code": report.exit_code,
        },
    }


def render_json(report: Report, catalog: Catalog, color: bool = False) -> str:
    import json  # the text report, the default, does not pay its import

    return json.dumps(report_as_dict(report), indent=2, ensure_ascii=False) + "\n"
