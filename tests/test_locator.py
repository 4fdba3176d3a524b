"""Positions found when asked (mesosim.loader._Locator) are the ones the loader used to record
for every node while reading: an independent walk records them here as it did (a value's node
11 levels down at most, every key at any depth, a repeated key's first entry), and every path
of every gallery and hostile file, and of generated documents, is asked of both."""

from __future__ import annotations

import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mesosim.loader import _compose, load_text

from .conftest import PROTOCOLS, ROOT

HOSTILE = os.path.join(ROOT, "tests", "hostile")
STD = "tag:yaml.org,2002:"


def recorded(node: yaml.Node, data: object) -> tuple[dict, dict]:
    """``positions`` and ``key_positions`` as the loader recorded them (0.3.0.dev0 and
    earlier), keyed by the data's own keys (the loader's reading of a key node)."""
    positions: dict = {}
    keys: dict = {}

    def walk(n: yaml.Node, value: object, path: tuple) -> None:
        if len(path) <= 11:
            positions[path] = (n.start_mark.line + 1, n.start_mark.column + 1)
        if isinstance(n, yaml.MappingNode) and isinstance(value, dict):
            seen = set()
            for knode, vnode in n.value:
                key = key_of(knode)
                if key in seen:  # the data keeps a key's first entry
                    continue
                seen.add(key)
                keys[path + (key,)] = (knode.start_mark.line + 1, knode.start_mark.column + 1)
                walk(vnode, value[key], path + (key,))
        elif isinstance(n, yaml.SequenceNode) and isinstance(value, list):
            for i, (item, v) in enumerate(zip(n.value, value, strict=True)):
                walk(item, v, path + (i,))

    walk(node, data, ())
    return positions, keys


def key_of(knode: yaml.Node) -> str:
    """A key as the loader reads it: text as it is, other scalars as text (``true``, ``1``)."""
    if knode.tag == STD + "str":
        return str(knode.value)
    try:
        value = yaml.constructor.SafeConstructor().construct_object(knode)
    except Exception:  # noqa: BLE001 - a value its tag does not fit (!!int ''): read as text
        return str(knode.value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def agree(text: str, name: str) -> int:
    """Every recorded path (and a few that are not) placed alike; how many were asked."""
    doc = load_text(text, name)
    if doc.data is None:
        return 0
    node = _compose(text.lstrip("\ufeff"))
    positions, keys = recorded(node, doc.data)
    for path, pos in positions.items():
        assert doc.pos(path) == pos, (name, path)
        # a path under it that does not exist: its nearest ancestor's place
        assert doc.pos(path + ("no such key", 7)) == pos, (name, path)
    for path, pos in keys.items():
        assert doc.key_pos(path) == pos, (name, path)
        if len(path) > 11:  # deeper values are placed at their ancestor 11 levels down
            assert doc.pos(path) == positions[path[:11]], (name, path)
    assert doc.key_pos(()) == positions[()]
    return len(positions)


def files(top: str) -> list[str]:
    return sorted(os.path.join(d, f) for d, _s, fs in os.walk(top) for f in fs
                  if f.endswith((".yaml", ".yml", ".json")))


def test_every_gallery_and_hostile_file_is_placed_as_recorded():
    asked = 0
    for path in files(PROTOCOLS) + files(HOSTILE):
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        if len(text) < 300_000:
            asked += agree(text, path)
    assert asked > 5_000


def test_a_repeated_key_is_placed_at_its_first_entry_and_named_in_the_problem():
    text = "mesosim: 1\npatient:\n  age: 30\n  age: 40\n1: a\n'1': b\ntrue: c\n"
    doc = load_text(text, "p.yaml")
    assert doc.data["patient"]["age"] == 30
    assert doc.key_pos(("patient", "age")) == (3, 3) and doc.pos(("patient", "age")) == (3, 8)
    assert doc.key_pos(("1",)) == (5, 1) and doc.pos(("true",)) == (7, 7)
    (dup, dup1) = [p for p in doc.problems if "duplicate" in p.message]
    assert "first at line 3" in dup.message and dup.pos == (4, 3)
    assert "first at line 5" in dup1.message and dup1.pos == (6, 1)


scalars = st.one_of(st.integers(-5, 5), st.booleans(), st.text("abc xyz:-", max_size=6), st.none())
keys = st.one_of(st.sampled_from(["a", "b", "c", "1", "true", "x y"]), st.integers(0, 3))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values, st.sampled_from([None, False, True]))
def test_generated_documents_are_placed_as_recorded(value, flow):
    text = yaml.safe_dump({"mesosim": 1, "v": value}, default_flow_style=flow, sort_keys=False)
    agree(text, "g.yaml")


def test_a_deep_value_is_placed_at_its_ancestor_eleven_levels_down():
    text = "mesosim: 1\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(20)) + "  " * 20 + "- x\n"
    assert agree(text, "deep.yaml") == 13  # the top, then k0 ... k10 and mesosim
    doc = load_text(text, "deep.yaml")
    deep = tuple(f"k{i}" for i in range(20)) + (0,)
    assert doc.pos(deep) == doc.pos(deep[:11]) == (13, 23)  # k11, the value of k10
    assert doc.key_pos(deep[:15]) == (16, 29)


def test_finding_many_places_in_a_large_mapping_reads_it_once(monkeypatch):
    """Repeated keys and findings by the thousand: each mapping is indexed once (a scan per
    key or per finding made a 59 KB file take 26 s)."""
    import mesosim.loader as loader

    calls: list[int] = []
    real = loader._first_entries

    def counting(node, json_mode):  # noqa: ANN001, ANN202
        calls.append(len(node.value))
        return real(node, json_mode)

    monkeypatch.setattr(loader, "_first_entries", counting)
    keys = "".join(f"  {i}: x\n" for i in range(2000))
    text = "mesosim: 1\nv:\n" + keys + "".join("  1999: y\n" for _ in range(2000))
    doc = load_text(text, "many.yaml")
    assert len([p for p in doc.problems if "duplicate" in p.message]) == 2000
    assert calls == [4000]  # the repeated keys' mapping, once
    for i in range(2000):
        assert doc.key_pos(("v", str(i))) == (3 + i, 3)
        assert doc.pos(("v", str(i), "nothing")) == (3 + i, 5 + len(str(i)))
    assert sorted(calls) == [2, 4000, 4000]  # + the top level and that mapping, once each
