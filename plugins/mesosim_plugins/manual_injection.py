"""manual-injection: a syringe with a very thin needle, point by point (002:65).

Sources (see shared/domain.md): needles penetrate 1.5-2 mm on the face (002:11); classical
injections 2-5 mm (002:569); depth follows the wrinkle (002:138); "tenths and hundredths of a
millilitre" per injection (002:309); a session lasts 20-25 min (002:46); the salon sequence
(002:399-406); the eye-area variant (002:136-141).
"""

from __future__ import annotations

from mesosim import (
    Care,
    Contraindication,
    ParamRange,
    StepGraph,
    Technique,
    between,
    hookimpl,
)

NAME = "manual-injection"

# The salon sequence, 002:399-406. makeup-removal, marking and evaluation are optional;
# disinfection before the puncture is required by every source (002:401, 000:81).
STEPS = StepGraph.chain(
    "consultation",
    "makeup-removal",
    "cleansing",
    "disinfection",
    "anesthesia",
    "marking",
    "injection",
    "rest",
    "soothing-mask",
    "evaluation",
    "aftercare-briefing",
)

INJECTION_CONTRAINDICATIONS = (
    # injection in general, 002:612-618, and the general list 000:55-71
    Contraindication("coagulation-disorder", "000:63, 002:92, 002:617"),
    Contraindication("hemophilia", "002:375"),
    Contraindication("keloid-tendency", "002:618"),
    Contraindication("epilepsy", "000:71"),
    Contraindication("kidney-disease", "000:61, 002:93, 002:368"),
    Contraindication("liver-disease", "000:61"),
    Contraindication("chronic-disease-acute", "002:615"),
    Contraindication("allergic-tendency", "000:57, 002:364, 002:616"),
    Contraindication("decreased-immunity", "002:90, 002:372"),
    Contraindication("cardiovascular-disease", "002:96"),
    Contraindication("gallbladder-disease", "002:93"),
    # facial mesotherapy, 002:362-377
    Contraindication("oncology", "002:366"),
    Contraindication("hypertension", "002:367"),
    Contraindication("fever", "002:370"),
    Contraindication("skin-lesions", "002:373"),
    Contraindication("psoriasis", "002:374"),
    Contraindication("eczema", "002:374"),
    Contraindication("circulatory-disorder", "002:375"),
    Contraindication("diabetes", "002:376"),
    Contraindication("pacemaker", "002:377"),
    Contraindication("swelling", "000:65"),
    Contraindication("medications", "002:371, 002:395", severity="warning",
                     note="oral medications are stopped before the course (002:395)"),
    Contraindication("needle-phobia", "000:67", severity="warning",
                     note="fear of injections; a video may help (002:387)"),
    Contraindication("herpes", "002:630", severity="warning",
                     note="herpes relapse is the most common complication"),
)

AFTERCARE = (
    Care("sauna", between(2, None, "d", "000:98")),
    Care("sport", between(2, None, "d", "000:98")),
    Care("makeup", between(1, None, "d", "000:98")),
    Care("sun", between(2, None, "d", "default",
                        note="000:98 says 'several days'; 002:169 at least 2 days (hair); "
                             "002:192 3 days (non-injection)")),
)

INTERVAL = between(7, 14, "d", "000:95",
                   note="000:95: every 7-10 days; 002:309: no more than once a week; 002:640: "
                        "one to two sessions a week. The maximum of 14 d is a default.")
COURSE = between(4, 10, "", "002:640",
                 note="000:95: 8-10 sessions; 002:50: 5-7; 002:413: 5-10; 002:640: 4-10 (chosen "
                      "as the widest the sources support)")

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
                       note="'tenths and hundredths of a millilitre' per injection; mesosim "
                            "reads it as 0.01-0.1 ml per point")),
    ParamRange("injection", "points", between(1, 200, "", "default")),
    ParamRange("injection", "duration", between(5, 20, "min", "default")),
    ParamRange("anesthesia", "wait", between(10, 40, "min", "default")),
)

TECHNIQUE = Technique(
    name=NAME,
    description="Manual injections with a syringe and a very thin needle, point by point "
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
    allergy_test="002:69, 002:394",
    zones={"face", "periorbital", "neck", "decollete", "scalp", "body", "hands"},
    settings={"clinic"},
    durations={"marking": "2 min", "injection": "10 min", "soothing-mask": "10 min"},
)


@hookimpl
def mesosim_techniques() -> list[Technique]:
    """Declare manual-injection."""
    return [TECHNIQUE]
