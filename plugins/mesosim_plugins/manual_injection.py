"""manual-injection: a very fine needle on a syringe, one point at a time (002:65).

Sources (see docs/sources.md): needles reach 1.5-2 mm deep on the face (002:11); classical
injections 2-5 mm (002:569); depth follows the wrinkle (002:138); each injection's dose counts
in tenths or hundredths of a millilitre (002:309); a session lasts 20-25 min (002:46); the salon
sequence (002:399-406); the eye-area variant (002:136-141).
"""

from __future__ import annotations

from mesosim import Limit, ParamRange, Technique, Vocabulary, between, hookimpl
from mesosim_plugins import _common

NAME = "manual-injection"

# The device step this technique brings to the shared vocabulary.
VOCABULARY = _common.INJECTION_VOCABULARY

# The salon sequence, 002:399-406. makeup-removal, marking and evaluation are optional;
# disinfection before the puncture is required by every source (002:401, 000:81).
STEPS = _common.INJECTION_STEPS

# Shared with the other puncturing techniques (the hardware gun, the roller).
INJECTION_CONTRAINDICATIONS = _common.INJECTION_CONTRAINDICATIONS
AFTERCARE = _common.INJECTION_AFTERCARE
INTERVAL = _common.INJECTION_INTERVAL
COURSE = _common.INJECTION_COURSE

PARAMETERS = (
    ParamRange("injection", "depth", between(1.5, 2, "mm", "002:11"), zone="face"),
    ParamRange("injection", "depth", between(1.5, 2, "mm", "002:11",
                                             note="the eye area follows the face figure; depth "
                                                  "follows the wrinkle (002:138)"),
               zone="periorbital"),
    ParamRange("injection", "depth", between(1.5, 5, "mm", "002:11, 002:569",
                                             note="classical injections 2-5 mm (002:569)")),
    ParamRange("injection", "volume_per_point",
               between(0.01, 0.1, "ml", "002:309",
                       note="a dose of tenths or hundredths of a millilitre per injection; "
                            "mesosim reads it as 0.01-0.1 ml per point")),
    ParamRange("injection", "points", between(
        1, 200, "", "default",
        note="no source counts the points; 002:46 says only that there are many tiny punctures: "
             "a wide bound that catches typing mistakes")),
    ParamRange("injection", "duration", between(
        5, 20, "min", "default",
        note="no source times the injections alone; the whole procedure takes 20-25 min (002:46)")),
    _common.ANESTHESIA_WAIT,
)

TECHNIQUE = Technique(
    name=NAME,
    description="Injections by hand, one point at a time, with a very fine needle on a syringe "
                "(002:65).",
    active_step="injection",
    steps=STEPS,
    required={"disinfection", "injection"},
    interval=INTERVAL,
    course_length=COURSE,
    parameters=PARAMETERS,
    session_duration=between(20, 25, "min", "002:46",
                             note="measured from marking to the soothing mask; the consultation "
                                  "and the anaesthetic's wait are not counted"),
    session_span=("marking", "soothing-mask"),
    session_dose=between(0.1, 10, "ml", "default",
                         note="no source gives a total; a conservative default"),
    contraindications=INJECTION_CONTRAINDICATIONS,
    aftercare=AFTERCARE,
    figures=_common.INJECTION_MAINTENANCE,
    allergy_test=_common.ALLERGY_TEST,
    zones={"face", "periorbital", "neck", "decollete", "scalp", "body", "hands"},
    settings={"clinic"},
    limits=(
        Limit(setting="home", source="002:56, 002:213",
              note="injecting is for a highly trained specialist only (002:56); nobody can "
                   "inject themselves at home (002:213)"),
    ),
    durations={"marking": "2 min", "injection": "10 min", "soothing-mask": "10 min"},
)


@hookimpl
def mesosim_techniques() -> list[Technique]:
    """Declare manual-injection."""
    return [TECHNIQUE]


@hookimpl
def mesosim_vocabulary() -> Vocabulary:
    """Declare the steps and parameters only this technique uses."""
    return VOCABULARY
