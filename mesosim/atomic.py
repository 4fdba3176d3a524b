"""Write a file atomically and safely (layer 0): a temporary file in the same folder, then
``os.replace``.

A reader never sees half a report, and an interrupted run leaves the old file whole. Only a
regular file (or a new path) is ever written: a device or a pipe given as ``-o`` (as root,
``/dev/null`` would be replaced by a regular file) is refused before any work is done
(:func:`output_problem`). An existing file keeps its permissions; a new one gets the user's
umask, as any file a program creates (hostile input, round 2).
"""

from __future__ import annotations

import os
import stat


def output_problem(path: str) -> str | None:
    """Why ``path`` cannot take a report, or ``None``: checked before the work starts."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            return f"the folder {folder} does not exist"
        if not os.access(folder, os.W_OK):
            return f"the folder {folder} is not writable"
        return None
    except OSError as exc:
        return exc.strerror or str(exc)
    if stat.S_ISDIR(st.st_mode):
        return "it is a folder"
    if not stat.S_ISREG(st.st_mode):
        return "it is not a regular file (a device, a pipe or a socket); mesosim writes reports " \
               "to regular files only"
    folder = os.path.dirname(os.path.abspath(path))
    if not os.access(folder, os.W_OK):
        return f"the folder {folder} is not writable (the report is replaced atomically)"
    return None


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: str, text: str | bytes) -> None:
    """Replace ``path`` with ``text`` in one step; refuses anything but a regular file."""
    problem = output_problem(path)
    if problem is not None:
        raise OSError(f"cannot write {path}: {problem}")
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    folder = os.path.dirname(os.path.abspath(path))
    import tempfile  # only when a report is written: ~2.5 ms of start-up (shutil, random...)

    fd, tmp = tempfile.mkstemp(prefix=".mesosim-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)
            # a file name that is not UTF-8 (a student's folder) is written as an escape, never
            # a crash half-way through the report
            fh.write(text.encode("utf-8", "backslashreplace") if isinstance(text, str) else text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


#: the beginnings of the reports mesosim writes as JSON (check, simulate, class, SARIF)
_REPORT_HEADS = (b'{\n  "version": 1,\n  "files": [', b'{\n  "version": 1,\n  "path": ',
                 b'{\n  "version": 1,\n  "students": [', b'{\n  "version": 1,\n  "assignment": ',
                 b'{\n  "version": 1,\n  "tool": "mesosim",\n  "findings": [')


def is_mesosim_report(path: str) -> bool:
    """Whether ``path`` is a JSON report mesosim wrote (never a protocol to check)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    if head.startswith(_REPORT_HEADS):
        return True
    return head.startswith(b"{") and b"docs.oasis-open.org/sarif" in head and \
        b'"name": "mesosim"' in head
