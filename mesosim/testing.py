"""Test helpers for mesosim and for vendors' plugins, and the conformance suite.

Vendors call :func:`assert_conformance` from one test (see :mod:`mesosim.conformance` and
``docs/writing-a-plugin.md``)::

    from mesosim.testing import assert_conformance

    def test_conformance():
        assert_conformance("my-device")

Helpers for a plugin's own tests: :func:`builtin_host` (the plugin host a ``reg`` fixture
holds), :func:`edit_text` (a variant of a base protocol), :func:`findings_of` (what
``mesosim check`` reports on a text, as ``(rule, line, source)``) and :func:`shown_technique`
(what ``mesosim techniques show NAME`` prints)::

    from mesosim.testing import edit_text, findings_of

    def test_too_deep(reg):
        text = edit_text(BASE, ("depth: 1.5 mm", "depth: 3 mm"))
        assert findings_of(reg, text) == [("MS401", 13, "002:11")]

Gallery convention (:mod:`mesosim.gallery`): a protocol file ``NAME.yaml`` may have
``NAME.yaml.expected`` next to it, one expected finding a line: ``CODE KIND LINE``. A file
without one must give no finding at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesosim.conformance import ConformanceError, assert_conformance, check_conformance
from mesosim.gallery import (
    actual,
    assert_gallery_file,
    check_gallery_file,
    expected_path,
    gallery_files,
    read_expected,
)

if TYPE_CHECKING:
    from mesosim.plugin.host import PluginHost

__all__ = [
    "ConformanceError",
    "actual",
    "assert_conformance",
    "assert_gallery_file",
    "builtin_host",
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


def builtin_host() -> PluginHost:
    """The plugin host with mesosim's built-in plugins only (third-party autoload off): what
    the ``reg`` fixtures of mesosim's own tests hold, independent of what else is installed."""
    from mesosim.plugin.host import load_host

    return load_host(autoload=False)


#: the name this helper had before the plugin host and the catalog were split (0.1)
builtin_registry = builtin_host


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


def findings_of(host: PluginHost, text: str, path: str = "p.yaml") -> list[tuple[str, int, str | None]]:
    """``(rule, line, source)`` of each finding ``mesosim check`` reports on protocol ``text``
    (as if read from ``path``), in report order."""
    from mesosim.runner import check_text

    return [(f.rule, f.line, f.source) for f in check_text(text, host, path).findings]


def shown_technique(host: PluginHost, name: str) -> str:
    """The text ``mesosim techniques show NAME`` prints for technique ``name`` of ``host``."""
    from mesosim.describe import show_technique

    return show_technique(host.catalog, host.catalog.techniques[name])


