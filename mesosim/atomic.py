"""Write a file atomically: a temporary file in the same folder, then ``os.replace``.

A reader never sees half a report, and an interrupted run leaves the old file whole.
"""

from __future__ import annotations

import os
import tempfile


def write_atomic(path: str, text: str | bytes) -> None:
    """Replace ``path`` with ``text`` in one step."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".mesosim-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8") if isinstance(text, str) else text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
