"""JUnit XML, which CI dashboards (GitLab, Jenkins, Azure...) show as a test report.

Jenkins and GitLab show one failure per test case, so every error gets a test case of its own:
one ``<testsuite>`` per checked file, in it one failing ``<testcase>`` per error finding (named
by rule and line), one ``<error>`` case per plugin that failed on the file, and a passing case
(``no error``) for a file without errors. Warnings and notes go to the suite's
``<system-out>``, seen without failing anything. Plugins refused at load are ``<error>`` cases
of one extra ``plugins`` suite. Every count is a count of test cases, so the totals add up.
The output is valid against the JUnit schema Jenkins' xUnit plugin publishes (junit-10.xsd):
the file is an attribute of its suite, not of the test case.
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

    root = ET.Element("testsuites", {"name": "mesosim"})
    totals = {"tests": 0, "failures": 0, "errors": 0}

    def suite_of(name: str, cases: list[tuple[str, str | None, str, str, str]],
                 out: list[str], path: str | None) -> None:
        """``cases``: (name, kind: None | failure | error, type, message, text)."""
        counts = {"tests": len(cases), "failures": sum(k == "failure" for _n, k, *_r in cases),
                  "errors": sum(k == "error" for _n, k, *_r in cases)}
        for key, n in counts.items():
            totals[key] += n
        attrs = {"name": _clean(name), "tests": str(counts["tests"]),
                 "failures": str(counts["failures"]), "errors": str(counts["errors"]),
                 "skipped": "0"}
        if path is not None:  # on the suite: the JUnit schema has no `file` on a test case
            attrs["file"] = _clean(path)
        suite = ET.SubElement(root, "testsuite", attrs)
        for case_name, kind, typ, message, text in cases:
            case = ET.SubElement(suite, "testcase", {"classname": _clean(name),
                                                     "name": _clean(case_name)})
            if kind is not None:
                el = ET.SubElement(case, kind, {"type": typ, "message": _clean(message)})
                el.text = _clean(text)
        if out:
            ET.SubElement(suite, "system-out").text = "\n".join(out)

    for r in report.files:
        seen: dict[str, int] = {}
        cases: list[tuple[str, str | None, str, str, str]] = []
        for f in r.findings:
            if f.severity != "error":
                continue
            name = f"{f.rule} line {f.line}"
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:  # names unique within the suite: dashboards key on them
                name += f" ({seen[name]})"
            cases.append((name, "failure", f.rule, f"{f.rule}: {f.message}", _line(f)))
        cases += [(f"plugin {h.plugin}", "error", rules.PLUGIN_FAILED,
                   f"plugin '{h.plugin}' failed in hook {h.hook}: {h.error}", "")
                  for h in r.failures]
        if not cases:
            cases = [("no error", None, "", "", "")]
        suite_of(r.path, cases, [_line(f) for f in r.findings if f.severity != "error"], r.path)
    refused = [p for p in report.plugins if p.status == "refused"]
    if refused:
        suite_of("plugins", [(f"plugin {p.name}", "error", rules.PLUGIN_REFUSED,
                              f"plugin '{p.name}' ({p.distribution}) refused: {p.reason}", "")
                             for p in refused], [], None)
    for key, n in totals.items():  # `testsuites` has no `skipped` in the schema
        root.set(key, str(n))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
