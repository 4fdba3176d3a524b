"""roller: the mesoscooter, a roller with thin needles of several lengths (002:111), whose
micro-punctures let a cocktail applied beforehand into the skin (002:252-255).

Sources (see docs/sources.md): at home the needles should be 0.5 mm long at most (002:111);
the home sequence (002:462-470): cleanse -> disinfect the roller with medical alcohol ->
anaesthetic -> apply the cocktail -> roll 3-5 min -> disinfect the roller again -> soothing
mask -> nourishing cream after half an hour -> the next session a week later at the earliest,
two weeks being better; at most weekly, in courses of five sessions or more (002:262).

Choices mesosim makes where the sources give no figure, each marked ``default``:

* clinic rollers: at most 1 mm (the sources give no clinic figure, only that rollers come in
  several lengths, 002:111);
* the nourishing cream's wait of half an hour (002:469) is read as 20-40 min;
* the longest interval (21 d) and course (10 sessions).

The roller punctures the skin, so the injection contraindications apply to it (``_common``),
and so do the aftercare rules given for injections (000:98).
"""

from __future__ import annotations

from mesosim import (
    Contraindication,
    ParamRange,
    StepGraph,
    StepKind,
    Technique,
    Vocabulary,
    between,
    hookimpl,
)
from mesosim_plugins import _common

NAME = "roller"

# The device step this technique brings to the shared vocabulary.
ROLLING = StepKind("rolling", "roll a needle roller over the cocktail (002:466)",
                   params=("needle_length", "duration", "passes"), duration="4 min",
                   requires={"device-disinfected", "cocktail-applied"},
                   provides={"cocktail-delivered"}, consumes={"device-disinfected"},
                   punctures=True)
VOCABULARY = Vocabulary(steps=(ROLLING,))

# The home sequence, 002:462-469. The roller is disinfected before and after rolling
# (002:463, 002:467): the second disinfection is its own slot. The anaesthetic, the soothing
# mask and the nourishing cream are optional; the cleansing too (nothing checks it).
STEPS = StepGraph.chain(
    "cleansing",
    "device-disinfection",
    "anesthesia",
    "application",
    "rolling",
    ("device-disinfection-after", "device-disinfection"),
    "soothing-mask",
    "nourishing-cream",
)

PARAMETERS = (
    ParamRange("rolling", "needle_length",
               between(None, 0.5, "mm", "002:111",
                       note="at home, needles longer than 0.5 mm are advised against, to "
                            "spare the blood vessels"),
               setting="home"),
    ParamRange("rolling", "needle_length",
               between(None, 1, "mm", "default",
                       note="no source gives a clinic figure; rollers come in several lengths "
                            "(002:111), 0.5 mm at most at home; mesosim allows twice that in a "
                            "clinic, under the 1.5 mm of facial injections (002:11)"),
               setting="clinic"),
    ParamRange("rolling", "duration",
               between(3, 5, "min", "002:466",
                       note="3-5 minutes, according to how it feels and how large the area is")),
    _common.ANESTHESIA_WAIT,
    ParamRange("nourishing-cream", "wait",
               between(20, 40, "min", "002:469",
                       note="half an hour after the mask; mesosim allows 30 min +/- 10 min (the "
                            "tolerance is a default)")),
)

# Fear of the needle roller is met with an anaesthetic (002:460), not a reason to refuse.
CONTRAINDICATIONS = (
    Contraindication("needle-phobia", "000:67, 002:460", severity="warning",
                     note="fear of the needle roller; an anaesthetic removes the discomfort "
                          "(002:460)"),
)

TECHNIQUE = Technique(
    name=NAME,
    description="Mesoscooter: a roller with thin needles rolled over an applied cocktail; at "
                "home needles of at most 0.5 mm (002:111, 002:462-470).",
    active_step="rolling",
    steps=STEPS,
    required={"device-disinfection", "application", "rolling", "device-disinfection-after"},
    interval=between(7, 21, "d", "002:262, 002:470",
                     note="at most weekly (002:262); a week apart at the earliest, two weeks "
                          "better (002:470). The maximum of 21 d is a default."),
    course_length=between(5, None, "", "002:262",
                          note="five sessions or more per course, ending when the results "
                               "satisfy (002:262): no maximum"),
    parameters=PARAMETERS,
    contraindications=CONTRAINDICATIONS,
    aftercare=_common.INJECTION_AFTERCARE,
    allergy_test=_common.ALLERGY_TEST,
    settings={"home", "clinic"},
    figures=_common.maintenance(between(
        7, None, "d", "002:262",
        note="no more than once a week (002:262) holds for maintenance sessions too; the "
             "sources give no maintenance course for the roller")),
)


@hookimpl
def mesosim_techniques() -> list[Technique]:
    """Declare roller."""
    return [TECHNIQUE]


@hookimpl
def mesosim_vocabulary() -> Vocabulary:
    """Declare the steps and parameters only this technique uses."""
    return VOCABULARY
