"""JUnit XML, which CI dashboards (GitLab, Jenkins, Azure...) show as a test report.

One ``<testsuite>``; one ``<testcase>`` per checked file, with a ``<failure>`` per error finding;
warnings and notes go to the test case's ``<system-out>`` so they are seen without failing it.
Plugins refused at load are ``<error>`` elements of one extra ``plugins`` test case.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from mesosim import rules
from mesosim.findings import finding_line

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.findings import Finding
    from mesosim.results import Report

# characters XML 1.0 cannot hold at all (a JSON protocol can smuggle them into a key name)
_NOT_XML: Final = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _line(f: Finding) -> str:
    return _clean(finding_line(f))


def render(report: Report, catalog: Catalog, color: bool = False) -> str:
    import xml.etree.ElementTree as ET

    refused = [p for p in report.plugins if p.status == "refused"]
    tests = len(report.files) + (1 if refused else 0)
    failures = sum(r.errors for r in report.files)
    errors = len(refused) + sum(len(r.failures) for r in report.files)
    attrs = {"name": "mesosim", "tests": str(tests), "failures": str(failures),
             "errors": str(errors), "skipped": "0"}
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(root, "testsuite", attrs)
    for r in report.files:
        case = ET.SubElement(suite, "testcase", {"classname": "mesosim", "name": _clean(r.path),
                                                 "file": _clean(r.path)})
        for f in r.findings:
            if f.severity == "error":
                el = ET.SubElement(case, "failure", {"type": f.rule,
                                                     "message": _clean(f"{f.rule}: {f.message}")})
                el.text = _line(f)
        for h in r.failures:
            el = ET.SubElement(case, "error", {"type": rules.PLUGIN_FAILED, "message": _clean(
                f"plugin '{h.plugin}' failed in hook {h.hook}: {h.error}")})
        others = [_line(f) for f in r.findings if f.severity != "error"]
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(others)
    if refused:
        case = ET.SubElement(suite, "testcase", {"classname": "mesosim", "name": "plugins"})
        for p in refused:
            ET.SubElement(case, "error", {"type": rules.PLUGIN_REFUSED, "message": _clean(
                f"plugin '{p.name}' ({p.distribution}) refused: {p.reason}")})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
