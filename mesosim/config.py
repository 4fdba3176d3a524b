"""Configuration: ``[tool.mesosim]`` in ``pyproject.toml``, or a ``mesosim.toml``.

Found by walking up from the checked path, as ruff does (the first folder with a
``mesosim.toml``, or a ``pyproject.toml`` that has a ``[tool.mesosim]`` table); ``--config FILE``
names one. Settings (``mesosim.toml`` holds them at top level)::

    select = ["MS"]                 # codes or prefixes to report
    ignore = ["MS702"]              # codes or prefixes not to report
    exclude = ["drafts/*"]          # globs of files not to check
    max-file-size = 4194304         # bytes
    report-unused-ignores = true
    [severity]                      # rule -> error | warning | info
    MS502 = "error"
    [per-file-ignores]              # glob -> codes
    "examples/*" = ["MS511"]
    [[override]]                    # a technique range, by technique, zone and parameter
    technique = "manual-injection"
    parameter = "injection.depth"   # step.param, or interval, course_length,
    zone = "face"                   # session_duration, session_dose, aftercare.ACTIVITY
    min = "1.5 mm"
    max = "2.5 mm"

Unknown settings and bad values are errors naming the file and line; so is a code or prefix
that matches no loaded rule (:func:`check_codes`). The source of an overridden range is
``<file>:<line>``, shown by ``mesosim techniques show`` and in findings; ``mesosim config``
prints the configuration in force with the origin of each value (:func:`describe`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from attr import field, frozen

from mesosim._text import did_you_mean
from mesosim.declarations import SETTINGS, ZONES, Range
from mesosim.errors import ConfigError
from mesosim.options import Options
from mesosim.units import UnitError, canonical_unit, parse_quantity

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.options import Assignment
    from mesosim.overrides import Override

__all__ = ["Config", "ConfigError", "check_assignment", "check_codes", "describe", "find_config",
           "load_assignment", "load_config", "parse_config"]

KEYS: Final = ("select", "ignore", "exclude", "max-file-size", "report-unused-ignores",
               "unsuppressable", "severity", "per-file-ignores", "override", "class")
OVERRIDE_KEYS: Final = ("technique", "parameter", "zone", "setting", "min", "max", "note")
#: a rule code (MS401) or a prefix of codes (MS4, MS)
CODE_OR_PREFIX: Final = re.compile(r"[A-Z]{1,8}[0-9]{0,3}")
FULL_CODE: Final = re.compile(r"[A-Z]{2,8}[0-9]{3}")


@frozen
class Config:
    path: str
    options: Options
    overrides: tuple[Override, ...] = ()
    #: setting -> "file:line" where it was set (``severity.MS502``, ``per-file-ignores.GLOB``...)
    origins: Mapping[str, str] = field(factory=dict)
    #: the class assignment (``[class]``), for ``mesosim class``
    assignment: Assignment | None = None


def _mentions_mesosim(text: str) -> bool:
    """Whether a ``pyproject.toml`` has a ``[tool.mesosim]`` table (or ``tool.mesosim.x = ``)."""
    # [ \t]*, never \s*: with re.M, \s* also eats newlines, and 60,000 blank lines made the
    # search quadratic (34 s; hostile input, round 2)
    return re.search(r"^[ \t]*(\[\[?[ \t]*tool[ \t]*\.[ \t]*\"?mesosim\b|"
                     r"tool[ \t]*\.[ \t]*mesosim[ \t]*[.=])", text, re.M) is not None


def _short(path: str) -> str:
    """``path`` relative to the working folder when it is inside it (how messages and the
    ``source`` of an overridden range name it), else absolute."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith("..") else rel


def find_config(paths: Sequence[str]) -> str | None:
    """Walk up from the first path to the nearest ``mesosim.toml`` or ``pyproject.toml`` with a
    ``[tool.mesosim]`` table; in one folder ``mesosim.toml`` wins (as ``ruff.toml`` does over
    ``pyproject.toml``). A ``pyproject.toml`` without the table is passed over."""
    start = os.path.abspath(paths[0] if paths else ".")
    folder = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        candidate = os.path.join(folder, "mesosim.toml")
        if os.path.isfile(candidate):
            return _short(candidate)
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, encoding="utf-8") as fh:
                    if _mentions_mesosim(fh.read()):
                        return _short(candidate)
            except (OSError, UnicodeDecodeError):
                pass
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


# linear: the table name is everything up to the first "]", stripped afterwards (a lazy name
# between two \s* backtracked for 7.6 s on a line of "[" and 3,000 spaces)
_HEADER: Final = re.compile(r"^[ \t]*\[(\[?)([^\]]*)\]\]?[ \t]*(#.*)?$")
_NAME: Final = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)"""
_KEY: Final = re.compile(rf"^\s*({_NAME}(?:\s*\.\s*{_NAME})*)\s*=")
#: strings and comments, left out when brackets are counted
_STRINGS: Final = re.compile(r"\"(\\.|[^\"\\])*\"|'[^']*'|#.*")
_PART: Final = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*(?:\.|$)""")


def _dotted(name: str) -> tuple[str, ...]:
    return tuple(m.group(1).strip("\"'") for m in _PART.finditer(name))


class Lines:
    """Where each key of a TOML text is, by its full dotted path, so that an error names the line
    of the setting itself (not a same-named key of another tool's table in ``pyproject.toml``).
    ``tomllib`` gives no positions; a line scan is enough for the shapes a config file has."""

    def __init__(self, path: str, text: str, prefix: tuple[str, ...]) -> None:
        self.path = path
        self.at: dict[tuple[str, ...], list[int]] = {}
        table: tuple[str, ...] = ()
        depth = 0  # inside a multi-line array: its lines are not keys
        for n, line in enumerate(text.splitlines(), start=1):
            if depth == 0:
                m = _HEADER.match(line)
                if m and m.group(2).strip() and not _KEY.match(line):
                    table = _dotted(m.group(2).strip())
                    self._add(table, n, prefix)
                    continue
                k = _KEY.match(line)
                if k:
                    self._add(table + _dotted(k.group(1)), n, prefix)
            code = _STRINGS.sub("", line) if ("[" in line or "]" in line) else ""
            depth = max(0, depth + code.count("[") - code.count("]"))

    def _add(self, key: tuple[str, ...], n: int, prefix: tuple[str, ...]) -> None:
        if key[:len(prefix)] == prefix and len(key) > len(prefix):
            self.at.setdefault(key[len(prefix):], []).append(n)

    def line(self, *key: str, nth: int = 0, after: int = 0) -> int:
        """The line of ``key`` (its ``nth`` occurrence, or its first after line ``after``);
        the line of the nearest enclosing table it has, or 1."""
        while key:
            hits = [n for n in self.at.get(key, []) if n > after]
            if hits:
                return hits[min(nth, len(hits) - 1)]
            key = key[:-1]
        return 1

    def where(self, *key: str, nth: int = 0, after: int = 0) -> str:
        return f"{self.path}:{self.line(*key, nth=nth, after=after)}"


def load_config(path: str) -> Config:
    """Read and validate a configuration file. Raises :class:`ConfigError`.

    A file named ``pyproject.toml`` is read from its ``[tool.mesosim]`` table; any other file
    (``mesosim.toml``, or one named with ``--config``) holds the settings at top level.
    """
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror or exc}") from None
    return load_config_bytes(raw, path)


#: the largest configuration read: a few kilobytes are plenty
MAX_CONFIG_BYTES: Final = 256 * 1024


def load_config_bytes(raw: bytes, path: str) -> Config:
    """:func:`load_config` on the file's bytes (``path`` names it in messages and decides
    whether it is a ``pyproject.toml``). Raises :class:`ConfigError`."""
    import tomllib

    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}:1: configuration is over {MAX_CONFIG_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text)
    except RecursionError:  # arrays nested a thousand deep: tomllib recurses per level
        raise ConfigError(f"{path}:1: invalid TOML: nested too deeply") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}:1: configuration is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        if m:
            where = f"{path}:{m.group(1)}:{m.group(2)}"
        else:  # "(at end of document)"
            where = f"{path}:{max(1, text.count(chr(10)) + (not text.endswith(chr(10))))}"
        reason = re.sub(r" \(at .*\)$", "", str(exc))
        raise ConfigError(f"{where}: invalid TOML: {reason}") from None
    prefix: tuple[str, ...] = ()
    table: Any = data
    if os.path.basename(path) == "pyproject.toml":
        prefix = ("tool", "mesosim")
        table = data.get("tool", {})
        table = table.get("mesosim", {}) if isinstance(table, dict) else {}
    lines = Lines(path, text, prefix)
    if not isinstance(table, dict):
        raise ConfigError(f"{lines.where()}: [tool.mesosim] must be a table")
    return parse_config(table, path, text, lines)


def _str_list(v: Any, key: str, lines: Lines, *at: str) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ConfigError(f"{lines.where(*at)}: '{key}' must be a list of strings, not "
                          f"{_type(v)}")
    return tuple(v)


def _type(v: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "a table"}.get(type(v), type(v).__name__)


def _codes(v: Any, key: str, lines: Lines, *at: str) -> tuple[str, ...]:
    codes = _str_list(v, key, lines, *at)
    for c in codes:
        if not CODE_OR_PREFIX.fullmatch(c):
            hint = f"; did you mean '{c.upper()}'?" if CODE_OR_PREFIX.fullmatch(c.upper()) else ""
            raise ConfigError(f"{lines.where(*at)}: '{c}' in '{key}' is not a rule code or prefix "
                              f"(e.g. MS401, MS4){hint}")
    return codes


def parse_config(table: Mapping[str, Any], path: str, text: str, lines: Lines | None = None
                 ) -> Config:
    """Validate the settings table of a configuration file into :class:`Config`."""
    from mesosim.findings import SEVERITIES

    lines = lines or Lines(path, text, ())
    origins: dict[str, str] = {}
    _known_keys(table, KEYS, lines, (), "setting")
    for key in table:
        origins[key] = lines.where(key)
    kw: dict[str, Any] = {}
    if "select" in table:
        kw["select"] = _codes(table["select"], "select", lines, "select")
    if "ignore" in table:
        kw["ignore"] = _codes(table["ignore"], "ignore", lines, "ignore")
    if "exclude" in table:
        kw["exclude"] = _str_list(table["exclude"], "exclude", lines, "exclude")
    if "unsuppressable" in table:
        kw["unsuppressable"] = _codes(table["unsuppressable"], "unsuppressable", lines,
                                      "unsuppressable")
    if "max-file-size" in table:
        kw["max_bytes"] = _positive_int(table["max-file-size"], origins["max-file-size"],
                                        "'max-file-size' must be a positive whole number of "
                                        "bytes")
    if "report-unused-ignores" in table:
        v = table["report-unused-ignores"]
        if not isinstance(v, bool):
            raise ConfigError(f"{origins['report-unused-ignores']}: 'report-unused-ignores' "
                              f"must be true or false, not {_type(v)}")
        kw["report_unused_ignores"] = v
    if "severity" in table:
        sev = table["severity"]
        if not isinstance(sev, dict):
            raise ConfigError(f"{origins['severity']}: 'severity' must be a table of "
                              "CODE = \"error\" | \"warning\" | \"info\"")
        for code, level in sev.items():
            where = lines.where("severity", code)
            if not FULL_CODE.fullmatch(code):
                raise ConfigError(f"{where}: '{code}' in 'severity' is not a rule code (a severity "
                                  "is set per rule, e.g. MS502)")
            if level not in SEVERITIES:
                hint = did_you_mean(str(level), SEVERITIES)
                raise ConfigError(f"{where}: severity of {code} is {level!r}; expected one of "
                                  f"{', '.join(SEVERITIES)}" + (f"; did you mean '{hint}'?"
                                                                if hint else ""))
            origins[f"severity.{code}"] = where
        kw["severity"] = dict(sev)
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError(f"{origins['per-file-ignores']}: 'per-file-ignores' must be a table"
                              " of \"glob\" = [codes]")
        kw["per_file_ignores"] = {
            g: _codes(c, f"per-file-ignores.{g}", lines, "per-file-ignores", g)
            for g, c in pfi.items()}
        for g in pfi:
            origins[f"per-file-ignores.{g}"] = lines.where("per-file-ignores", g)
    overrides: list[Override] = []
    if "override" in table:
        ov = table["override"]
        if not isinstance(ov, list):
            raise ConfigError(f"{origins['override']}: write overrides as [[override]] tables")
        for i, item in enumerate(ov):
            overrides.append(_override(item, i, lines))
    assignment = None
    if "class" in table:
        assignment = parse_assignment(table["class"], lines, ("class",))
    return Config(path, Options(**kw), tuple(overrides), origins, assignment)


CLASS_KEYS: Final = ("techniques", "zones", "setting", "files", "suppressions", "pass-mark",
                     "points", "caps", "fail-on")


def _known_keys(table: Mapping[str, Any], known: Sequence[str], lines: Lines,
                at: tuple[str, ...], what: str) -> None:
    """Every key of ``table`` is one of ``known``, else :class:`ConfigError` with its line and
    a did-you-mean."""
    for key in table:
        if key not in known:
            hint = did_you_mean(key, known)
            raise ConfigError(f"{lines.where(*at, key)}: unknown {what} '{key}'"
                              + (f"; did you mean '{hint}'?" if hint else
                                 f"; settings are: {', '.join(known)}"))


def _positive_int(v: Any, where: str, what: str) -> int:
    """``v`` if it is a whole number of at least 1, else :class:`ConfigError` at ``where``."""
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ConfigError(f"{where}: {what}, not {v!r}")
    return v


def parse_assignment(table: Any, lines: Lines, at: tuple[str, ...]) -> Assignment:
    """The ``[class]`` table of an instructor's configuration. Raises :class:`ConfigError`."""
    from mesosim.findings import KINDS, SEVERITIES
    from mesosim.options import Assignment

    where = lines.where(*at)
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [class] must be a table")
    _known_keys(table, CLASS_KEYS, lines, at, "[class] setting")
    kw: dict[str, Any] = {"source": where}
    for key in ("techniques", "zones", "fail-on"):
        if key in table:
            kw[key.replace("-", "_")] = _str_list(table[key], f"class.{key}", lines, *at, key)
    if "setting" in table:
        if table["setting"] not in SETTINGS:
            raise ConfigError(f"{lines.where(*at, 'setting')}: class setting must be one of "
                              f"{', '.join(SETTINGS)}, not {table['setting']!r}")
        kw["setting"] = table["setting"]
    if "files" in table:
        kw["files"] = _positive_int(table["files"], lines.where(*at, "files"), "'files' must be "
                                    "a whole number of protocol files per student (at least 1)")
    if "suppressions" in table:
        if not isinstance(table["suppressions"], bool):
            raise ConfigError(f"{lines.where(*at, 'suppressions')}: 'suppressions' must be true "
                              "or false")
        kw["suppressions"] = table["suppressions"]
    if "pass-mark" in table:
        v = table["pass-mark"]
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 100:
            raise ConfigError(f"{lines.where(*at, 'pass-mark')}: 'pass-mark' must be a score "
                              f"from 0 to 100, not {v!r}")
        kw["pass_mark"] = float(v)
    for key, what in (("points", "points one finding costs"), ("caps", "the most a kind or a rule costs")):
        if key not in table:
            continue
        sub = table[key]
        if not isinstance(sub, dict):
            raise ConfigError(f"{lines.where(*at, key)}: [class.{key}] must be a table of "
                              f"NAME = number ({what})")
        for name, v in sub.items():
            known = FULL_CODE.fullmatch(name) or name in KINDS or (
                key == "points" and name in SEVERITIES)
            if not known:
                hint = did_you_mean(name, (*KINDS, *SEVERITIES))
                raise ConfigError(f"{lines.where(*at, key, name)}: '{name}' is not a rule code, "
                                  "a kind" + (" or a severity" if key == "points" else "")
                                  + (f"; did you mean '{hint}'?" if hint else ""))
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 100:
                raise ConfigError(f"{lines.where(*at, key, name)}: {what} must be a number of "
                                  f"points from 0 to 100, not {v!r}")
        kw[key] = {k: float(v) for k, v in sub.items()}
    return Assignment(**kw)


def load_assignment(path: str) -> Assignment:
    """``mesosim class --assignment FILE``: a TOML file with a ``[class]`` table, or the same
    settings at its top level. Raises :class:`ConfigError`."""
    import tomllib

    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the assignment: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, RecursionError):
        raise ConfigError(f"{path}:1: the assignment is not UTF-8 TOML") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if "class" in data:
        return parse_assignment(data["class"], Lines(path, text, ()), ("class",))
    return parse_assignment(data, Lines(path, text, ()), ())


def _override(item: Any, i: int, lines: Lines) -> Override:
    # imported here: most configurations have no override, and `check` pays for every import
    from mesosim.overrides import TOP_RANGES, Override
    start = lines.line("override", nth=i)
    where = f"{lines.path}:{start}"
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: an override must be a table")

    def at(k: str) -> str:
        return lines.where("override", k, after=start - 1)

    for k in item:
        if k not in OVERRIDE_KEYS:
            hint = did_you_mean(k, OVERRIDE_KEYS)
            raise ConfigError(f"{at(k)}: unknown override key '{k}'" + (
                f"; did you mean '{hint}'?" if hint else f"; expected: {', '.join(OVERRIDE_KEYS)}"))
    for k in ("technique", "parameter"):
        if not isinstance(item.get(k), str):
            raise ConfigError(f"{where}: an override needs '{k}' (text)")
    if "min" not in item and "max" not in item:
        raise ConfigError(f"{where}: an override needs 'min', 'max' or both")
    zone, setting = item.get("zone"), item.get("setting")
    if zone is not None and zone not in ZONES:
        raise ConfigError(f"{at('zone')}: zone '{zone}' is not one of {', '.join(ZONES)}")
    if setting is not None and setting not in SETTINGS:
        raise ConfigError(f"{at('setting')}: setting '{setting}' is not one of "
                          f"{', '.join(SETTINGS)}")
    param = item["parameter"]
    dim = TOP_RANGES.get(param)
    if dim is None and param.startswith("aftercare."):
        dim = "time"
    bounds: list[float | None] = []
    unit = None
    for k in ("min", "max"):
        if k not in item:
            bounds.append(None)
            continue
        if isinstance(item[k], bool) or not isinstance(item[k], (str, int, float)):
            raise ConfigError(f"{at(k)}: override '{k}' must be a quantity such as \"1.5 mm\", "
                              f"not {_type(item[k])}")
        try:
            q = parse_quantity(item[k], dim or _guess_dim(item[k]))
        except UnitError as exc:
            raise ConfigError(f"{at(k)}: override '{k}': {exc}") from None
        unit = unit or q.unit
        bounds.append(q.to(unit) if unit else q.value)
    try:
        rng = Range(bounds[0], bounds[1], unit if unit is not None else canonical_unit(dim or
                                                                                       "count"),
                    where, str(item.get("note", "")))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return Override(item["technique"], param, zone, setting, rng)


def check_codes(config: Config, catalog: Catalog) -> None:
    """Every code and prefix the configuration names must match a loaded rule: a typo in
    ``ignore`` would otherwise silence nothing, without a word. Raises :class:`ConfigError`."""
    o = config.options
    named: list[tuple[str, str, str]] = [(c, "select", "select") for c in o.select]
    named += [(c, "ignore", "ignore") for c in o.ignore]
    named += [(c, f"per-file-ignores.{g}", f"per-file-ignores.{g}")
              for g, codes in o.per_file_ignores.items() for c in codes]
    named += [(c, "severity", f"severity.{c}") for c in o.severity]
    named += [(c, "unsuppressable", "unsuppressable") for c in o.unsuppressable]
    for code, setting, origin in named:
        if not any(r.startswith(code) for r in catalog.rules):
            hint = did_you_mean(code, catalog.rules)
            raise ConfigError(f"{config.origins.get(origin, config.path)}: '{code}' in "
                              f"'{setting}' matches no rule" + (f"; did you mean '{hint}'?" if hint
                                                                else "; see 'mesosim rules'"))


def check_assignment(assignment: Assignment, catalog: Catalog) -> None:
    """The assignment names loaded techniques and zones and, in its rubric, loaded rules: a typo
    would fail a whole class on MS021, or grade nothing. Raises :class:`ConfigError`."""
    where = assignment.source or "the assignment"
    for what, names, known in (("technique", assignment.techniques, catalog.techniques),
                               ("zone", assignment.zones, catalog.zones)):
        for name in names:
            if name not in known:
                hint = did_you_mean(name, known)
                raise ConfigError(f"{where}: {what} '{name}' is not loaded"
                                  + (f"; did you mean '{hint}'?" if hint else
                                     f"; {what}s are: {', '.join(sorted(known))}"))
    from mesosim.findings import KINDS

    for name in assignment.fail_on:
        if not FULL_CODE.fullmatch(name) and name not in KINDS:
            hint = did_you_mean(name, KINDS)
            raise ConfigError(f"{where}: 'fail-on' names rule codes or kinds, and '{name}' is "
                              "neither" + (f"; did you mean '{hint}'?" if hint else
                                           f"; kinds are: {', '.join(KINDS)}"))
    for table in (assignment.points, assignment.caps, assignment.fail_on):
        for name in table:
            if FULL_CODE.fullmatch(name) and name not in catalog.rules:
                hint = did_you_mean(name, catalog.rules)
                raise ConfigError(f"{where}: '{name}' matches no rule"
                                  + (f"; did you mean '{hint}'?" if hint else
                                     "; see 'mesosim rules'"))


def describe(config: Config | None) -> str:
    """The configuration in force, as TOML, each value followed by where it came from
    (``file:line``, or ``default``): what ``mesosim config`` prints."""
    import json


    options = config.options if config is not None else Options()
    origins = config.origins if config is not None else {}
    out = [f"# configuration: {config.path}" if config is not None else
           "# configuration: none found (defaults)"]

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (tuple, list)):
            return "[" + ", ".join(json.dumps(x, ensure_ascii=False) for x in v) + "]"
        return json.dumps(v, ensure_ascii=False)

    def line(text: str, origin: str | None) -> None:
        out.append(f"{text:<48} # {origin or 'default'}")

    for key, attr in (("select", "select"), ("ignore", "ignore"), ("exclude", "exclude"),
                      ("max-file-size", "max_bytes"),
                      ("report-unused-ignores", "report_unused_ignores")):
        line(f"{key} = {value(getattr(options, attr))}", origins.get(key))
    out.append("")
    line("[severity]", origins.get("severity"))
    for code, level in sorted(options.severity.items()):
        line(f"{code} = {value(level)}", origins.get(f"severity.{code}"))
    out.append("")
    line("[per-file-ignores]", origins.get("per-file-ignores"))
    for glob, codes in options.per_file_ignores.items():
        line(f"{json.dumps(glob, ensure_ascii=False)} = {value(codes)}",
             origins.get(f"per-file-ignores.{glob}"))
    for ov in config.overrides if config is not None else ():
        out.append("")
        line("[[override]]", ov.range.source)
        out.append(f"technique = {value(ov.technique)}")
        out.append(f"parameter = {value(ov.parameter)}")
        for k in ("zone", "setting"):
            if getattr(ov, k) is not None:
                out.append(f"{k} = {value(getattr(ov, k))}")
        for k in ("min", "max"):
            bound = getattr(ov.range, k)
            if bound is not None:
                out.append(f"{k} = {value(f'{bound:g} {ov.range.unit}'.strip())}")
        if ov.range.note:
            out.append(f"note = {value(ov.range.note)}")
    return "\n".join(out) + "\n"


def _guess_dim(raw: Any) -> str:
    from mesosim.units import UNITS

    if isinstance(raw, str):
        unit = raw.strip().split(" ")[-1] if " " in raw.strip() else ""
        if unit in UNITS:
            return UNITS[unit][0]
    return "count"
