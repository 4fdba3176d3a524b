"""Output formats behind one small interface: a reporter turns a :class:`Report` into text.

``REPORTERS`` maps a ``--format`` name to a function ``(report, registry, color) -> str``: the
one registry of formats, from which the CLI lists the names. ``text`` and ``json`` live here; the
CI formats (``sarif``, ``junit``, ``github``) live in ``mesosim.reporters`` and are imported only
when asked for.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from mesosim.host import Registry
    from mesosim.runner import Report

Reporter = Callable[["Report", "Registry", bool], str]

_COLORS: Final = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_RESET: Final = "\x1b[0m"


def summary_line(report: Report) -> str:
    n = len(report.files)
    line = (f"{n} file{'s' * (n != 1)} checked: {report.errors} error"
            f"{'s' * (report.errors != 1)}, {report.warnings} warning"
            f"{'s' * (report.warnings != 1)}")
    refused = [p for p in report.plugins if p.status == "refused"]
    failed = sorted({f.plugin for r in report.files for f in r.failures})
    if refused or failed:
        line += f"; plugin problems: {', '.join(sorted({p.name for p in refused} | set(failed)))}"
    return line


def render_text(report: Report, reg: Registry, color: bool = False) -> str:
    """``path:line:col: CODE [severity] message``, then plugin problems and a summary line."""
    out = []
    for p in report.plugins:
        if p.status == "refused":
            out.append(f"mesosim: MS902 [error] plugin '{p.name}' ({p.distribution}) refused: "
                       f"{p.reason}")
    for r in report.files:
        for f in r.findings:
            sev = f"[{f.severity}]"
            if color:
                sev = f"{_COLORS.get(f.severity, '')}{sev}{_RESET}"
            line = f"{f.path}:{f.line}:{f.column}: {f.rule} {sev} {f.message}"
            if f.suggestion:
                line += f" (hint: {f.suggestion})"
            if f.source and f.source not in ("mesosim",):
                line += f" [source: {f.source}]"
            out.append(line)
    out.append(summary_line(report))
    return "\n".join(out) + "\n"


def report_as_dict(report: Report) -> dict[str, object]:
    """The versioned JSON shape of a check report (documented in the README)."""
    from mesosim.runner import REPORT_VERSION

    return {
        "version": REPORT_VERSION,
        "files": [
            {"path": r.path, "findings": [f.as_dict() for f in r.findings]} for r in report.files
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
            "exit_code": report.exit_code,
        },
    }


def render_json(report: Report, reg: Registry, color: bool = False) -> str:
    return json.dumps(report_as_dict(report), indent=2, ensure_ascii=False) + "\n"


def _lazy(module: str) -> Reporter:
    """A reporter that imports ``mesosim.reporters.<module>`` only when it is used."""

    def render(report: Report, reg: Registry, color: bool = False) -> str:
        import importlib

        out: str = importlib.import_module(f"mesosim.reporters.{module}").render(report, reg, color)
        return out

    render.__name__ = f"render_{module}"
    return render


REPORTERS: Final[dict[str, Reporter]] = {
    "text": render_text,
    "json": render_json,
    "sarif": _lazy("sarif"),
    "junit": _lazy("junit"),
    "github": _lazy("github"),
}
