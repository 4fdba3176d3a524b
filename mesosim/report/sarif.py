"""SARIF 2.1.0 (OASIS), the format GitHub code scanning reads.

The tool's rule list holds every rule of the registry (core and plugin rules), each with its
short and full description, help text and default level; every result points into that list by
``ruleId`` and ``ruleIndex`` and carries its physical location. Nothing in the output depends on
the time or the machine, so two runs on the same files give the same bytes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from mesosim import rules
from mesosim.findings import finding_text
from mesosim.report._paths import SRCROOT, relative_uri, repository_root

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.findings import Finding
    from mesosim.results import Report
    from mesosim.rules import Rule

SCHEMA_URI: Final = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                     "sarif-schema-2.1.0.json")
#: mesosim severity -> SARIF level (SARIF has no "info"; its "note" is the nearest)
LEVELS: Final = {"error": "error", "warning": "warning", "info": "note"}


def _unwrap(text: str) -> str:
    """The rule texts are hard-wrapped for the terminal; a viewer wraps them itself."""
    return re.sub(r"(?<!\n)\n(?!\n)", " ", text)


def rules_pages(catalog: Catalog) -> dict[str, str]:
    """Plugin or ``core`` -> the address of its distribution's rules page, for ``helpUri``.

    A distribution names its page in its metadata as the project URL labelled ``Rules``
    (``[project.urls] Rules = "https://..."``); mesosim's own points at ``docs/rules.md``. A
    vendor's package without one gets no ``helpUri`` (the rule's help text still shows).
    """
    from importlib.metadata import PackageNotFoundError, metadata

    pages: dict[str, str] = {}
    owners = [("core", "mesosim")] + [(p.name, p.distribution) for p in catalog.plugins]
    for origin, dist in owners:
        try:
            urls = metadata(dist).get_all("Project-URL") or []
        except (PackageNotFoundError, ValueError, OSError):
            continue
        for entry in urls:
            label, _, url = entry.partition(",")
            if label.strip().lower() == "rules" and url.strip().startswith(("https://",
                                                                              "http://")):
                pages[origin] = url.strip()
    return pages


def help_anchor(r: Rule) -> str:
    """The heading anchor of a rule on its rules page (``## MS401 depth-out-of-range``)."""
    return f"{r.code.lower()}-{r.name}"


def _rule(r: Rule, pages: dict[str, str] | None = None) -> dict[str, Any]:
    page = (pages or {}).get(r.origin)
    out: dict[str, Any] = {
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": _unwrap(f"{r.summary} {r.explanation}".strip())},
        "help": {"text": f"{_unwrap(r.explanation)}\n\nMore: mesosim explain {r.code}",
                 "markdown": f"{r.explanation}\n\nMore: `mesosim explain {r.code}`"},
        "defaultConfiguration": {"level": LEVELS.get(r.severity, "warning")},
        "properties": {"tags": [r.kind], "origin": r.origin},
    }
    if page:
        out["helpUri"] = f"{page}#{help_anchor(r)}"
    return out


def _result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    text = finding_text(f)
    out: dict[str, Any] = {"ruleId": f.rule}
    if f.rule in index:
        out["ruleIndex"] = index[f.rule]
    location: dict[str, Any] = {"physicalLocation": {
        "artifactLocation": {"uri": relative_uri(f.path), "uriBaseId": SRCROOT},
        # SARIF lines and columns start at 1; a finding about the whole file says 1:1
        "region": {"startLine": max(1, f.line), "startColumn": max(1, f.column)},
    }}
    if f.pointer is not None:  # where in the data: survives lines added above it
        location["logicalLocations"] = [{"fullyQualifiedName": f.pointer or "/",
                                         "kind": "object"}]
    out.update({
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": text},
        "locations": [location],
    })
    if f.pointer is not None:
        import hashlib

        key = f"{relative_uri(f.path)}\0{f.rule}\0{f.pointer}".encode("utf-8", "surrogatepass")
        # code scanning tracks a finding across edits by this, not by its line
        out["partialFingerprints"] = {"mesosimFinding/v1": hashlib.sha256(key).hexdigest()}
    props = {k: v for k, v in (("kind", f.kind), ("technique", f.technique),
                               ("source", f.source)) if v}
    if props:
        out["properties"] = props
    return out


def sarif_log(report: Report, catalog: Catalog) -> dict[str, Any]:
    """The SARIF log as plain data."""
    from mesosim import __version__

    known = sorted(catalog.rules.values(), key=lambda r: r.code)
    pages = rules_pages(catalog)
    index = {r.code: i for i, r in enumerate(known)}
    notifications = [
        {"level": "error", "descriptor": {"id": rules.PLUGIN_REFUSED},
         "message": {"text": f"plugin '{p.name}' ({p.distribution}) refused: {p.reason}"}}
        for p in report.plugins if p.status == "refused"
    ] + [
        {"level": "error", "descriptor": {"id": rules.PLUGIN_FAILED},
         "message": {"text": f"plugin '{h.plugin}' failed in hook {h.hook} on {r.path}: {h.error}"}}
        for r in report.files for h in r.failures
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not report.plugin_failed}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "mesosim", "version": __version__,
                                "semanticVersion": __version__, "rules": [_rule(r, pages) for r in known]}},
            "invocations": [invocation],
            # the relative URIs are the repository's: code scanning resolves them whatever
            # sub-folder mesosim ran in
            "originalUriBaseIds": {SRCROOT: {"uri": _file_uri(repository_root())}},
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, index) for r in report.files for f in r.findings] + [
                {**_result(sup.finding, index),
                 "suppressions": [{"kind": "inSource", "justification": sup.reason or
                                   "(no reason given)"}]}
                for r in report.files for sup in r.suppressed],
        }],
    }


def _file_uri(folder: str) -> str:
    from pathlib import Path

    uri = Path(folder).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def render(report: Report, catalog: Catalog, color: bool = False) -> str:
    import json

    return json.dumps(sarif_log(report, catalog), indent=2, ensure_ascii=False) + "\n"
