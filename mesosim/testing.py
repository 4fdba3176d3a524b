"""Test helpers for mesosim and for vendors' plugins, and the conformance suite.

Vendors call :func:`assert_conformance` from one test (see :mod:`mesosim.conformance` and
``docs/writing-a-plugin.md``)::

    from mesosim.testing import assert_conformance

    def test_conformance():
        assert_conformance("my-device")

Helpers for a plugin's own tests: :func:`builtin_registry` (the registry a ``reg`` fixture
holds), :func:`edit_text` (a variant of a base protocol), :func:`findings_of` (what
``mesosim check`` reports on a text, as ``(rule, line, source)``) and :func:`shown_technique`
(what ``mesosim techniques show NAME`` prints)::

    from mesosim.testing import edit_text, findings_of

    def test_too_deep(reg):
        text = edit_text(BASE, ("depth: 1.5 mm", "depth: 3 mm"))
        assert findings_of(reg, text) == [("MS401", 13, "002:11")]

Gallery convention: a protocol file ``NAME.yaml`` may have ``NAME.yaml.expected`` next to it,
one expected finding a line: ``CODE KIND LINE`` (``#`` starts a comment). A file without one
must give no finding at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mesosim.conformance import ConformanceError, assert_conformance, check_conformance

if TYPE_CHECKING:
    from mesosim.host import Registry
    from mesosim.runner import FileResult

__all__ = [
    "ConformanceError",
    "actual",
    "assert_conformance",
    "assert_gallery_file",
    "builtin_registry",
    "check_conformance",
    "check_gallery_file",
    "edit_text",
    "expected_path",
    "findings_of",
    "gallery_files",
    "read_expected",
    "shown_technique",
]

Expected = tuple[str, str, int]


# --- a plugin's own tests ----------------------------------------------------------------------


def builtin_registry() -> Registry:
    """The registry with mesosim's built-in plugins only (third-party autoload off): what the
    ``reg`` fixtures of mesosim's own tests hold, independent of what else is installed."""
    from mesosim.host import load_registry

    return load_registry(autoload=False)


def edit_text(base: str, *pairs: tuple[str, str]) -> str:
    """``base`` with each ``(old, new)`` replaced in turn; each ``old`` must occur exactly once
    (in the text as edited so far), so an edit cannot silently miss or hit twice."""
    text = base
    for old, new in pairs:
        count = text.count(old)
        if count != 1:
            raise ValueError(f"edit_text: {old!r} occurs {count} times in the text, "
                             "expected exactly once")
        text = text.replace(old, new)
    return text


def findings_of(reg: Registry, text: str, path: str = "p.yaml") -> list[tuple[str, int, str | None]]:
    """``(rule, line, source)`` of each finding ``mesosim check`` reports on protocol ``text``
    (as if read from ``path``), in report order."""
    from mesosim.runner import check_text

    return [(f.rule, f.line, f.source) for f in check_text(text, reg, path).findings]


def shown_technique(reg: Registry, name: str) -> str:
    """The text ``mesosim techniques show NAME`` prints for technique ``name`` of ``reg``."""
    from mesosim.explain import show_technique

    return show_technique(reg, reg.techniques[name])


def expected_path(protocol: str) -> str:
    return protocol + ".expected"


def read_expected(protocol: str) -> list[Expected]:
    """The expected findings of a gallery file, sorted; ``[]`` if it has no ``.expected``."""
    path = expected_path(protocol)
    if not os.path.exists(path):
        return []
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 3 or not parts[2].isdigit():
                raise ValueError(f"{path}:{n}: expected 'CODE KIND LINE', found {raw.strip()!r}")
            out.append((parts[0], parts[1], int(parts[2])))
    return sorted(out)


def actual(result: FileResult) -> list[Expected]:
    return sorted((f.rule, f.kind, f.line) for f in result.findings)


def gallery_files(root: str) -> Iterator[str]:
    from mesosim.loader import iter_files

    yield from iter_files([root])


def check_gallery_file(path: str, reg: Registry) -> tuple[list[Expected], list[Expected], str]:
    """(expected, actual, rendered findings) for one gallery file."""
    from mesosim.report import render_text
    from mesosim.runner import Report, check_file

    result = check_file(path, reg)
    text = render_text(Report((result,)), reg)
    return read_expected(path), actual(result), text


def assert_gallery_file(path: str, reg: Registry) -> None:
    """Fail with a readable diff unless ``path`` gives exactly its expected findings."""
    expected, got, text = check_gallery_file(path, reg)
    if expected != got:
        missing = [e for e in expected if e not in got]
        extra = [g for g in got if g not in expected]
        raise AssertionError(
            f"{path}: findings differ from {expected_path(path)}\n"
            f"  expected but not found: {missing}\n  found but not expected: {extra}\n"
            f"mesosim said:\n{text}"
        )
