"""The gallery convention (layer 5): a protocol file ``NAME.yaml`` may have
``NAME.yaml.expected`` next to it, one expected finding a line: ``CODE KIND LINE`` (``#`` starts
a comment). A file without one must give no finding at all. Used by mesosim's own gallery test
and by the conformance suite on a vendor's samples."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mesosim.plugin.host import PluginHost
    from mesosim.results import FileResult

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


def check_gallery_file(path: str, host: PluginHost) -> tuple[list[Expected], list[Expected], str]:
    """(expected, actual, rendered findings) for one gallery file."""
    from mesosim.findings import finding_line
    from mesosim.runner import check_file

    result = check_file(path, host)
    text = "\n".join(finding_line(f) for f in result.findings)
    return read_expected(path), actual(result), text


def assert_gallery_file(path: str, host: PluginHost) -> None:
    """Fail with a readable diff unless ``path`` gives exactly its expected findings."""
    expected, got, text = check_gallery_file(path, host)
    if expected != got:
        missing = [e for e in expected if e not in got]
        extra = [g for g in got if g not in expected]
        raise AssertionError(
            f"{path}: findings differ from {expected_path(path)}\n"
            f"  expected but not found: {missing}\n  found but not expected: {extra}\n"
            f"mesosim said:\n{text}"
        )
