"""Configuration overrides: a school's own figures for a technique's ranges (layer 2).

:func:`apply_overrides` is a pure stage: a catalog and overrides in, a new catalog out. The
configuration (:mod:`mesosim.config`) parses the ``[[override]]`` tables into :class:`Override`
values; the runner's workers apply the same overrides to the catalog they rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from attrs import evolve, frozen

from mesosim.declarations import Care, ParamRange, Range
from mesosim.errors import ConfigError

if TYPE_CHECKING:
    from mesosim.catalog import Catalog
    from mesosim.declarations import Technique

#: the technique-wide ranges an override may name, with their dimension
TOP_RANGES: Final = {"interval": "time", "course_length": "count", "session_duration": "time",
                     "session_dose": "volume"}


@frozen
class Override:
    """One ``[[override]]`` table: a range for a technique's parameter, zone and setting. The
    range's source is the configuration file and line."""

    technique: str
    parameter: str
    zone: str | None
    setting: str | None
    range: Range


def apply_overrides(catalog: Catalog, overrides: Iterable[Override]) -> Catalog:
    """A catalog whose techniques carry the overridden ranges. Raises :class:`ConfigError`
    for an override naming an unknown technique or parameter."""
    techniques = dict(catalog.techniques)
    for ov in overrides:
        tech = techniques.get(ov.technique)
        if tech is None:
            raise ConfigError(f"{ov.range.source}: override names unknown technique "
                              f"'{ov.technique}' (loaded: {', '.join(sorted(techniques))})")
        techniques[ov.technique] = _apply_one(tech, ov, catalog)
    return catalog.with_techniques(techniques)


def _apply_one(tech: Technique, ov: Override, catalog: Catalog) -> Technique:
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
    kind = catalog.steps.get(step)
    if kind is None or param not in kind.params or step not in tech.steps.steps():
        raise ConfigError(f"{ov.range.source}: {tech.name} has no parameter '{p}'")
    want = catalog.parameters.get(param)
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
