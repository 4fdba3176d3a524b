"""hardware-gun: a special gun (injector) that treats large areas fast, to a set depth and
almost painlessly (002:67); a vibrating injector whose settings raise or lower the volume
injected and the depth (002:571).

Sources (see docs/sources.md): the injector is described under classical (injection)
mesotherapy, 2-5 mm deep (002:569), and the face figure of 1.5-2 mm (002:11) holds for it as for
the syringe; each injection's dose counts in tenths or hundredths of a millilitre (002:309). The
session follows the salon sequence (002:399-406), with the allergy test before the course
(002:69, which follows the gun's description). Contraindications, aftercare, interval and
course are those of injections in general (``_common``).

Choices mesosim makes where the sources give no figure, each marked ``default``:

* the gun is for large areas (002:67); the eyelids and the corners of the mouth are treated by
  hand, point by point (002:65), so the eye area (``periorbital``) is not one of its zones;
* the gun works very quickly (002:67), but no time is given: the injection step lasts 1-15 min,
  and up to 500 points (a large area) are allowed, within the same session dose as manual
  injection.
"""

from __future__ import annotations

from mesosim import Limit, ParamRange, Technique, Vocabulary, between, hookimpl
from mesosim_plugins import _common

NAME = "hardware-gun"

# The device step this technique brings to the shared vocabulary.
VOCABULARY = _common.INJECTION_VOCABULARY

# The salon sequence, 002:399-406: disinfection before the puncture is required (002:401,
# 000:81); the anaesthetic is optional (the gun is almost painless, 002:67), so is marking.
STEPS = _common.INJECTION_STEPS

_SETTINGS_NOTE = "the injector's settings raise or lower the depth (002:571)"

PARAMETERS = (
    ParamRange("injection", "depth",
               between(1.5, 2, "mm", "002:11", note=f"the face figure of injections; {_SETTINGS_NOTE}"),
               zone="face"),
    ParamRange("injection", "depth",
               between(1.5, 5, "mm", "002:11, 002:569",
                       note=f"classical injections 2-5 mm (002:569), 1.5 mm the shallowest the "
                            f"sources give (002:11); {_SETTINGS_NOTE}")),
    ParamRange("injection", "volume_per_point",
               between(0.01, 0.1, "ml", "002:309",
                       note="a dose of tenths or hundredths of a millilitre per injection, read as "
                            "0.01-0.1 ml per point; the injector's settings raise or lower the "
                            "volume (002:571)")),
    ParamRange("injection", "points",
               between(1, 500, "", "default",
                       note="the gun treats large areas at once (002:67); no source counts points")),
    ParamRange("injection", "duration",
               between(1, 15, "min", "default",
                       note="the gun works very quickly (002:67); no source gives a time")),
    _common.ANESTHESIA_WAIT,
)

TECHNIQUE = Technique(
    name=NAME,
    description="A special gun (vibrating injector) that treats large areas fast, to a set depth "
                "and volume, with little pain (002:67, 002:571).",
    active_step="injection",
    steps=STEPS,
    required={"disinfection", "injection"},
    interval=_common.INJECTION_INTERVAL,
    course_length=_common.INJECTION_COURSE,
    parameters=PARAMETERS,
    session_dose=between(0.1, 10, "ml", "default",
                         note="no source gives a total; the same conservative default as manual "
                              "injection"),
    contraindications=_common.INJECTION_CONTRAINDICATIONS,
    aftercare=_common.INJECTION_AFTERCARE,
    figures=_common.INJECTION_MAINTENANCE,
    allergy_test=_common.ALLERGY_TEST,
    zones={"face", "neck", "decollete", "scalp", "body", "hands"},
    limits=(
        Limit(zone="periorbital", source="default",
              note="the gun treats large areas (002:67); the eyelids and the corners of the "
                   "mouth are reached by hand, point by point (002:65): no source bars the gun "
                   "from the eye area, mesosim does by default"),
        Limit(setting="home", source="default",
              note="the sources describe the gun in the clinic only, and self-injection is "
                   "discouraged (002:213, 002:422)"),
    ),
    settings={"clinic"},
    durations={"marking": "2 min", "injection": "5 min", "soothing-mask": "10 min"},
)


@hookimpl
def mesosim_techniques() -> list[Technique]:
    """Declare hardware-gun."""
    return [TECHNIQUE]


@hookimpl
def mesosim_vocabulary() -> Vocabulary:
    """Declare the steps and parameters only this technique uses."""
    return VOCABULARY
