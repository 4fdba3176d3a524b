"""Keep the merged catalog of the plugins' declarations from one run of the command line to the
next (layer 4, speed round 2).

Loading the plugins means importing every plugin module, registering it with pluggy, calling
the declaration hooks and validating and merging what they return: ~7 ms of a one-file check,
plus ~5 ms to import pluggy itself. When nothing that could change the result has changed,
the merged :class:`~mesosim.catalog.Catalog` is read back from a pickle instead (~1 ms) and
neither the plugins nor pluggy are imported, unless a plugin checks files itself
(``mesosim_check``): then every run loads the plugins as before.

What the result depends on, all in the key (a run with any other key loads the plugins):

* mesosim's version and the Python that runs it;
* which plugins load: every ``mesosim`` entry point (name, target, distribution, version)
  found on ``sys.path``, ``MESOSIM_DISABLE_PLUGIN_AUTOLOAD``, ``-p`` and ``--no-plugin``;
* the files of mesosim and of each plugin's top-level package (path, size, modification
  time): an edited plugin or an editable install's edited source is a new key;
* every installed distribution (its metadata folder's name: name and version) and mesosim's
  ``MESOSIM_*`` settings (a plugin's time limit decides whether it is refused);
* and, checked when the file is read, every module the plugins imported (file, size,
  modification time): a dependency edited, replaced or removed is a miss.

A plugin whose declarations depend on anything else (the environment, a file outside its
package, the date) says so with ``MESOSIM_CACHEABLE = False`` in its module: runs with it are
never cached.

Not cached: a run where a plugin was refused or failed (the cause may lie outside those files,
a missing dependency, and must be reported every time), plugins registered by a program
(``extra_plugins``), and runs with ``MESOSIM_TRACE_PLUGINS`` (the trace shows the hook calls).

The file lives in the cache folder of :mod:`mesosim._codecache` (``MESOSIM_NO_CACHE``,
``MESOSIM_CACHE_DIR``), is written readable by its owner only, and is read only when it belongs
to the user running mesosim and nobody else may write it: a pickle is code, like the
interpreter's own ``__pycache__``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from mesosim._codecache import cache_folder

if TYPE_CHECKING:
    from mesosim.catalog import Catalog

#: the format of the file; a change of what is stored bumps it
FORMAT = 3


def _files(folder: str) -> list[tuple[str, int, int]]:
    """``(path, size, mtime)`` of every file under ``folder`` (linked folders followed, once
    each), bytecode caches left out (a sourceless ``.pyc`` beside its package is kept)."""
    out: list[tuple[str, int, int]] = []
    stack, seen = [folder], set()
    while stack:
        current = stack.pop()
        real = os.path.realpath(current)
        if real in seen:
            continue
        seen.add(real)
        with os.scandir(current) as entries:
            for entry in entries:
                if entry.is_dir():
                    if entry.name != "__pycache__":
                        stack.append(entry.path)
                elif not entry.name.endswith(".tmp"):
                    st = entry.stat()
                    out.append((entry.path, st.st_size, st.st_mtime_ns))
    return sorted(out)


def _distributions() -> tuple[str, ...]:
    """Every installed distribution, as its metadata folder's name (name and version), in
    ``sys.path`` order: a dependency of a plugin upgraded or removed is a new key."""
    found = []
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        found += [n for n in names if n.endswith((".dist-info", ".egg-info"))]
    return tuple(found)


def _environment() -> tuple[tuple[str, str], ...]:
    """mesosim's own settings (a plugin's time limit decides whether it is refused)."""
    return tuple(sorted((k, v) for k, v in os.environ.items()
                        if k.startswith("MESOSIM_") and k not in ("MESOSIM_CACHE_DIR",
                                                                  "MESOSIM_NO_CACHE")))


def _stamp(path: str) -> tuple[str, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (path, st.st_size, st.st_mtime_ns)


def loaded_modules() -> tuple[tuple[str, int, int], ...]:
    """``(file, size, mtime)`` of every module outside the standard library imported so far:
    after the plugins loaded, every module their declarations could depend on."""
    import sysconfig

    stdlib = {os.path.realpath(sysconfig.get_path(k)) for k in ("stdlib", "platstdlib")}
    out = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or os.path.realpath(path).startswith(tuple(stdlib)) and \
                "site-packages" not in path:
            continue
        stamp = _stamp(path)
        if stamp is not None:
            out.append(stamp)
    return tuple(sorted(set(out)))


def _package_files(module: str) -> list[tuple[str, int, int]] | None:
    """The files of the top-level package (or the module file) ``module`` lives in, found
    without importing it; ``None`` when it cannot be found that way."""
    from importlib.util import find_spec

    top = module.split(".", 1)[0]
    try:
        spec = find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return [f for folder in spec.submodule_search_locations for f in _files(folder)]
    if spec.origin and os.path.isfile(spec.origin):
        st = os.stat(spec.origin)
        return [(spec.origin, st.st_size, st.st_mtime_ns)]
    return None


def fingerprint(entry_points: Iterable[Any], *, autoload: bool, only: Sequence[str],
                blocked: Sequence[str]) -> tuple[Any, ...] | None:
    """Everything the merged catalog depends on, or ``None`` when it cannot all be known."""
    from mesosim import __version__

    modules = {"mesosim"}
    points = []
    for ep in entry_points:
        dist, value = getattr(ep, "dist", None), getattr(ep, "value", None)
        if not isinstance(value, str):  # not an entry point read from a distribution
            return None
        points.append((ep.name, value, getattr(dist, "name", "?"), getattr(dist, "version", "?")))
        modules.add(value.partition(":")[0].strip())
    stamps = []
    for top in sorted({m.split(".", 1)[0] for m in modules}):
        try:
            files = _package_files(top)
        except OSError:
            return None
        if files is None:
            return None
        stamps.append((top, tuple(files)))
    return (FORMAT, __version__, sys.version, sys.implementation.cache_tag, tuple(sorted(points)),
            autoload, tuple(only), tuple(blocked), tuple(stamps), _distributions(),
            _environment())


def _path(key: tuple[Any, ...]) -> str | None:
    folder = cache_folder()
    if folder is None:
        return None
    # a stable 32-bit digest of the key without a hashing module (zlib cost 0.6 ms of a
    # one-file check to import, speed round 2): the key's bytes as one number, modulo the
    # largest 32-bit prime; two keys that meet only share a file name (the file holds its key)
    digest = int.from_bytes(repr(key).encode("utf-8", "surrogatepass"), "little") % 4294967291
    return os.path.join(folder, f"catalog-{sys.implementation.cache_tag}-{digest:08x}.pickle")


def _trusted(fd: int) -> bool:
    """The file is the user's and only the user may write it."""
    st = os.fstat(fd)
    getuid = getattr(os, "getuid", None)
    return (getuid is None or st.st_uid == getuid()) and not st.st_mode & 0o022


def load(key: tuple[Any, ...]) -> Catalog | None:
    """The catalog stored under ``key``, or ``None``."""
    path = _path(key)
    if path is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        if not _trusted(fd):
            return None
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            # the C unpickler itself: pickle.py (the pure-Python pickler, imported only to
            # write) cost 1.5 ms of a one-file check (speed round 2, importtime)
            try:
                from _pickle import load as unpickle
            except ImportError:  # pragma: no cover - an interpreter without the C module
                from pickle import load as unpickle
            stored = unpickle(fh)
    except Exception:  # noqa: BLE001 - a damaged or foreign file: load the plugins instead
        return None
    finally:
        if fd != -1:
            os.close(fd)
    if not (isinstance(stored, tuple) and len(stored) == 4 and stored[0] == key):
        return None
    from mesosim import units
    from mesosim.catalog import Catalog

    _key, catalog, registered, modules = stored
    # every module the plugins imported, as it was: a dependency edited, replaced or removed
    # without a distribution's version changing (a folder on PYTHONPATH) is a miss too
    if not isinstance(modules, tuple) or any(_stamp(m[0]) != tuple(m) for m in modules):
        return None
    if not isinstance(catalog, Catalog):
        return None
    try:  # the plugins' dimensions and units, registered as loading them would
        units.replay(registered)
    except (ValueError, TypeError):
        return None
    return catalog


#: how many files of one kind the cache folder keeps (the newest): each pip install or edit of
#: a plugin makes a new key, and the folder must not grow without bound
KEEP_FILES = 8


def prune(folder: str, prefix: str, keep: int = KEEP_FILES) -> None:
    """Delete all but the ``keep`` newest files named ``prefix*`` in ``folder`` (the user's
    own cache files only; anything else is left alone)."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(prefix)
                   and e.is_file(follow_symlinks=False)]
        entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime_ns, reverse=True)
        for e in entries[keep:]:
            os.unlink(e.path)
    except OSError:
        pass


def _proxy(value: dict[Any, Any]) -> Any:
    from mesosim.catalog import _ro

    return _ro(value)


def store(key: tuple[Any, ...], catalog: Catalog) -> None:
    """Keep ``catalog`` under ``key``, with the dimensions and units the plugins registered
    (:func:`mesosim.units.registrations`: process-wide, not part of the catalog). A failure
    (unwritable folder, an object a plugin declared that cannot be pickled) only means the next
    run loads the plugins again."""
    path = _path(key)
    if path is None:
        return
    import pickle
    from types import MappingProxyType

    class _Pickler(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if type(obj) is MappingProxyType:  # the catalog's read-only mappings
                return _proxy, (dict(obj),)
            return NotImplemented

    tmp = f"{path}.{os.getpid()}-{os.urandom(4).hex()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        # a new file of our own only: never through a link planted in a shared folder
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o600)
        with os.fdopen(fd, "wb") as fh:
            from mesosim import units

            _Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL).dump(
                (key, catalog, units.registrations(), loaded_modules()))
        os.replace(tmp, path)
        prune(os.path.dirname(path), "catalog-")
    except Exception:  # noqa: BLE001 - see the docstring
        try:
            os.unlink(tmp)
        except OSError:
            pass
