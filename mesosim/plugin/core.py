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

from attr import evolve

from mesosim import hookimpl
from mesosim.declarations import (
    Activity,
    Care,
    Contraindication,
    Figure,
    ParamRange,
    Procedure,
    Source,
    StepKind,
    Vocabulary,
    Zone,
    between,
)
from mesosim.plugin.claims import CLAIMS

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

#: What patients plan, and what each involves: a plan meets the windows of its own activity and
#: of the activities it involves. 000:98 groups tanning beds with direct sun, and saunas with
#: steam rooms; 002:480 lists baths, solariums, saunas and beaches as heat and UV; 002:169
#: names washing the hair and showering together; 002:481 swimming in public places.
ACTIVITIES = (
    Activity("sauna", "a sauna: heat", source="000:98, 002:480"),
    Activity("steam-room", "a steam room: heat", involves={"sauna"}, source="000:98"),
    Activity("bath", "a hot bath or bathhouse: heat", involves={"sauna"}, source="002:480"),
    Activity("banya", "a Russian bathhouse: heat", involves={"sauna"}, source="002:480, 002:636"),
    Activity("sun", "sunbathing or long exposure to the sun", source="000:98, 002:169"),
    Activity("solarium", "a tanning bed", involves={"sun"}, source="000:98, 002:169, 002:480"),
    Activity("beach", "a beach: sun and heat", involves={"sun", "sauna"}, source="002:480"),
    Activity("sport", "intense sport or physical workouts", source="000:98, 002:482"),
    Activity("gym", "a workout at the gym", involves={"sport"}, source="002:636"),
    Activity("makeup", "decorative makeup on the treated area", source="000:98, 002:485"),
    Activity("hair-washing", "washing the hair", source="002:169"),
    Activity("shower", "a shower (the hair gets wet)", involves={"hair-washing"},
             source="002:169"),
    Activity("styling-products", "hair styling products", source="002:169"),
    Activity("scalp-care", "care treatments for the scalp", source="002:169"),
    Activity("alcohol", "drinking alcohol", source="002:194, 002:484"),
    Activity("drinking", "drinking alcohol (a party, a celebration)", involves={"alcohol"},
             source="002:484"),
    Activity("smoking", "smoking: nicotine", source="002:483"),
    Activity("pool", "a swimming pool", source="002:197, 002:481"),
    Activity("swimming", "swimming in public places", involves={"pool"}, source="002:481"),
    Activity("medications", "taking medications", source="002:198"),
    Activity("massage", "a massage of the treated area"),
    Activity("peeling", "a peeling of the treated area"),
)

#: The general lists apply to every technique (injection or not) and every zone: 000:55-71 and
#: 002:86-97 list them for mesotherapy as such. 000:65 lists swelling of good and of poor
#: quality, a mistranslation of benign and malignant tumours (swelling under the eyes is an
#: indication: 002:25, 002:118).
GENERAL = (
    Contraindication("allergic-tendency", "000:57"),
    Contraindication("component-intolerance", "000:59, 002:95"),
    Contraindication("liver-disease", "000:61"),
    Contraindication("kidney-disease", "000:61, 002:93"),
    Contraindication("coagulation-disorder", "000:63, 002:92"),
    Contraindication("oncology", "000:65",
                     note="000:65 lists swelling of good and of poor quality, read as "
                          "benign and malignant tumours"),
    Contraindication("pregnancy", "000:69, 002:91",
                     note="002:379-381: strongly not recommended, no laboratory tests exist"),
    Contraindication("breastfeeding", "000:69, 002:97"),
    Contraindication("epilepsy", "000:71"),
    Contraindication("decreased-immunity", "002:90"),
    Contraindication("gallbladder-disease", "002:93"),
    Contraindication("inflammation", "002:94"),
    Contraindication("cardiovascular-disease", "002:96"),
    # injection, 002:612-618 (and the needle's own: fear of injections, herpes relapse)
    *(Contraindication(c, src, sev, note, scope={"method": "injection"}) for c, src, sev, note in (
        ("pregnancy", "002:614", "error", ""),
        ("chronic-disease-acute", "002:615", "error", ""),
        ("component-intolerance", "002:616", "error", ""),
        ("coagulation-disorder", "002:617", "error", ""),
        ("keloid-tendency", "002:618", "error", ""),
        ("needle-phobia", "000:67", "warning",
         "fear of injections: 000:67 lists it; a video of the procedure may help (002:387)"),
        ("herpes", "002:630", "warning", "a herpes relapse is the most common complication"),
        ("medications", "002:395", "warning",
         "the salon's preparation stops every oral medication before the course (002:395)"),
    )),
    # non-injection, 002:200-205; and 002:612: injections have fewer contraindications than
    # most hardware techniques, so what injections add beyond the needle holds here too
    *(Contraindication(c, src, "error", note, scope={"method": "non-injection"})
      for c, src, note in (
        ("pregnancy", "002:202", ""),
        ("breastfeeding", "002:202", ""),
        ("inflammation", "002:203", ""),
        ("cholelithiasis", "002:204", ""),
        ("infection", "002:205", ""),
        ("chronic-disease-acute", "002:612, 002:615",
         "002:615 lists it for injections, and 002:612 says hardware techniques have more "
         "contraindications than injections"),
        ("component-intolerance", "002:612, 002:616", ""),
    )),
)


def _week(activity: str, line: str) -> Care:
    # 002:478: recovery takes 2-3 days, yet its restrictions last a week after a session; the
    # list (002:480-485) speaks of injections that damage the epidermis
    return Care(activity, between(7, None, "d", f"002:478, 002:{line}",
                                  note="the recovery restrictions last a week after a "
                                       "session (002:478); 000:98 gives 2 days for "
                                       "saunas and sport, 1 for makeup"),
                scope={"method": "injection"})


#: the facial rehabilitation rules for a week (002:472-485), after injections and the roller
FACE_REHABILITATION = (
    _week("sauna", "480"), _week("sun", "480"), _week("pool", "481"), _week("sport", "482"),
    _week("smoking", "483"), _week("alcohol", "484"), _week("makeup", "485"),
)

#: The facial article's list, 002:362-377: for the face and the eye area, whatever the technique
#: (and the scalp, whose list matches the other kinds', 002:165).
FACIAL = (
    Contraindication("allergic-tendency", "002:364"),
    Contraindication("component-intolerance", "002:365"),
    Contraindication("oncology", "002:366"),
    Contraindication("hypertension", "002:367"),
    Contraindication("kidney-disease", "002:368"),
    Contraindication("infection", "002:369"),
    Contraindication("fever", "002:370"),
    Contraindication("medications", "002:371", severity="warning",
                     note="002:371 lists taking medications at the same time; the salon has the "
                          "patient stop oral medications before the course (002:395), so "
                          "mesosim asks for caution rather than refusing"),
    Contraindication("decreased-immunity", "002:372"),
    Contraindication("skin-lesions", "002:373"),
    Contraindication("psoriasis", "002:374"),
    Contraindication("eczema", "002:374"),
    Contraindication("circulatory-disorder", "002:375"),
    Contraindication("hemophilia", "002:375"),
    Contraindication("diabetes", "002:376"),
    Contraindication("pacemaker", "002:377"),
)

#: The eye area's procedure after the active step, 002:139-140: the patient rests; after half
#: an hour the skin is disinfected a second time, then comes the soothing mask, or a cream that
#: works the same way. The rest and the second disinfection come after the 20-25 minutes a
#: manual session's measure counts (002:46), so they are not measured.
EYE_PROCEDURE = Procedure(
    source="002:139-140",
    scope={"method": "injection"},
    after_active=("rest", ("disinfection-again", "disinfection"), "soothing-mask"),
    required={"rest", "disinfection-again"},
    unmeasured={"rest", "disinfection-again"},
    note="002:140 accepts a cream that works the same way instead of the mask: the mask is not "
         "required",
)

ZONES = (
    Zone("face", "the face: forehead, brows, crow's feet, cheeks, nasolabial folds, mouth, lips "
         "(002:30-40)", "002:30-40", contraindications=FACIAL, aftercare=FACE_REHABILITATION),
    Zone("periorbital", "the eye area: crow's feet, bags and bruises, dark lower eyelid, "
         "eyelid ptosis (002:124-128)", "002:124-128",
         contraindications=(
             *FACIAL,
             Contraindication("diabetes", "002:132"),
             Contraindication("circulatory-disorder", "002:132"),
             Contraindication("oncology", "002:132"),
             Contraindication("pregnancy", "002:132"),
             Contraindication("breastfeeding", "002:132"),
             Contraindication("infection", "002:132"),
         ),
         aftercare=FACE_REHABILITATION,
         # 002:134-141 describe eye mesotherapy by injection (002:138): its course, interval and
         # procedure are for injection techniques; the non-injection ones keep 002:181's
         figures=(
             Figure("course_length", between(
                 3, 7, "", "002:141", note="three to seven procedures for the eye area; the "
                 "general course is 4-10 (002:640), 5-7 (002:50), 8-10 (000:95)"),
                 scope={"method": "injection"}),
             Figure("interval", between(
                 14, 21, "d", "002:141", note="the next session a couple of weeks later; the "
                 "21-day maximum is a default"), scope={"method": "injection"}),
         ),
         procedures=(EYE_PROCEDURE,),
         parameters=(
             ParamRange("rest", "duration", between(
                 20, 40, "min", "002:140", note="the skin waits half an hour once the "
                 "procedure is over; the +/-10 min tolerance is a default")),
         )),
    Zone("neck", "the neck (the sources give no figure of their own; nearest: the double chin, "
         "002:82, 002:338)", "default"),
    Zone("decollete", "the decollete (not in the sources)", "default"),
    Zone("scalp", "the scalp, for hair loss and the other hair problems (002:145, 002:156-163)",
         "002:145",
         contraindications=(
             *(evolve(c, source=f"002:165, {c.source}",
                      note="002:165: hair mesotherapy shares the other kinds' list"
                           + (f"; {c.note}" if c.note else ""))
               for c in FACIAL),
             Contraindication("menstruation", "002:165"),
             Contraindication("mental-illness", "002:165"),
             Contraindication("scalp-inflammation", "002:165"),
         ),
         # hair mesotherapy is injected into the scalp (002:145): its care and course are for
         # injection techniques (a shower meets the hair-washing window, a solarium the sun's)
         aftercare=tuple(Care(a, between(n, None, u, "002:169"), scope={"method": "injection"})
                         for a, n, u in (("hair-washing", 10, "h"), ("sun", 2, "d"),
                                         ("styling-products", 12, "h"), ("scalp-care", 12, "h"))),
         figures=(
             Figure("course_length", between(
                 8, 10, "", "002:167", note="a first course of eight to ten sessions "
                 "(002:167); 002:268 says at least 10, a patients' figure mesosim does not "
                 "take over the hair article's own"), scope={"method": "injection"}),
         )),
    Zone("body", "the body: fat deposits, cellulite, stretch marks, sagging skin (002:81, "
         "002:606-607, 002:624)", "002:81"),
    Zone("hands", "the hands (not in the sources as a zone)", "default"),
)

SOURCES = (
    Source("000", "Mesotherapy: what it is, contraindications, risks and aftercare (article)",
           "docs/sources.md#000", claims=CLAIMS.for_source("000")),
    Source("002", "Mesotherapy for face, eyes, hair and body, injection and non-injection, "
                  "at the salon and at home (articles)",
           "docs/sources.md#002", claims=CLAIMS.for_source("002")),
)


@hookimpl
def mesosim_vocabulary() -> Vocabulary:
    """The words every technique shares."""
    return Vocabulary(steps=STEPS, parameters=PARAMETERS, conditions=CONDITIONS,
                      activities=ACTIVITIES, contraindications=GENERAL,
                      parameter_kinds=PARAMETER_KINDS, zones=ZONES, sources=SOURCES)
