"""iontophoresis: a galvanic current drives the applied cocktail into the skin (002:227).

Sources (see shared/domain.md): "the positive effect of such procedures is due to the effect of
current on problem areas ... the penetration depth is about 2-5 mm" (002:227); it is one of the
options "available for home use" (002:211-213, 002:227); it treats bags under the eyes and
cellulite among others (002:231, 002:235). As non-injection mesotherapy: the cocktail is spread
on the area, then a device drives it in (002:175-177); sessions take no more than half an hour
(002:179); an intensive course is 3-10 procedures ten days apart (002:181); alcohol, sunbathing,
decorative cosmetics, pools and saunas and medications are avoided three days before and three
days after each session (002:192-198); contraindications 002:200-205.

The sources give no current and no session length for the device: those ranges are
conservative ``default`` figures (overridable in ``mesosim.toml``). The 2-5 mm penetration depth
is the current's effect, not a setting, so it is described rather than checked.

The non-injection declarations (care, contraindications, calendar) are module constants here so
that the other current- and field-based technique (``electroporation``) imports them instead of
citing the same lines twice.
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

NAME = "iontophoresis"


def non_injection_steps(device_step: str) -> StepGraph:
    """The salon sequence (002:399-406) for a non-injection device step.

    The cocktail is applied before the device step (002:175-177). ``disinfection`` is allowed
    (002:401 lists it for every technique) but not required: nothing punctures the skin. There
    is no ``anesthesia`` or ``marking``: the procedure is painless and has no punctures (002:179).
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


# 002:192: "three days before the scheduled session and the same period after it"
_THREE_DAYS_NOTE = ("000:98 says 'several days' without sun after a session and 002:169 at "
                    "least 2 days (hair); 002:192 gives 3 days for non-injection mesotherapy")


def _care(activity: str, line: str, note: str = "") -> Care:
    return Care(activity, between(3, None, "d", f"002:192, 002:{line}", note=note))


#: 002:192-198; the same list is required before (beforecare) and after (aftercare) a session
NON_INJECTION_CARE = (
    _care("alcohol", "194"),
    _care("sun", "195", note=_THREE_DAYS_NOTE),
    _care("makeup", "196", note="000:98 says 1 day after injections; 002:192 gives 3 days "
                                "for non-injection mesotherapy"),
    _care("pool", "197"),
    _care("sauna", "197", note="000:98 says 2 days after injections; 002:192 gives 3 days for "
                               "non-injection mesotherapy"),
    _care("medications", "198"),
)

#: pregnancy, breastfeeding, infection and inflammation (002:202-205) are general
#: contraindications already (mesosim/vocabulary.py); these are the ones a current or an
#: electromagnetic field adds.
CURRENT_CONTRAINDICATIONS = (
    Contraindication("cholelithiasis", "002:204"),
    Contraindication(
        "pacemaker", "002:377",
        note="002:377 lists a pacemaker among the contraindications of facial mesotherapy; a "
             "device that passes a current or creates a field through the body is where it "
             "matters most, so mesosim keeps it as an error for current- and field-based devices",
    ),
    Contraindication(
        "metal-implants", "default", severity="warning",
        note="the sources name no implant; mesosim warns (a conservative default) because a "
             "current or a field concentrates around metal in the treated area",
    ),
    Contraindication(
        "medications", "002:198, 002:371", severity="warning",
        note="no medications for 3 days before and after a session (002:192-198)",
    ),
)

NON_INJECTION_INTERVAL = between(
    10, 14, "d", "002:181",
    note="002:181: an intensive course is every ten days (the minimum); the maximum of 14 d is a "
         "default. Injection sources say every 7-10 days (000:95) or no more than once a week "
         "(002:309); the fixative course, one procedure a month (002:181), is a separate "
         "protocol with an override.",
)
NON_INJECTION_COURSE = between(
    3, 10, "", "002:181",
    note="002:181: intensive course 3-10 procedures; injection sources say 8-10 (000:95), 5-7 "
         "(002:50), 5-10 (002:413), 4-10 (002:640)",
)


#: the session's procedure: from the application of the cocktail to the end of the device step
NON_INJECTION_SESSION = between(
    None, 30, "min", "002:179",
    note="'on average it does not take more than half an hour'; measured from the application "
         "of the cocktail to the end of the device step, the procedure 002:175-177 describes",
)


_DURATION = between(5, 20, "min", "default",
                    note="no source gives the device time; sessions take at most half an hour "
                         "(002:179), application included")

PARAMETERS = (
    ParamRange("iontophoresis", "current", between(
        0.1, 1, "mA", "default",
        note="no source gives a current (002:227 says only 'a slight electric shock'); a "
             "conservative default for the face")),
    ParamRange("iontophoresis", "current", between(
        0.1, 0.5, "mA", "default",
        note="the thin skin of the eye area (bags under the eyes, 002:231): half the face "
             "default"), zone="periorbital"),
    ParamRange("iontophoresis", "current", between(
        0.1, 0.5, "mA", "default",
        note="home devices (002:211-227) are used without a specialist: half the clinic "
             "default"), setting="home"),
    ParamRange("iontophoresis", "current", between(
        0.1, 3, "mA", "default",
        note="larger electrodes on the body (cellulite, 002:235) spread the current; a clinic "
             "default"), zone="body", setting="clinic"),
    ParamRange("iontophoresis", "duration", _DURATION),
)

TECHNIQUE = Technique(
    name=NAME,
    description="A galvanic current drives the applied cocktail into the skin, penetrating "
                "about 2-5 mm (002:227).",
    active_step="iontophoresis",
    steps=non_injection_steps("iontophoresis"),
    required={"cleansing", "application", "iontophoresis"},
    interval=NON_INJECTION_INTERVAL,
    course_length=NON_INJECTION_COURSE,
    parameters=PARAMETERS,
    session_duration=NON_INJECTION_SESSION,
    session_span=("application", "iontophoresis"),
    contraindications=CURRENT_CONTRAINDICATIONS,
    aftercare=NON_INJECTION_CARE,
    beforecare=NON_INJECTION_CARE,
    allergy_test="002:69, 002:394",
    zones={"face", "periorbital", "neck", "decollete", "scalp", "body", "hands"},
    # 002:211-213 introduces iontophoresis (002:227) among the options for home use
    settings={"clinic", "home"},
    durations={"iontophoresis": "15 min", "soothing-mask": "10 min"},
)


@hookimpl
def mesosim_techniques() -> list[Technique]:
    """Declare iontophoresis."""
    return [TECHNIQUE]
