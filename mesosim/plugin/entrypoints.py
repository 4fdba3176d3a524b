"""Find the entry points of one group without paying importlib.metadata's start-up.

``importlib.metadata`` costs ~27 ms per run to import and scan (it parses every installed
distribution's metadata with the ``email`` package): a sixth of ``mesosim check`` on one file.
The files it reads are standardised (the ``*.dist-info`` folder's ``entry_points.txt`` and
``METADATA``, PyPA "Recording installed projects"), so this module reads them directly, in
``sys.path`` order, the first distribution of a name winning as in importlib.metadata. Anything
else on ``sys.path`` (a zip file, an egg) falls back to importlib.metadata, which handles every
case; ``tests/test_entrypoints.py`` checks both give the same answer.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from typing import NamedTuple

_NORMALISE = re.compile(r"[-_.]+")


class Distribution(NamedTuple):
    name: str
    version: str


class EntryPoint(NamedTuple):
    """The parts of ``importlib.metadata.EntryPoint`` the plugin host uses."""

    name: str
    value: str
    group: str
    dist: Distribution | None

    def load(self) -> object:
        module, _, attr = self.value.partition(":")
        obj: object = importlib.import_module(module.strip())
        for part in attr.strip().split(".") if attr.strip() else ():
            obj = getattr(obj, part)
        return obj


def _header(path: str) -> dict[str, str]:
    """``Name`` and ``Version`` from a METADATA/PKG-INFO header."""
    out: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                if key in ("Name", "Version"):
                    out[key] = value.strip()
                    if len(out) == 2:
                        break
    except OSError:
        pass
    return out


def _group(path: str, group: str) -> list[tuple[str, str]]:
    """``(name, value)`` pairs of ``[group]`` in an ``entry_points.txt``."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return []
    found, inside = [], False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line[0] == "[":
            inside = line == f"[{group}]"
        elif inside and "=" in line:
            name, _, value = line.partition("=")
            found.append((name.strip(), value.split("[", 1)[0].strip()))
    return found


def _fallback(group: str) -> list[EntryPoint]:
    from importlib.metadata import entry_points

    return [EntryPoint(ep.name, ep.value, group,
                       Distribution(ep.dist.name, ep.dist.version) if ep.dist else None)
            for ep in entry_points(group=group)]


def entry_points(group: str) -> list[EntryPoint]:
    """Every entry point of ``group`` declared by the distributions on ``sys.path``."""
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for folder in sys.path:
        folder = folder or "."
        if not os.path.isdir(folder) or folder.endswith(".egg"):
            if os.path.isfile(folder):  # a zip or an egg: let the standard library read it
                return _fallback(group)
            continue
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for entry in names:
            if entry.endswith(".dist-info"):
                meta = "METADATA"
            elif entry.endswith(".egg-info"):
                meta = "PKG-INFO"
            else:
                continue
            # the folder is {name}-{version}.dist-info; the first of a name on sys.path wins
            stem = entry.rsplit(".", 1)[0]
            key = _NORMALISE.sub("-", stem.split("-", 1)[0]).lower()
            if key in seen:
                continue
            seen.add(key)
            base = os.path.join(folder, entry)
            pairs = _group(os.path.join(base, "entry_points.txt"), group)
            if not pairs:
                continue
            header = _header(os.path.join(base, meta))  # read only for the few that match
            dist = Distribution(header.get("Name", stem.split("-", 1)[0]),
                                header.get("Version", "?"))
            found.extend(EntryPoint(ep_name, value, group, dist) for ep_name, value in pairs)
    return found
