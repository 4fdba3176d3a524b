"""The core vocabulary: the step names, parameters, conditions and activities every technique
shares.

This module is a plugin of the core (registered by the host like pytest's built-in plugins):
it names no technique and no technique's own step. Each technique plugin picks its steps from
here and declares its own device step (``injection``, ``rolling``, ``sonophoresis``...) through
``mesosim_vocabulary``.

Contraindications that hold for every technique, injection or not, are declared here: those the
sources list both for mesotherapy in general and for non-injection mesotherapy (002:200-205).
Injection-only ones (coagulation, keloids, epilepsy...) are added by the technique plugins.
"""

from __future__ import annotations

from mesosim import hookimpl
from mesosim.declarations import Contraindication, StepKind, Vocabulary

STEPS = (
    StepKind("consultation", "interview, history, contraindications (002:391)", duration="5 min",
             provides={"consulted"}),
    StepKind("makeup-removal", "remove cosmetics from the area (002:399)", duration="2 min",
             provides={"makeup-removed"}),
    StepKind("cleansing", "deep cleansing of the skin (002:400)", duration="3 min",
             provides={"skin-cleansed"}),
    StepKind("disinfection", "disinfect the treated area (002:401, 000:81)", duration="1 min",
             provides={"skin-disinfected"}),
    StepKind("device-disinfection", "disinfect the device or needles, e.g. with medical alcohol "
             "(002:463, 002:467)", duration="1 min", provides={"device-disinfected"}),
    StepKind("anesthesia", "local anaesthetic cream, then a wait (002:402)", params=("wait",),
             duration="15 min", provides={"anesthetised"}),
    StepKind("marking", "mark the puncture points (002:403)", duration="2 min",
             provides={"marked"}),
    StepKind("application", "spread the cocktail on the area (002:176)", params=("volume",),
             duration="2 min", provides={"cocktail-applied"}),
    StepKind("rest", "the patient rests (002:139)", params=("duration",), duration="10 min"),
    StepKind("soothing-mask", "soothing mask (002:405, 002:468)", params=("duration",),
             duration="10 min", provides={"mask-applied"}),
    StepKind("nourishing-cream", "nourishing cream, half an hour after the mask (002:469)",
             params=("wait",), duration="1 min"),
    StepKind("evaluation", "evaluate the first results (002:406)", duration="2 min"),
    StepKind("aftercare-briefing", "explain the rehabilitation rules (002:410)",
             duration="3 min", provides={"aftercare-explained"}),
)

PARAMETERS = {
    "depth": "length",
    "needle_length": "length",
    "volume_per_point": "volume",
    "volume": "volume",
    "points": "count",
    "passes": "count",
    "wait": "time",
    "duration": "time",
}

#: parameter -> the kind of finding a value out of range is (``Vocabulary.parameter_kinds``);
#: a parameter not listed (every device setting a plugin adds) is a ``device-setting``
PARAMETER_KINDS = {
    "depth": "depth",
    "needle_length": "depth",
    "volume_per_point": "dose",
    "volume": "dose",
    "points": "dose",
    "duration": "duration",
    "wait": "duration",
}

CONDITIONS = frozenset({
    "pregnancy", "breastfeeding", "pacemaker", "coagulation-disorder", "hemophilia", "diabetes",
    "oncology", "epilepsy", "keloid-tendency", "infection", "fever", "kidney-disease",
    "liver-disease", "gallbladder-disease", "cholelithiasis", "hypertension",
    "allergic-tendency", "component-intolerance", "inflammation", "decreased-immunity",
    "cardiovascular-disease", "circulatory-disorder", "skin-lesions", "psoriasis", "eczema",
    "medications", "menstruation", "mental-illness", "scalp-inflammation",
    "chronic-disease-acute", "needle-phobia", "swelling", "herpes", "metal-implants",
})

ACTIVITIES = frozenset({
    "sauna", "steam-room", "bath", "sun", "solarium", "beach", "sport", "makeup",
    "hair-washing", "shower", "styling-products", "alcohol", "pool", "smoking", "medications",
    "massage", "peeling",
})

GENERAL = (
    Contraindication("pregnancy", "000:69, 002:202", note="002:379-381: strongly not "
                     "recommended, no laboratory tests exist"),
    Contraindication("breastfeeding", "000:69, 002:97, 002:202"),
    Contraindication("infection", "002:205, 002:369"),
    Contraindication("inflammation", "002:94, 002:203"),
    Contraindication("component-intolerance", "000:59, 002:95, 002:365"),
)


@hookimpl
def mesosim_vocabulary() -> Vocabulary:
    """The words every technique shares."""
    return Vocabulary(steps=STEPS, parameters=PARAMETERS, conditions=CONDITIONS,
                      activities=ACTIVITIES, contraindications=GENERAL,
                      parameter_kinds=PARAMETER_KINDS)
