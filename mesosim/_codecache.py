"""Keep the code attrs generates for each class from one run of the command line to the next.

attrs writes the source of each class's ``__init__``, ``__repr__``, ``__eq__`` and ``__hash__``
and compiles it when the class is defined: for the ~55 classes a ``mesosim check`` defines,
~120 calls of ``compile`` and ~9 ms of a ~85 ms run (speed round 2, measured paired). Python
keeps the bytecode of modules in ``__pycache__``; nothing keeps attrs's. This module does, for
the command line only (:func:`install` is called by ``mesosim.cli.main``, never on import, so a
program that imports mesosim is left alone):

* attrs's module looks ``compile`` up in its globals before the builtins, so a function of
  that name placed there sees every script attrs compiles and may answer from the cache;
* the cache is one ``marshal`` file per Python, attrs (its file) and mesosim version, keyed on the script
  and its file name. The one part of a script that changes from run to run, the per-class salt
  of ``__hash__`` (derived from ``hash()`` of a string, randomised per process), is left out of
  the key: the salt only has to be the same for every instance of a class within one process,
  which a cached code object's salt is;
* anything unexpected (no cache folder, a file unreadable, from another version or holding
  anything but code, a write that fails) means compiling as attrs would: the cache can make a
  run faster, never different;
* code is read only from a file of the user's that no one else may write (0600, written
  without following links), as the catalog cache does.

``MESOSIM_NO_CACHE=1`` turns it off; ``MESOSIM_CACHE_DIR`` moves it (default: the user's cache
folder, ``$XDG_CACHE_HOME/mesosim`` or ``~/.cache/mesosim``).
"""

from __future__ import annotations

import os
import re
import sys
import types
from collections.abc import Callable
from typing import Any

#: the salt attrs puts first in a generated ``__hash__``: ``hash((\n    -4533259805664591630,``
_SALT = re.compile(r"hash\(\(\s*-?\d+,")
#: past this many entries the file is started afresh (old classes of an edited checkout)
_MAX_ENTRIES = 4000


def cache_folder() -> str | None:
    """Where mesosim keeps its caches, or ``None`` when they are turned off."""
    if os.environ.get("MESOSIM_NO_CACHE", "") not in ("", "0"):
        return None
    folder = os.environ.get("MESOSIM_CACHE_DIR")
    if folder:
        return folder
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mesosim")


def install(version: str) -> Callable[[], None]:
    """Answer attrs's ``compile`` calls from the cache of mesosim ``version``; return the
    function that saves what was added."""
    folder = cache_folder()
    try:
        import attr._make as make

        # attrs's own file tells its version apart: ``attr.__version__`` would import
        # importlib.metadata (~20 ms)
        made = os.stat(make.__file__)
    except (ImportError, OSError, TypeError):  # pragma: no cover - attrs is a dependency
        return _nothing
    if folder is None or "compile" in vars(make):
        return _nothing
    path = os.path.join(folder, f"attrs-{sys.implementation.cache_tag}-{made.st_size}-"
                                f"{made.st_mtime_ns}-{version}.marshal")
    import marshal

    store: dict[tuple[str, str], Any] = {}
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            st = os.fstat(fd)
            getuid = getattr(os, "getuid", None)
            # code is only taken from a file of the user's that nobody else may write
            if (getuid is None or st.st_uid == getuid()) and not st.st_mode & 0o022:
                with os.fdopen(fd, "rb") as fh:
                    fd = -1
                    loaded = marshal.load(fh)
                if isinstance(loaded, dict) and len(loaded) < _MAX_ENTRIES and all(
                        isinstance(c, types.CodeType) for c in loaded.values()):
                    store = loaded
        finally:
            if fd != -1:
                os.close(fd)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    added: list[int] = []

    def compile_cached(source: Any, filename: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(source, str) or args or kwargs:
            return compile(source, filename, mode, *args, **kwargs)
        key = (_SALT.sub("hash((", source), f"{mode}:{filename}")
        code = store.get(key)
        if code is None:
            code = store[key] = compile(source, filename, mode)
            added.append(1)
        return code

    make.compile = compile_cached  # type: ignore[attr-defined]

    def save() -> None:
        del make.compile  # type: ignore[attr-defined]
        if not added:
            return
        tmp = f"{path}.{os.getpid()}-{os.urandom(4).hex()}.tmp"
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            # a new file of the user's only: never through a link planted in a shared folder
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL |
                         getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as fh:
                marshal.dump(store, fh)
            os.replace(tmp, path)
            _prune(folder)
        except (OSError, ValueError):
            try:
                os.unlink(tmp)
            except OSError:
                pass

    return save


def _prune(folder: str, keep: int = 4) -> None:
    """Keep the ``keep`` newest code files (one per Python, attrs and mesosim version)."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith("attrs-")
                   and e.name.endswith(".marshal") and e.is_file(follow_symlinks=False)]
        entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime_ns, reverse=True)
        for e in entries[keep:]:
            os.unlink(e.path)
    except OSError:
        pass


def _nothing() -> None:
    return None
