"""Output formats (layer 6): each turns result data into text, reading data types only.

``REPORTERS`` maps a ``check --format`` name to a function ``(report, catalog, color) -> str``:
the one registry of formats, from which the CLI lists the names. A format's module is imported
only when it is asked for, so that ``mesosim check`` in the default text format does not pay for
the XML and JSON machinery. Every reporter shows a finding's message, hint and source with
:func:`mesosim.findings.finding_text`.

Modules: ``text`` (text and JSON reports), ``sarif``, ``junit``, ``github``, ``gitlab`` (CI
formats),
``timeline`` (``mesosim simulate``'s text and JSON), ``ics`` (the course as a calendar),
``classroom`` (``mesosim class``'s table, CSV and JSON).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.results import Report

Reporter = Callable[["Report", "Catalog", bool], str]


def _lazy(module: str, function: str = "render") -> Reporter:
    """A reporter that imports ``mesosim.report.<module>`` only when it is used."""

    def render(report: Report, catalog: Catalog, color: bool = False) -> str:
        import importlib

        out: str = getattr(importlib.import_module(f"mesosim.report.{module}"), function)(
            report, catalog, color)
        return out

    render.__name__ = f"render_{module}"
    return render


REPORTERS: Final[dict[str, Reporter]] = {
    "text": _lazy("text", "render_text"),
    "json": _lazy("text", "render_json"),
    "sarif": _lazy("sarif"),
    "junit": _lazy("junit"),
    "github": _lazy("github"),
    "gitlab": _lazy("gitlab"),
}
