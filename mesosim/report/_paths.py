"""Paths as the CI formats (SARIF, GitHub annotations) write them."""

from __future__ import annotations

import os
from urllib.parse import quote


def relative_uri(path: str) -> str:
    """``path`` as a relative URI with forward slashes (relative to the working folder, where CI
    checks out the repository), percent-encoded where a URI needs it."""
    rel = path
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path)
        except ValueError:  # another drive on Windows: keep the path, made a URI below
            rel = path
    rel = rel.replace(os.sep, "/")
    while rel.startswith("./"):
        rel = rel[2:]
    return quote(rel, safe="/-._~")
