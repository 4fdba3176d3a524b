"""Paths as the CI formats (SARIF, GitHub annotations) write them: relative to the
repository's root (the nearest folder above the working folder holding ``.git``, else the
working folder), so that code scanning places a finding whatever sub-folder mesosim ran in."""

from __future__ import annotations

import functools
import os
from urllib.parse import quote

#: the SARIF base the relative URIs are resolved against
SRCROOT = "%SRCROOT%"


@functools.lru_cache(maxsize=8)
def _root_of(cwd: str) -> str:
    here = cwd
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return cwd
        here = parent


def repository_root() -> str:
    """The nearest folder at or above the working folder holding ``.git``, else the working
    folder."""
    return _root_of(os.getcwd())


def relative_uri(path: str) -> str:
    """``path`` as a URI relative to :func:`repository_root`, with forward slashes,
    percent-encoded where a URI needs it (a path outside the root stays as it can)."""
    root = repository_root()
    full = os.path.abspath(path)
    try:
        rel = os.path.relpath(full, root)
    except ValueError:  # another drive on Windows: keep the path, made a URI below
        rel = path
    if rel.startswith(".."):  # outside the repository: relative to the working folder
        try:
            rel = os.path.relpath(full)
        except ValueError:
            rel = path
    rel = rel.replace(os.sep, "/")
    while rel.startswith("./"):
        rel = rel[2:]
    return quote(rel, safe="/-._~")
