"""Keep what start-up compiles from one run of the command line to the next.

Python keeps the bytecode of modules in ``__pycache__``. Two more things are compiled at every
start of ``mesosim check``, before it reads a byte, and nothing keeps them:

* **generated code**: attrs writes the source of each class's ``__init__``, ``__repr__``,
  ``__eq__`` and ``__hash__`` and compiles it when the class is defined (~60 calls of
  ``compile`` for mesosim's classes and attrs's own), and typing compiles each string
  annotation of a ``NamedTuple`` (~80 calls);
* **regular expressions**: ``re.compile`` translates a pattern into the program the C matcher
  runs, in pure Python. PyYAML compiles ten patterns at import (its reader's class of
  printable characters spans the whole of Unicode), click, attrs and mesosim a few dozen more.

This module keeps both in one ``marshal`` file, for the command line only: :func:`install` is
called by ``mesosim.__main__.main`` (the console script) before it imports click, and again by
``mesosim.cli.main`` (which then gets the same saver), never on ``import mesosim``, so a program
that imports mesosim is left alone. Measured on one small file (speed round 2, instruction
counts of the whole process under callgrind, which are repeatable, and paired timed runs;
``python bench/run.py`` has the end figure): the regular expressions 470 -> 402 million
instructions (-14%), the code of attrs's own classes and of typing's annotations 402 -> 391
million; the code of mesosim's classes, kept since the cache's first version, 83 -> 74 ms.

How it answers, and why the answer is what compiling would have given:

* ``builtins.compile`` is replaced, while installed, by a function that answers only the calls
  of generated code (a file name attrs gives its scripts, ``<attrs generated ...>``; typing's
  ``<string>`` in ``eval`` mode) and passes every other call on. The key is the source, the
  mode, the file name and the ``from __future__`` flags of the caller, which ``compile`` would
  have inherited: the same key compiles to an equal code object. The one part of attrs's
  scripts that changes from run to run, the per-class salt of ``__hash__`` (from ``hash()`` of a
  string, randomised per process), is left out of the key: the salt only has to be the same for
  every instance of a class within one process, which a cached code object's salt is.
* ``re._compiler.compile`` is replaced by a function that, for a pattern it has kept, hands
  the kept program to ``_sre.compile`` (which validates a program before it accepts it). For
  a pattern it has not, it compiles as Python does, derives the program the same way, and keeps
  it only if the pattern object made from it equals the one Python made (same pattern, flags
  and program). The file is per exact Python version (``sys.hexversion``).
* anything unexpected (no cache folder, a file unreadable, from another version or holding
  anything else, a write that fails, a hook that raises) means compiling as Python would: the
  cache can make a run faster, never different;
* a file is read only if it is the user's own and no one else may write it (0600, written
  without following links), as the catalog cache does (:mod:`mesosim.plugin.cache`).

``MESOSIM_NO_CACHE=1`` turns it off; ``MESOSIM_CACHE_DIR`` moves it (default: the user's cache
folder, ``$XDG_CACHE_HOME/mesosim`` or ``~/.cache/mesosim``).
"""

from __future__ import annotations

import builtins
import os
import re
import sys
import types
from collections.abc import Callable
from typing import Any

#: the salt attrs puts first in a generated ``__hash__``: ``hash((\n    -4533259805664591630,``
_SALT = re.compile(r"hash\(\(\s*-?\d+,")
#: past this many entries (of either kind) the file is started afresh (old classes of an edited
#: checkout, patterns of other versions)
_MAX_ENTRIES = 4000
#: the flags of ``from __future__`` imports a code object carries and ``compile`` inherits
_FUTURE_FLAGS = 0x3FE0000
#: the file name prefixes this and earlier versions wrote; the newest few are kept
_PREFIXES = ("startup-", "attrs-")

#: the saver of the installed cache (install() is called twice on the command line's path)
_installed: Callable[[], None] | None = None


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
    """Answer the compiles of generated code and of regular expressions from the cache of
    mesosim ``version``; return the function that takes the hooks out and saves what was
    added. A second call returns the first call's function."""
    global _installed
    if _installed is not None:
        return _installed
    folder = cache_folder()
    if folder is None or getattr(builtins.compile, "_mesosim_cache", False):
        return _nothing
    try:
        import _sre
        from re import _compiler, _parser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - CPython has both
        return _nothing
    path = os.path.join(folder, f"startup-{sys.implementation.cache_tag}-{sys.hexversion:x}-"
                                f"{version}.marshal")
    code_store, re_store = _load(path)
    added: list[int] = []
    real_compile = builtins.compile
    real_re = _compiler.compile

    def compile_cached(source: Any, filename: Any, mode: Any, flags: Any = 0,
                       dont_inherit: Any = False, optimize: Any = -1, **kwargs: Any) -> Any:
        if not dont_inherit and type(flags) is int:
            # what compile would inherit from its caller: the caller's future imports (never
            # this module's, hence dont_inherit below)
            flags |= sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS
            dont_inherit = True
        if (kwargs or optimize != -1 or type(flags) is not int or flags & ~_FUTURE_FLAGS
                or type(source) is not str or type(filename) is not str
                or not (filename.startswith("<attrs generated")
                        or (filename == "<string>" and mode == "eval"))):
            return real_compile(source, filename, mode, flags, dont_inherit, optimize, **kwargs)
        key = (_SALT.sub("hash((", source), f"{mode}:{filename}:{flags}")
        code = code_store.get(key)
        if code is None:
            code = code_store[key] = real_compile(source, filename, mode, flags, True)
            added.append(1)
        return code

    compile_cached._mesosim_cache = True  # type: ignore[attr-defined]

    def re_cached(p: Any, flags: Any = 0) -> Any:
        if type(p) not in (str, bytes) or type(flags) is not int or flags & re.DEBUG:
            return real_re(p, flags)
        key = (p, flags)
        kept = re_store.get(key)
        if kept is not None:
            try:
                return _sre.compile(p, *kept)
            except Exception:  # noqa: BLE001 - a program it refuses: compile as Python does
                del re_store[key]
        made = real_re(p, flags)
        try:  # the program, derived as re._compiler.compile derives it (CPython 3.8-3.13)
            parsed = _parser.parse(p, flags)
            program = [int(op) for op in _compiler._code(parsed, flags)]
            groupindex = dict(parsed.state.groupdict)
            indexgroup: list[str | None] = [None] * parsed.state.groups
            for name, i in groupindex.items():
                indexgroup[i] = name
            kept = (int(flags | parsed.state.flags), program, parsed.state.groups - 1,
                    groupindex, tuple(indexgroup))
            if _sre.compile(p, *kept) == made:
                re_store[key] = kept
                added.append(1)
        except Exception:  # noqa: BLE001, S110 - not kept: the next run compiles it again
            pass
        return made

    builtins.compile = compile_cached
    _compiler.compile = re_cached

    def save() -> None:
        global _installed
        if builtins.compile is compile_cached:
            builtins.compile = real_compile
        if _compiler.compile is re_cached:
            _compiler.compile = real_re
        _installed = None
        if added:
            _save(folder, path, {"code": code_store, "re": re_store})

    _installed = save
    return save


def _load(path: str) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """The two stores of the file at ``path``, or empty ones for anything unexpected."""
    import marshal

    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return {}, {}
    try:
        st = os.fstat(fd)
        getuid = getattr(os, "getuid", None)
        # code is only taken from a file of the user's that nobody else may write
        if (getuid is not None and st.st_uid != getuid()) or st.st_mode & 0o022:
            return {}, {}
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            # read whole, then decoded: marshal.load reading a file object item by item took
            # 13.7 ms for this ~300 KB file, marshal.loads of its bytes 2.4 ms (speed round 2)
            loaded = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return {}, {}
    finally:
        if fd != -1:
            os.close(fd)
    if not isinstance(loaded, dict):
        return {}, {}
    code, programs = loaded.get("code"), loaded.get("re")
    if not (isinstance(code, dict) and isinstance(programs, dict)
            and len(code) + len(programs) < _MAX_ENTRIES):
        return {}, {}
    if not all(isinstance(c, types.CodeType) for c in code.values()):
        code = {}
    if not all(_is_program(k, v) for k, v in programs.items()):
        programs = {}
    return code, programs


def _is_program(key: Any, kept: Any) -> bool:
    """Whether ``kept`` has the shape of what ``re_cached`` stores for ``key``; its program
    (a list of opcodes) is checked by ``_sre.compile`` itself, which refuses anything else."""
    return (type(key) is tuple and len(key) == 2 and type(key[0]) in (str, bytes)
            and type(key[1]) is int and type(kept) is tuple and len(kept) == 5
            and type(kept[0]) is int and type(kept[1]) is list and type(kept[2]) is int
            and type(kept[3]) is dict and type(kept[4]) is tuple)


def _save(folder: str, path: str, stores: dict[str, Any]) -> None:
    import marshal

    tmp = f"{path}.{os.getpid()}-{os.urandom(4).hex()}.tmp"
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        # a new file of the user's only: never through a link planted in a shared folder
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL |
                     getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            marshal.dump(stores, fh)
        os.replace(tmp, path)
        _prune(folder)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _prune(folder: str, keep: int = 4) -> None:
    """Keep the ``keep`` newest start-up files (one per Python and mesosim version); remove
    the files of earlier versions of this cache."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(_PREFIXES)
                   and e.name.endswith(".marshal") and e.is_file(follow_symlinks=False)]
        entries.sort(key=lambda e: (e.name.startswith(_PREFIXES[0]),
                                    e.stat(follow_symlinks=False).st_mtime_ns), reverse=True)
        for e in entries[keep:]:
            os.unlink(e.path)
    except OSError:
        pass


def _nothing() -> None:
    return None
