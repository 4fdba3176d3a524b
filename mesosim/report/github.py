"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

``::error file=PATH,line=L,col=C,title=CODE::message``; warnings are ``::warning``, infos
``::notice``. Values are escaped as GitHub's runner unescapes them: ``%``, CR and LF everywhere,
and also ``:`` and ``,`` inside a property, where they would end the value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from mesosim import rules
from mesosim.findings import finding_text
from mesosim.report._paths import relative_uri

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.results import Report

COMMANDS: Final = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _path(path: str) -> str:
    from urllib.parse import unquote

    return unquote(relative_uri(path))  # relative, forward slashes, but not percent-encoded


def render(report: Report, catalog: Catalog, color: bool = False) -> str:
    from mesosim.report.text import summary_line

    out = []
    for p in report.plugins:
        if p.status == "refused":
            out.append(f"::error title={rules.PLUGIN_REFUSED}::" + escape_data(
                f"plugin '{p.name}' ({p.distribution}) refused: {p.reason}"))
    for r in report.files:
        for f in r.findings:
            message = finding_text(f)
            props = (f"file={escape_property(_path(f.path))},line={max(1, f.line)},"
                     f"col={max(1, f.column)},title={escape_property(f.rule)}")
            out.append(f"::{COMMANDS.get(f.severity, 'warning')} {props}::{escape_data(message)}")
    out.append(summary_line(report))
    return "\n".join(out) + "\n"
