"""oxygen: the cocktail is driven into the skin by a stream of oxygen under high pressure (002:579).

Sources (see shared/domain.md): oxygen mesotherapy "does not require the use of a syringe. The
drug is injected into the skin under the influence of a stream of oxygen supplied under high
pressure ... absolute painlessness ... Contraindications for its use are minor due to the
absence of punctures of the skin" (002:579); the source lists it as a third type beside
injection and non-injection (002:561-565). It does not puncture the skin, so mesosim treats it
as non-injection mesotherapy (002:171-205): the cocktail is spread on the area, then a device
drives it in (002:175-177); sessions take no more than half an hour (002:179); an intensive
course is 3-10 procedures ten days apart (002:181); alcohol, sunbathing, decorative cosmetics,
pools and saunas and medications are avoided three days before and three days after each
session (002:192-198); contraindications 002:200-205.

Choices mesosim makes, each visible in ``mesosim techniques show oxygen``:

* no source gives the oxygen pressure or the device time: both are conservative ``default``
  ranges, to be overridden with the device maker's figures (``mesosim.toml``);
* the contraindications are the non-injection list (002:200-205; pregnancy, lactation,
  infection and inflammation are general ones in ``mesosim/vocabulary.py``) and nothing more:
  "minor" (002:579) gives no list, and the general list's puncture-related items (clotting,
  keloids, 002:612-618) do not apply without a puncture;
* the allergy test is required: it tests the cocktail, not the needle ("a few drops of the
  substance used" on the shoulder, 002:69, a sentence that follows the hardware type the source
  itself calls "non-injection", 002:67; and the salon's preparatory stage, 002:394), and a
  non-injection session puts the same cocktail into the skin;
* the oxygen device is described as a salon technique only: the ``clinic`` setting.

The non-injection declarations below (steps, calendar, care, contraindications) are module
constants so that ``ultrasound`` imports them rather than citing the same lines twice.
"""

from __future__ import annotations

from mesosim import Care, Contraindication, ParamRange, StepGraph, Technique, between, hookimpl

NAME = "oxygen"


def non_injection_steps(device_step: str) -> StepGraph:
    """The salon sequence (002:399-406) with the cocktail applied before ``device_step``.

    002:175-177: the cocktail is spread on the area, then the device drives it in. Cleansing is
    required (002:400); disinfection is allowed (002:401, 000:81 list it for every procedure) but
    not required, since nothing punctures the skin; there is no anaesthetic and no marking
    (painless, no punctures: 002:179, 002:579).
    """
    return StepGraph.chain(
        "consultation",
        "makeup-removal",
        "cleansing",
        "disinfection",
        "application",
        device_step,
        "soothing-mask",
        "evaluation",
        "aftercare-briefing",
    )


def _care(activity: str, line: str, note: str = "") -> Care:
    # 002:192: "three days before the scheduled session and the same period after it"
    return Care(activity, between(3, None, "d", f"002:192, 002:{line}", note=note))


#: 002:192-198: the same list before (beforecare) and after (aftercare) each session
NON_INJECTION_CARE = (
    _care("alcohol", "194"),
    _care("sun", "195", note="000:98 says 'several days' after injections and 002:169 at least "
                             "2 days (hair); 002:192 gives 3 days for non-injection mesotherapy"),
    _care("makeup", "196", note="000:98 says 1 day after injections; 002:192 gives 3 days for "
                                "non-injection mesotherapy"),
    _care("pool", "197"),
    _care("sauna", "197", note="000:98 says 2 days after injections; 002:192 gives 3 days for "
                               "non-injection mesotherapy"),
    _care("medications", "198"),
)

#: 002:200-205 beyond the general contraindications (pregnancy, breastfeeding, infection,
#: inflammation are declared for every technique in mesosim/vocabulary.py)
NON_INJECTION_CONTRAINDICATIONS = (
    Contraindication("cholelithiasis", "002:204"),
    Contraindication(
        "gallbladder-disease", "002:93", severity="warning",
        note="002:93 lists gall bladder problems for mesotherapy in general; the non-injection "
             "list names only cholelithiasis (002:204), so other gall bladder problems are a "
             "caution"),
    Contraindication(
        "medications", "002:198, 002:371", severity="warning",
        note="no medications for 3 days before and after a session (002:192-198)"),
)

NON_INJECTION_INTERVAL = between(
    10, 14, "d", "002:181",
    note="002:181: an intensive course is every ten days (the minimum); the maximum of 14 d is a "
         "default. Injection sources say every 7-10 days (000:95), no more than once a week "
         "(002:309) or one to two sessions a week (002:640); the fixative course, one procedure "
         "a month (002:181), is a separate protocol with an override.",
)
NON_INJECTION_COURSE = between(
    3, 10, "", "002:181",
    note="002:181: intensive course 3-10 procedures; injection sources say 8-10 (000:95), 5-7 "
         "(002:50), 5-10 (002:413), 4-10 (002:640)",
)
#: the procedure 002:175-177 describes: from the application of the cocktail to the end of the
#: device step (the consultation, the mask and the briefing are not counted)
NON_INJECTION_SESSION = between(
    None, 30, "min", "002:179",
    note="'on average it does not take more than half an hour'; measured from the application "
         "of the cocktail to the end of the device step",
)
#: the allergy test before the course (see the module docstring for why it applies here)
ALLERGY_TEST = "002:69, 002:394"

PARAMETERS = (
    ParamRange("oxygen-infusion", "pressure", between(
        1, 3, "bar", "default",
        note="002:579 says only 'a stream of oxygen supplied under high pressure', with no "
             "figure; 1-3 bar is a conservative default: override it with the device maker's "
             "figure")),
    ParamRange("oxygen-infusion", "pressure", between(
        1, 2, "bar", "default",
        note="the thin skin of the eye area (bags under the eyes, 002:185): a lower default "
             "than the 1-3 bar elsewhere"), zone="periorbital"),
    ParamRange("oxygen-infusion", "duration", between(
        5, 20, "min", "default",
        note="no source gives the device time; the session takes at most half an hour "
             "(002:179), application included")),
)

TECHNIQUE = Technique(
    name=NAME,
    description="A stream of oxygen under high pressure drives the applied cocktail into the "
                "skin, without punctures and painlessly (002:579).",
    active_step="oxygen-infusion",
    steps=non_injection_steps("oxygen-infusion"),
    required={"cleansing", "application", "oxygen-infusion"},
    interval=NON_INJECTION_INTERVAL,
    course_length=NON_INJECTION_COURSE,
    parameters=PARAMETERS,
    session_duration=NON_INJECTION_SESSION,
    session_span=("application", "oxygen-infusion"),
    contraindications=NON_INJECTION_CONTRAINDICATIONS,
    aftercare=NON_INJECTION_CARE,
    beforecare=NON_INJECTION_CARE,
    allergy_test=ALLERGY_TEST,
    zones={"face", "periorbital", "neck", "decollete", "scalp", "body", "hands"},
    settings={"clinic"},
    durations={"application": "2 min", "oxygen-infusion": "15 min", "soothing-mask": "10 min"},
)


@hookimpl
def mesosim_techniques() -> list[Technique]:
    """Declare oxygen."""
    return [TECHNIQUE]
