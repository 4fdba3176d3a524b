"""Configuration overrides: a school's own figures for a technique's ranges (layer 2).

:func:`apply_overrides` is a pure stage: a catalog and overrides in, a new catalog out. The
configuration (:mod:`mesosim.config`) parses the ``[[override]]`` tables into :class:`Override`
values; the runner's workers apply the same overrides to the catalog they rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from attr import evolve, frozen

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
    """A catalog whose techniques carry the overridden ranges. Raises :class:`ConfigError`,
    naming the file and line, for an override naming an unknown technique, parameter or
    activity, one whose bound crosses the plugin's other bound, and two overrides of the same
    range. An override is final: it wins over the zone's and the general declarations too
    (:mod:`mesosim.resolve`)."""
    techniques = dict(catalog.techniques)
    seen: dict[tuple[str, str, str | None, str | None], str] = {}
    for ov in overrides:
        tech = techniques.get(ov.technique)
        if tech is None:
            raise ConfigError(f"{ov.range.source}: override names unknown technique "
                              f"'{ov.technique}' (loaded: {', '.join(sorted(techniques))})")
        key = (ov.technique, ov.parameter, ov.zone, ov.setting)
        if key in seen:
            raise ConfigError(f"{ov.range.source}: this override sets the same range as the one "
                              f"at {seen[key]} ({ov.technique} {ov.parameter}"
                              + "".join(f", {x}" for x in (ov.zone, ov.setting) if x)
                              + "); merge them into one")
        seen[key] = ov.range.source
        try:
            techniques[ov.technique] = _apply_one(tech, ov, catalog)
        except ValueError as exc:  # a range the declarations refuse (min above max...)
            raise ConfigError(f"{ov.range.source}: {exc}") from None
    return catalog.with_techniques(techniques)


def _apply_one(tech: Technique, ov: Override, catalog: Catalog) -> Technique:
    from mesosim.declarations import Figure

    p = ov.parameter
    scope = {"zone": ov.zone, "setting": ov.setting}
    if p in TOP_RANGES:
        if ov.range.dimension != TOP_RANGES[p]:
            raise ConfigError(f"{ov.range.source}: {p} must be a {TOP_RANGES[p]}")
        if ov.zone is None and ov.setting is None:
            changes: dict[str, Any] = {p: _merge(getattr(tech, p), ov.range)}
            return evolve(tech, **changes)
        old = next((f.range for f in tech.figures if f.name == p and f.scope.zone == ov.zone
                    and f.scope.setting == ov.setting and f.scope.course is None),
                   getattr(tech, p))
        figures = [f for f in tech.figures if not (f.name == p and f.scope.zone == ov.zone and
                                                   f.scope.setting == ov.setting)]
        return evolve(tech, figures=(*figures, Figure(p, _merge(old, ov.range), scope)))
    if p.startswith("aftercare."):
        activity = p.split(".", 1)[1]
        if activity not in catalog.activities:
            from mesosim._text import did_you_mean

            hint = did_you_mean(activity, catalog.activities)
            raise ConfigError(f"{ov.range.source}: '{p}' names no known activity"
                              + (f"; did you mean 'aftercare.{hint}'?" if hint else
                                 " (write aftercare.ACTIVITY, e.g. aftercare.sauna)"))
        cares = [c for c in tech.aftercare if not (c.activity == activity and
                                                   c.scope.zone == ov.zone and
                                                   c.scope.setting == ov.setting)]
        old = next((c.minimum for c in tech.aftercare if c.activity == activity), None)
        cares.append(Care(activity, _merge(old, ov.range), scope))
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
    # the school's figure holds wherever its scope applies: it replaces the plugin's ranges of
    # that scope and of every narrower one (an override for all settings replaces the home
    # figure too, or the home figure, more specific, would still be in force at home)
    kept = [pr for pr in tech.parameters if not (
        pr.step == step and pr.param == param and (ov.zone is None or pr.zone == ov.zone)
        and (ov.setting is None or pr.setting == ov.setting))]
    return evolve(tech, parameters=(*kept, new))


def _merge(old: Range | None, new: Range) -> Range:
    """An override may give one bound; the other is kept from the plugin's range. A bound that
    would cross the kept one is refused with both named."""
    if old is None or (new.min is not None and new.max is not None):
        return new
    from mesosim.units import from_canonical, to_canonical

    def convert(v: float | None) -> float | None:
        return None if v is None else from_canonical(to_canonical(v, old.unit), new.unit)

    lo = new.min if new.min is not None else convert(old.min)
    hi = new.max if new.max is not None else convert(old.max)
    if lo is not None and hi is not None and lo > hi:
        given, kept = ("min", "max") if new.min is not None else ("max", "min")
        raise ConfigError(f"{new.source}: the override's {given} {new.min if given == 'min' else new.max:g} "
                          f"{new.unit} crosses the plugin's {kept} ({old}, {old.source}); give "
                          "both 'min' and 'max'")
    note = "; ".join(x for x in (new.note, f"overrides {old} ({old.source})") if x)
    return Range(lo, hi, new.unit, new.source, note)
