"""Quantities written with their unit: ``1.5 mm``, ``0.05 ml``, ``20 min``, ``7 d``, ``-10 °C``.

mesosim parses a quantity for every parameter of every protocol. A general units library (pint)
costs ~300 ms to import and build its registry, more than checking a whole small file, so this
module keeps a small explicit table instead: every accepted spelling is listed here, and
``mesosim explain MS111`` prints it. The table is open: a plugin declares dimensions and units
of its own (``Vocabulary.dimensions``, ``Vocabulary.units``: a cryo device's temperature in
degrees Celsius, below zero, with kelvin as an offset unit), which the plugin host registers
here when it loads the plugin (:func:`register_dimension`, :func:`register_unit`). Units are
process-wide; a spelling is never redefined with another meaning.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any, Final

from attr import frozen

#: dimension -> (canonical unit, {spelling: factor to the canonical unit})
_TABLE: Final[dict[str, tuple[str, dict[str, float]]]] = {
    "length": (
        "mm",
        {
            "mm": 1.0, "millimeter": 1.0, "millimeters": 1.0, "millimetre": 1.0,
            "millimetres": 1.0, "µm": 1e-3, "μm": 1e-3, "um": 1e-3, "micron": 1e-3,
            "microns": 1e-3, "cm": 10.0, "centimeter": 10.0, "centimeters": 10.0,
            "centimetre": 10.0, "centimetres": 10.0, "m": 1000.0,
        },
    ),
    "volume": (
        "ml",
        {
            "ml": 1.0, "mL": 1.0, "cc": 1.0, "cm3": 1.0, "milliliter": 1.0,
            "milliliters": 1.0, "millilitre": 1.0, "millilitres": 1.0,
            "µl": 1e-3, "μl": 1e-3, "ul": 1e-3, "uL": 1e-3, "µL": 1e-3, "μL": 1e-3,
            "microliter": 1e-3, "microliters": 1e-3, "l": 1000.0, "L": 1000.0,
        },
    ),
    "time": (
        "min",
        {
            # ms and µs: electroporation's pulse duration (a pulse lasts milliseconds)
            "ms": 1 / 60_000, "µs": 1 / 60_000_000, "μs": 1 / 60_000_000, "us": 1 / 60_000_000,
            "s": 1 / 60, "sec": 1 / 60, "secs": 1 / 60, "second": 1 / 60, "seconds": 1 / 60,
            "min": 1.0, "mins": 1.0, "minute": 1.0, "minutes": 1.0,
            "h": 60.0, "hr": 60.0, "hrs": 60.0, "hour": 60.0, "hours": 60.0,
            "d": 1440.0, "day": 1440.0, "days": 1440.0,
            "w": 10080.0, "wk": 10080.0, "wks": 10080.0, "week": 10080.0, "weeks": 10080.0,
            # a month of the calendar varies; as an interval or a window it is read as 30 days
            "mo": 43200.0, "month": 43200.0, "months": 43200.0,
        },
    ),
    "frequency": (
        "Hz",
        {
            "Hz": 1.0, "hz": 1.0, "kHz": 1e3, "khz": 1e3, "KHz": 1e3, "MHz": 1e6,
            "mhz": 1e6,
        },
    ),
    "current": (
        "mA",
        {"mA": 1.0, "ma": 1.0, "µA": 1e-3, "μA": 1e-3, "uA": 1e-3, "ua": 1e-3, "A": 1000.0},
    ),
    "pressure": (
        "bar",
        {
            "bar": 1.0, "mbar": 1e-3, "kPa": 0.01, "kpa": 0.01, "Pa": 1e-5, "atm": 1.01325,
            "psi": 0.0689476,
        },
    ),
    "voltage": ("V", {"V": 1.0, "v": 1.0, "mV": 1e-3, "kV": 1e3}),
    "power-density": ("W/cm2", {"W/cm2": 1.0, "W/cm²": 1.0, "mW/cm2": 1e-3}),
    "count": ("", {"": 1.0}),
}

#: spelling -> (dimension, factor): the value in the canonical unit is ``value * factor +
#: offset``. One dict hit per lookup.
UNITS: Final[dict[str, tuple[str, float]]] = {
    spelling: (dim, factor)
    for dim, (_canon, spellings) in _TABLE.items()
    for spelling, factor in spellings.items()
}
#: spelling -> offset to the canonical unit, for the few units that have one (kelvin to °C)
OFFSETS: Final[dict[str, float]] = {}
#: dimension -> canonical unit
CANONICAL: Final[dict[str, str]] = {dim: canon for dim, (canon, _s) in _TABLE.items()}
#: dimensions whose values may be below zero (a temperature); every other one is refused
NEGATIVE_ALLOWED: Final[set[str]] = set()
#: What to write for each dimension in a message ("expected a length, e.g. 1.5 mm").
EXAMPLES: Final[dict[str, str]] = {
    "length": "1.5 mm", "volume": "0.05 ml", "time": "20 min", "frequency": "16 kHz",
    "current": "1 mA", "pressure": "2 bar", "voltage": "10 V", "power-density": "1 W/cm2",
    "count": "40",
}
#: the dimensions known (the core's and those plugins registered)
DIMENSIONS: Final[list[str]] = list(_TABLE)
#: what plugins registered, in order: ``("dimension", args)`` and ``("unit", args)``, so that
#: a catalog read from the cache can register the same again (mesosim/plugin/cache.py)
_REGISTERED: Final[list[tuple[str, tuple[Any, ...]]]] = []


def registrations() -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """Every dimension and unit registered so far by plugins, as :func:`replay` takes them."""
    return tuple(_REGISTERED)


def replay(registered: tuple[tuple[str, tuple[Any, ...]], ...]) -> None:
    """Register again what :func:`registrations` returned (``ValueError`` on a conflict)."""
    for kind, args in registered:
        (register_dimension if kind == "dimension" else register_unit)(*args)


def register_dimension(name: str, canonical: str, example: str, negative: bool = False) -> None:
    """Make a dimension known (a plugin's, e.g. ``temperature`` in ``°C``). Registering the same
    dimension again with the same meaning does nothing; another meaning raises ``ValueError``."""
    if name in CANONICAL:
        if CANONICAL[name] != canonical or (name in NEGATIVE_ALLOWED) != negative:
            raise ValueError(f"dimension '{name}' is already known with canonical unit "
                             f"'{CANONICAL[name]}'")
        return
    if canonical in UNITS:
        raise ValueError(f"unit '{canonical}' is already a {UNITS[canonical][0]}")
    _REGISTERED.append(("dimension", (name, canonical, example, negative)))
    CANONICAL[name] = canonical
    EXAMPLES[name] = example
    DIMENSIONS.append(name)
    UNITS[canonical] = (name, 1.0)
    if negative:
        NEGATIVE_ALLOWED.add(name)
    _parse_text.cache_clear()


def register_unit(spelling: str, dimension: str, factor: float, offset: float = 0.0) -> None:
    """Make ``spelling`` a unit of ``dimension``: ``value * factor + offset`` is the value in
    the dimension's canonical unit. Raises ``ValueError`` for an unknown dimension or a spelling
    that already means something else."""
    if dimension not in CANONICAL:
        raise ValueError(f"unit '{spelling}' is of an unknown dimension '{dimension}'")
    if not spelling or spelling != spelling.strip() or any(c.isdigit() for c in spelling[:1]):
        raise ValueError(f"'{spelling}' cannot be a unit's spelling")
    if not (math.isfinite(factor) and factor > 0 and math.isfinite(offset)):
        raise ValueError(f"unit '{spelling}': the factor must be positive and finite")
    known = UNITS.get(spelling)
    if known is not None:
        if known != (dimension, factor) or OFFSETS.get(spelling, 0.0) != offset:
            raise ValueError(f"unit '{spelling}' is already a {known[0]} with another meaning")
        return
    _REGISTERED.append(("unit", (spelling, dimension, factor, offset)))
    UNITS[spelling] = (dimension, factor)
    if offset:
        OFFSETS[spelling] = offset
    _parse_text.cache_clear()


def to_canonical(value: float, unit: str) -> float:
    """``value`` in ``unit``, in its dimension's canonical unit."""
    return value * UNITS[unit][1] + OFFSETS.get(unit, 0.0)


def from_canonical(value: float, unit: str) -> float:
    """A value in the canonical unit, expressed in ``unit``."""
    return (value - OFFSETS.get(unit, 0.0)) / UNITS[unit][1]


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*[^\d\s,]*\s*$")
_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


class UnitError(ValueError):
    """A quantity that cannot be read. ``problem`` is one of:

    ``missing-unit``, ``unknown-unit``, ``wrong-dimension``, ``not-a-number``, ``not-finite``,
    ``negative``.
    """

    def __init__(self, problem: str, message: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.problem = problem
        self.suggestion = suggestion


@frozen
class Quantity:
    """A number with its unit as written, plus the value in the dimension's canonical unit."""

    value: float
    unit: str
    dimension: str

    @property
    def canonical(self) -> float:
        return to_canonical(self.value, self.unit) if self.unit in UNITS else self.value

    def to(self, unit: str) -> float:
        """This quantity's value expressed in ``unit`` (same dimension)."""
        if unit == self.unit:
            return self.value
        # from_canonical(self.canonical, unit) inlined, the same arithmetic in the same order
        # (simulate converts ~24 quantities a file): 0.195 -> 0.129 us a call (speed round 2)
        entry = UNITS.get(self.unit)
        canonical = self.value * entry[1] + OFFSETS.get(self.unit, 0.0) if entry else self.value
        return (canonical - OFFSETS.get(unit, 0.0)) / UNITS[unit][1]

    def __str__(self) -> str:
        return f"{fmt_number(self.value)} {self.unit}".strip()


def fmt_number(x: float) -> str:
    """``2.0`` -> ``2``, ``0.05`` -> ``0.05``: numbers as a person writes them."""
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:  # int(inf) raises (`wait: .inf`)
        return str(int(x))
    return f"{x:.6g}"


def dimension_of(unit: str) -> str | None:
    entry = UNITS.get(unit)
    return entry[0] if entry else None


def canonical_unit(dimension: str) -> str:
    return CANONICAL[dimension]


def suggest_unit(spelling: str, dimension: str | None = None) -> str | None:
    """The accepted spelling nearest to ``spelling`` (case-insensitive first, then edit distance)."""
    import difflib

    pool = [u for u, (d, _) in UNITS.items() if u and (dimension is None or d == dimension)]
    for u in pool:
        if u.lower() == spelling.lower():
            return u
    close = difflib.get_close_matches(spelling, pool, n=1, cutoff=0.6)
    return close[0] if close else None


def parse_quantity(raw: object, dimension: str) -> Quantity:
    """Read ``raw`` (``"1.5 mm"``, or a bare number for a ``count``) as a quantity of ``dimension``.

    Raises :class:`UnitError` with a message that names the value found and what was expected.
    """
    if isinstance(raw, str):  # the usual case first: 0.23 -> 0.095 us a call (speed round 2)
        return _parse_text(raw, dimension)
    example = EXAMPLES.get(dimension, "")
    if isinstance(raw, bool) or raw is None:
        raise UnitError("not-a-number", f"expected a {dimension} like '{example}', found {raw!r}")
    if isinstance(raw, int | float):
        if dimension == "count" or not math.isfinite(raw):
            return _checked(float(raw), "", dimension, raw)
        raise UnitError(
            "missing-unit",
            f"'{raw}' has no unit: expected a {dimension} like '{example}'",
            suggestion=f"{fmt_number(float(raw))} {canonical_unit(dimension)}",
        )
    raise UnitError(
        "not-a-number", f"expected a {dimension} like '{example}', found a {type(raw).__name__}"
    )


@functools.lru_cache(maxsize=4096)
def _parse_text(raw: str, dimension: str) -> Quantity:
    """Text to a quantity. Cached: the same few spellings ("7 d", "1.5 mm") recur in every file
    of a class, and a Quantity is immutable (errors are raised again, never cached)."""
    example = EXAMPLES.get(dimension, "")
    comma = _DECIMAL_COMMA.match(raw)
    if comma:
        fixed = raw.strip().replace(",", ".", 1)
        raise UnitError("not-a-number", f"'{raw.strip()}' uses a decimal comma; mesosim reads "
                        "a decimal point", suggestion=fixed)
    m = _QUANTITY.match(raw)
    if not m:
        low = raw.strip().lower()
        if low in {"nan", ".nan", "inf", ".inf", "-inf", "-.inf", "infinity"} or low.startswith(
            ("nan ", "inf ", ".nan ", ".inf ")
        ):
            raise UnitError("not-finite", f"'{raw}' is not a finite number")
        raise UnitError("not-a-number", f"expected a {dimension} like '{example}', found '{raw}'")
    number, unit = float(m.group(1)), m.group(2)
    if unit == "" and dimension != "count":
        raise UnitError(
            "missing-unit",
            f"'{raw}' has no unit: expected a {dimension} like '{example}'",
            suggestion=f"{m.group(1)} {canonical_unit(dimension)}",
        )
    if unit not in UNITS:
        hint = suggest_unit(unit, dimension)  # never a unit of another dimension ('0.05 sec' for a volume)
        raise UnitError(
            "unknown-unit",
            f"unknown unit '{unit}' in '{raw}': expected a {dimension} like '{example}'",
            suggestion=f"{m.group(1)} {hint}" if hint else None,
        )
    found = UNITS[unit][0]
    if found != dimension:
        raise UnitError(
            "wrong-dimension",
            f"'{raw}' is a {found or 'plain number'}, expected a {dimension} like '{example}'",
        )
    return _checked(number, unit, dimension, raw)


def _checked(number: float, unit: str, dimension: str, raw: object) -> Quantity:
    if not math.isfinite(number) or abs(number) > 1e12:
        raise UnitError("not-finite", f"'{raw}' is not a finite, reasonable number")
    if number < 0 and dimension not in NEGATIVE_ALLOWED:
        raise UnitError("negative", f"'{raw}' is negative: a {dimension} cannot be below zero")
    return Quantity(number, unit, dimension)
