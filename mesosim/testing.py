"""Test helpers for mesosim and for vendors' plugins, and the conformance suite.

Vendors call :func:`assert_conformance` from one test (see :mod:`mesosim.conformance` and
``docs/writing-a-plugin.md``)::

    from mesosim.testing import assert_conformance

    def test_conformance():
        assert_conformance("my-device")

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
    "check_conformance",
    "check_gallery_file",
    "expected_path",
    "gallery_files",
    "read_expected",
]

Expected = tuple[str, str, int]


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
