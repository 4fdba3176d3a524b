"""mesosim's own entry-point scan gives what importlib.metadata gives, and reads dist-info."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points as std_entry_points

from mesosim.plugin.entrypoints import entry_points


def _key(eps):
    return sorted((e.name, e.value, e.dist.name if e.dist else None,
                   e.dist.version if e.dist else None) for e in eps)


def test_same_answer_as_importlib_metadata():
    for group in ("mesosim", "console_scripts", "pytest11"):
        assert _key(entry_points(group)) == _key(std_entry_points(group=group)), group


def test_reads_a_dist_info_folder_and_loads(tmp_path, monkeypatch):
    info = tmp_path / "acme_pen-2.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-pen\nVersion: 2.1\n\nbody\n")
    (info / "entry_points.txt").write_text(
        "[console_scripts]\nx = y:z\n\n[mesosim]\n# a comment\nacme = acme_pen_mod:thing [extra]\n")
    (tmp_path / "acme_pen_mod.py").write_text("thing = 42\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    (ep,) = [e for e in entry_points("mesosim") if e.name == "acme"]
    assert (ep.value, ep.dist.name, ep.dist.version) == ("acme_pen_mod:thing", "acme-pen", "2.1")
    assert ep.load() == 42


def test_first_distribution_of_a_name_wins(tmp_path, monkeypatch):
    for folder, version in (("a", "1.0"), ("b", "2.0")):
        info = tmp_path / folder / f"acme_pen-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Name: acme-pen\nVersion: {version}\n\n")
        (info / "entry_points.txt").write_text("[mesosim]\nacme = acme_pen_mod\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "a"), str(tmp_path / "b"), *sys.path])
    assert [e.dist.version for e in entry_points("mesosim") if e.name == "acme"] == ["1.0"]
