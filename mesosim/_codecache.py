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
counts of the whole process under callgrind, which repeat exactly, and paired timed runs;
``python bench/run.py`` has the end figure): the regular expressions 470 -> 402 million
instructions (-14%), the code of attrs's own classes and of typing's annotations 402 -> 391
million; the code of mesosim's classes, kept since the cache's first version, 83 -> 74 ms.

How it answers, and why the answer is what compiling would have given:

* ``builtins.compile`` is replaced, while installed, by a function that answers only calls of
  generated code made with three arguments (a file name attrs gives its scripts,
  ``<attrs generated ...>``; typing's ``<string>`` in ``eval`` mode). The key is the source,
  the mode, the file name, the ``from __future__`` flags of the caller (which ``compile`` would
  have inherited) and the optimisation level (``-O``): the same key compiles to an equal code
  object. Only sources that compile without any warning are answered: attrs's scripts, and
  typing's annotations written as plain names (``tuple[str, ...] | None``). Every other call
  is passed on as made, with the caller's future flags as the builtin would inherit them.
  The one part of attrs's scripts that changes from run to run, the per-class salt of
  ``__hash__`` (from ``hash()`` of a string, randomised per process), is left out of their
  key: the salt only has to be the same for every instance of a class within one process,
  which a cached code object's salt is.
* regular expressions are not intercepted at all: at start, the kept programs are handed to
  ``_sre.compile`` (which validates a program before it accepts it) and the patterns put in
  ``re``'s own cache, where ``re.compile`` looks first; at the end, the patterns this run
  compiled are derived again as ``re`` derives them and kept only if the pattern object made
  from the program equals the one Python made (same pattern, flags and program) and deriving
  it raised no warning. The file is per exact Python version (``sys.hexversion``).
* only what this run used is kept once the file would pass ``_MAX_ENTRIES``; a run that uses
  more keeps nothing.
* anything unexpected (no cache folder, a file unreadable, from another version or holding
  anything else, a write that fails, a program refused) means compiling as Python would: the
  cache can make a run faster, never different;
* a file is read only if it is the user's own, no one else may write it (0600, written
  without following links) and it is at most 16 MiB, as the catalog cache does
  (:mod:`mesosim.plugin.cache`) and as Python trusts ``__pycache__``: entries that do not
  agree with their key are dropped (code compiled for another file name, a program whose
  groups do not read back, flags it lacks), but a consistent file the user's own programs
  rewrote is believed. Two consequences, by design: attrs's hash salt comes from the run that
  filled the cache, so under a fixed ``PYTHONHASHSEED`` an attrs instance's ``hash()`` differs
  from an uncached run's (mesosim's output never depends on it); and a cached compile skips
  the compiler's recursion check at a lowered recursion limit.

``MESOSIM_NO_CACHE=1`` turns it off; ``MESOSIM_CACHE_DIR`` moves it (default: the user's cache
folder, ``$XDG_CACHE_HOME/mesosim`` or ``~/.cache/mesosim``).
"""

# No ``from __future__`` import here: a call passed on from this module's frame must inherit
# no future flag of its own (the caller's are added explicitly).

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
#: a ``<string>`` source kept: a type written as names, dots, brackets, commas and bars (what
#: typing compiles for a NamedTuple's annotations), which compiles without any warning
_PLAIN_ANNOTATION = re.compile(r"[\w.\[\], |]+\Z")
#: a larger file is not read (a program's worth of entries is ~300 KB)
_MAX_BYTES = 16 * 1024 * 1024
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
    mesosim ``version``; return the function that takes the hook out and saves what was
    added. A second call returns the first call's function."""
    global _installed
    if _installed is not None:
        return _installed
    folder = cache_folder()
    if folder is None or getattr(builtins.compile, "_mesosim_cache", False):
        return _nothing
    path = os.path.join(folder, f"startup-{sys.implementation.cache_tag}-{sys.hexversion:x}-"
                                f"{version}.marshal")
    code_store, re_store = _load(path)
    used: set[Any] = set()
    added: list[int] = []
    real_compile = builtins.compile
    optimize = sys.flags.optimize
    try:
        import _sre

        preset = _preset(re_store, _sre)
    except Exception:  # noqa: BLE001 - no regular expression from the cache, then
        preset = set()
    used.update(preset)

    def compile_cached(*args: Any, **kwargs: Any) -> Any:
        try:
            caller: types.FrameType | None = sys._getframe(1)
        except ValueError:  # called from no Python frame at all (a thread started on it)
            caller = None
        if len(args) == 3 and not kwargs:
            source, filename, mode = args
            attrs_script = type(filename) is str and filename.startswith("<attrs generated")
            if type(source) is str and (attrs_script or (
                    filename == "<string>" and mode == "eval"
                    and _PLAIN_ANNOTATION.match(source))):
                future = caller.f_code.co_flags & _FUTURE_FLAGS if caller is not None else 0
                # attrs's scripts without their per-class salt (see the module's docstring)
                text = _SALT.sub("hash((", source) if attrs_script else source
                key = (text, f"{mode}:{filename}:{future}:{optimize}")
                code = code_store.get(key)
                if code is None:
                    code = code_store[key] = real_compile(source, filename, mode, future, True)
                    added.append(1)
                used.add(key)
                return code
        return _pass_on(real_compile, args, kwargs, caller)

    compile_cached._mesosim_cache = True  # type: ignore[attr-defined]
    builtins.compile = compile_cached

    def save() -> None:
        global _installed
        if builtins.compile is compile_cached:
            builtins.compile = real_compile
        _installed = None
        new = _learn_patterns(re_store, used)
        if not (added or new):
            return
        code, programs = code_store, re_store
        if len(code) + len(programs) > _MAX_ENTRIES:  # what this run used, no more
            if len(used) > _MAX_ENTRIES:
                return
            code = {k: v for k, v in code.items() if k in used}
            programs = {k: v for k, v in programs.items() if k in used}
        _save(folder, path, {"code": code, "re": programs})

    _installed = save
    return save


def _pass_on(real_compile: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
             caller: types.FrameType | None) -> Any:
    """``compile(*args, **kwargs)`` as the builtin does it for ``caller``: the caller's future
    flags added unless ``dont_inherit`` says otherwise; arguments the builtin would refuse
    passed as they are, for it to refuse."""
    import operator

    try:
        flags = operator.index(args[3] if len(args) > 3 else kwargs.get("flags", 0))
        dont = operator.index(args[4] if len(args) > 4 else kwargs.get("dont_inherit", False))
    except TypeError:
        return real_compile(*args, **kwargs)
    if not dont and caller is not None:
        future = caller.f_code.co_flags & _FUTURE_FLAGS
        if len(args) > 3:
            args = (*args[:3], flags | future, *args[4:])
        else:
            kwargs = {**kwargs, "flags": flags | future}
        if len(args) > 4:
            args = (*args[:4], True, *args[5:])
        else:
            kwargs = {**kwargs, "dont_inherit": True}
    return real_compile(*args, **kwargs)


#: ``re`` flags whose patterns are never kept: DEBUG prints while compiling, TEMPLATE warns
_UNKEPT_FLAGS = 128 | 1


def _preset(re_store: dict[Any, Any], sre: Any) -> set[Any]:
    """Put the kept patterns in ``re``'s cache; return their keys (those ``_sre`` refused are
    dropped from the store)."""
    cache = getattr(re, "_cache", None)
    if not isinstance(cache, dict):
        return set()
    room = getattr(re, "_MAXCACHE", 512) - len(cache)
    done: set[Any] = set()
    for key, kept in list(re_store.items()):
        if len(done) >= room:
            break
        pattern, flags = key
        try:
            cache[type(pattern), pattern, flags] = sre.compile(pattern, *kept)
            done.add(key)
        except Exception:  # noqa: BLE001 - a program it refuses: compiled as Python does
            del re_store[key]
    return done


def _learn_patterns(re_store: dict[Any, Any], used: set[Any]) -> int:
    """Keep the programs of the patterns in ``re``'s caches that the store lacks, derived as
    ``re`` derives them (CPython 3.8-3.13) and checked against the pattern Python made; mark
    every pattern this run had as used. Return how many were added."""
    try:
        import _sre
        import warnings
        from re import _compiler, _parser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - CPython has them
        return 0
    found: dict[Any, Any] = {}
    for name in ("_cache", "_cache2"):
        cache = getattr(re, name, None)
        if isinstance(cache, dict):
            found.update(cache)
    added = 0
    for (kind, pattern, flags), made in list(found.items()):
        key = (pattern, flags)
        if kind not in (str, bytes) or type(flags) is not int or flags & _UNKEPT_FLAGS:
            continue
        used.add(key)
        if key in re_store:
            continue
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                parsed = _parser.parse(pattern, flags)
                program = [int(op) for op in _compiler._code(parsed, flags)]
            groupindex = dict(parsed.state.groupdict)
            indexgroup: list[str | None] = [None] * parsed.state.groups
            for group, i in groupindex.items():
                indexgroup[i] = group
            kept = (int(flags | parsed.state.flags), program, parsed.state.groups - 1,
                    groupindex, tuple(indexgroup))
            if not caught and _sre.compile(pattern, *kept) == made:
                re_store[key] = kept
                added += 1
        except Exception:  # noqa: BLE001, S112 - not kept: the next run compiles it again
            continue
    return added


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
        if ((getuid is not None and st.st_uid != getuid()) or st.st_mode & 0o022
                or st.st_size > _MAX_BYTES):
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
            and len(code) + len(programs) <= _MAX_ENTRIES):
        return {}, {}
    # code under the key it was compiled for (a file of the user's is trusted, as
    # __pycache__ is; entries swapped between classes are not); any other entry is dropped
    code = {k: c for k, c in code.items() if isinstance(c, types.CodeType) and type(k) is tuple
            and len(k) == 2 and type(k[1]) is str
            and k[1].partition(":")[2].rsplit(":", 2)[0] == c.co_filename}
    programs = {k: v for k, v in programs.items() if _is_program(k, v)}
    return code, programs


def _is_program(key: Any, kept: Any) -> bool:
    """Whether ``kept`` has the shape of what :func:`_learn_patterns` stores for ``key``; its
    program (a list of opcodes) is checked by ``_sre.compile`` itself, which refuses anything
    else."""
    if not (type(key) is tuple and len(key) == 2 and type(key[0]) in (str, bytes)
            and type(key[1]) is int and not key[1] & _UNKEPT_FLAGS
            and type(kept) is tuple and len(kept) == 5
            and type(kept[0]) is int and kept[0] & key[1] == key[1]
            and type(kept[1]) is list and type(kept[2]) is int
            and type(kept[3]) is dict and type(kept[4]) is tuple):
        return False
    groups, groupindex, indexgroup = kept[2], kept[3], kept[4]
    # the groups agree with each other (their names read back both ways)
    return (len(indexgroup) == groups + 1 and all(
        type(i) is int and 0 < i <= groups and indexgroup[i] == name
        for name, i in groupindex.items())
        and sum(n is not None for n in indexgroup) == len(groupindex))


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
    every file of the cache's earlier form (``attrs-*.marshal``)."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(_PREFIXES)
                   and e.name.endswith(".marshal") and e.is_file(follow_symlinks=False)]
        entries.sort(key=lambda e: (e.name.startswith(_PREFIXES[0]),
                                    e.stat(follow_symlinks=False).st_mtime_ns), reverse=True)
        for i, e in enumerate(entries):
            if i >= keep or not e.name.startswith(_PREFIXES[0]):
                os.unlink(e.path)
    except OSError:
        pass


def _nothing() -> None:
    return None
