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

Unknown settings and bad values are errors naming the file and line. The source of an
overridden range is ``<file>:<line>``, shown by ``mesosim techniques show`` and in findings.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from attrs import evolve, field, frozen

from mesosim.runner import Options
from mesosim.technique import SETTINGS, ZONES, Care, ParamRange, Range
from mesosim.units import UnitError, canonical_unit, parse_quantity

if TYPE_CHECKING:
    from mesosim.host import Registry
    from mesosim.technique import Technique

KEYS: Final = ("select", "ignore", "exclude", "max-file-size", "report-unused-ignores",
               "severity", "per-file-ignores", "override")
OVERRIDE_KEYS: Final = ("technique", "parameter", "zone", "setting", "min", "max", "note")
TOP_RANGES: Final = {"interval": "time", "course_length": "count", "session_duration": "time",
                     "session_dose": "volume"}


class ConfigError(Exception):
    """A configuration problem, with the file and line it is on."""


@frozen
class Override:
    technique: str
    parameter: str
    zone: str | None
    setting: str | None
    range: Range


@frozen
class Config:
    path: str
    options: Options
    overrides: tuple[Override, ...] = ()
    #: setting -> "file:line" where it was set
    origins: Mapping[str, str] = field(factory=dict)


def find_config(paths: Sequence[str]) -> str | None:
    """Walk up from the first path to the nearest ``mesosim.toml`` or ``pyproject.toml`` with a
    ``[tool.mesosim]`` table."""
    start = os.path.abspath(paths[0] if paths else ".")
    folder = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        candidate = os.path.join(folder, "mesosim.toml")
        if os.path.isfile(candidate):
            return candidate
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, encoding="utf-8") as fh:
                    if re.search(r"^\s*\[\[?tool\.mesosim[\].]", fh.read(), re.M):
                        return candidate
            except (OSError, UnicodeDecodeError):
                pass
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _line_of(text: str, key: str, nth: int = 0) -> int:
    """Line of the ``nth`` place ``key`` is set (``key =``, ``"key" =``, ``[key]``, ``[[key]]``)."""
    k = re.escape(key)
    pat = re.compile(rf'^\s*(\[\[?\s*(tool\.mesosim\.)?{k}\s*\]\]?|"?{k}"?\s*=)', re.M)
    hits = [text.count("\n", 0, m.start()) + 1 for m in pat.finditer(text)]
    return hits[nth] if nth < len(hits) else (hits[-1] if hits else 1)


def load_config(path: str) -> Config:
    """Read and validate a configuration file. Raises :class:`ConfigError`."""
    import tomllib

    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}:1: configuration is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if os.path.basename(path) == "pyproject.toml":
        table = data.get("tool", {}).get("mesosim", {})
    else:
        table = data
    return parse_config(table, path, text)


def _where(path: str, text: str, key: str, nth: int = 0) -> str:
    return f"{path}:{_line_of(text, key, nth)}"


def _str_list(v: Any, key: str, path: str, text: str) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ConfigError(f"{_where(path, text, key)}: '{key}' must be a list of strings")
    return tuple(v)


def _codes(v: Any, key: str, path: str, text: str) -> tuple[str, ...]:
    codes = _str_list(v, key, path, text)
    for c in codes:
        if not re.fullmatch(r"[A-Z]{1,8}[0-9]{0,3}", c):
            raise ConfigError(f"{_where(path, text, key)}: '{c}' in '{key}' is not a rule code "
                              "or prefix (e.g. MS401, MS4)")
    return codes


def parse_config(table: Mapping[str, Any], path: str, text: str) -> Config:
    from mesosim.findings import SEVERITIES, did_you_mean

    origins: dict[str, str] = {}
    for key in table:
        if key not in KEYS:
            hint = did_you_mean(key, KEYS)
            raise ConfigError(f"{_where(path, text, key)}: unknown setting '{key}'"
                              + (f"; did you mean '{hint}'?" if hint else
                                 f"; settings are: {', '.join(KEYS)}"))
        origins[key] = _where(path, text, key)
    kw: dict[str, Any] = {}
    if "select" in table:
        kw["select"] = _codes(table["select"], "select", path, text)
    if "ignore" in table:
        kw["ignore"] = _codes(table["ignore"], "ignore", path, text)
    if "exclude" in table:
        kw["exclude"] = _str_list(table["exclude"], "exclude", path, text)
    if "max-file-size" in table:
        v = table["max-file-size"]
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ConfigError(f"{origins['max-file-size']}: 'max-file-size' must be a positive "
                              "number of bytes")
        kw["max_bytes"] = v
    if "report-unused-ignores" in table:
        v = table["report-unused-ignores"]
        if not isinstance(v, bool):
            raise ConfigError(f"{origins['report-unused-ignores']}: 'report-unused-ignores' "
                              "must be true or false")
        kw["report_unused_ignores"] = v
    if "severity" in table:
        sev = table["severity"]
        if not isinstance(sev, dict):
            raise ConfigError(f"{origins['severity']}: 'severity' must be a table of "
                              "CODE = \"error\" | \"warning\" | \"info\"")
        for code, level in sev.items():
            if level not in SEVERITIES:
                raise ConfigError(f"{_where(path, text, code)}: severity of {code} is "
                                  f"{level!r}; expected one of {', '.join(SEVERITIES)}")
            origins[f"severity.{code}"] = _where(path, text, code)
        kw["severity"] = dict(sev)
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError(f"{origins['per-file-ignores']}: 'per-file-ignores' must be a table"
                              " of \"glob\" = [codes]")
        kw["per_file_ignores"] = {g: _codes(c, g, path, text) for g, c in pfi.items()}
    overrides: list[Override] = []
    if "override" in table:
        ov = table["override"]
        if not isinstance(ov, list):
            raise ConfigError(f"{origins['override']}: write overrides as [[override]] tables")
        for i, item in enumerate(ov):
            overrides.append(_override(item, i, path, text))
    return Config(path, Options(**kw), tuple(overrides), origins)


def _override(item: Any, i: int, path: str, text: str) -> Override:
    where = _where(path, text, "override", i)
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: an override must be a table")
    for k in item:
        if k not in OVERRIDE_KEYS:
            raise ConfigError(f"{where}: unknown override key '{k}'; expected: "
                              f"{', '.join(OVERRIDE_KEYS)}")
    for k in ("technique", "parameter"):
        if not isinstance(item.get(k), str):
            raise ConfigError(f"{where}: an override needs '{k}' (text)")
    if "min" not in item and "max" not in item:
        raise ConfigError(f"{where}: an override needs 'min', 'max' or both")
    zone, setting = item.get("zone"), item.get("setting")
    if zone is not None and zone not in ZONES:
        raise ConfigError(f"{where}: zone '{zone}' is not one of {', '.join(ZONES)}")
    if setting is not None and setting not in SETTINGS:
        raise ConfigError(f"{where}: setting '{setting}' is not one of {', '.join(SETTINGS)}")
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
        try:
            q = parse_quantity(item[k], dim or _guess_dim(item[k]))
        except UnitError as exc:
            raise ConfigError(f"{where}: override '{k}': {exc}") from None
        unit = unit or q.unit
        bounds.append(q.to(unit) if unit else q.value)
    try:
        rng = Range(bounds[0], bounds[1], unit if unit is not None else canonical_unit(dim or
                                                                                       "count"),
                    where, str(item.get("note", "")))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return Override(item["technique"], param, zone, setting, rng)


def _guess_dim(raw: Any) -> str:
    from mesosim.units import UNITS

    if isinstance(raw, str):
        unit = raw.strip().split(" ")[-1] if " " in raw.strip() else ""
        if unit in UNITS:
            return UNITS[unit][0]
    return "count"


def apply_overrides(reg: Registry, overrides: Iterable[Override]) -> Registry:
    """A registry whose techniques carry the overridden ranges. Raises :class:`ConfigError`
    for an override naming an unknown technique or parameter."""
    techniques = dict(reg.techniques)
    for ov in overrides:
        tech = techniques.get(ov.technique)
        if tech is None:
            raise ConfigError(f"{ov.range.source}: override names unknown technique "
                              f"'{ov.technique}' (loaded: {', '.join(sorted(techniques))})")
        techniques[ov.technique] = _apply_one(tech, ov, reg)
    return reg.with_techniques(techniques)


def _apply_one(tech: Technique, ov: Override, reg: Registry) -> Technique:
    p = ov.parameter
    if p in TOP_RANGES:
        if ov.range.dimension != TOP_RANGES[p]:
            raise ConfigError(f"{ov.range.source}: {p} must be a {TOP_RANGES[p]}")
        changes: dict[str, Any] = {p: _merge(getattr(tech, p), ov.range)}
        return evolve(tech, **changes)
    if p.startswith("aftercare."):
        activity = p.split(".", 1)[1]
        cares = [c for c in tech.aftercare if c.activity != activity]
        old = next((c.minimum for c in tech.aftercare if c.activity == activity), None)
        cares.append(Care(activity, _merge(old, ov.range)))
        return evolve(tech, aftercare=tuple(cares))
    if "." not in p:
        raise ConfigError(f"{ov.range.source}: parameter '{p}' must be step.param (e.g. "
                          f"injection.depth) or one of {', '.join(TOP_RANGES)}, aftercare.NAME")
    step, param = p.split(".", 1)
    kind = reg.steps.get(step)
    if kind is None or param not in kind.params or step not in tech.steps.steps():
        raise ConfigError(f"{ov.range.source}: {tech.name} has no parameter '{p}'")
    want = reg.parameters.get(param)
    if want != ov.range.dimension:
        raise ConfigError(f"{ov.range.source}: {p} is a {want}, the override is in "
                          f"'{ov.range.unit}'")
    prev = tech.range_for(step, param, ov.zone, ov.setting)
    new = ParamRange(step, param, _merge(prev.range if prev else None, ov.range), ov.zone,
                     ov.setting)
    kept = [pr for pr in tech.parameters if not (pr.step == step and pr.param == param and
                                                  pr.zone == ov.zone and pr.setting == ov.setting)]
    return evolve(tech, parameters=(*kept, new))


def _merge(old: Range | None, new: Range) -> Range:
    """An override may give one bound; the other is kept from the plugin's range."""
    if old is None or (new.min is not None and new.max is not None):
        return new
    from mesosim.units import UNITS

    factor = UNITS[old.unit][1] / UNITS[new.unit][1]
    lo = new.min if new.min is not None else (old.min * factor if old.min is not None else None)
    hi = new.max if new.max is not None else (old.max * factor if old.max is not None else None)
    note = f"overrides {old} ({old.source})"
    return Range(lo, hi, new.unit, new.source, note)
