"""Declarations shared by the techniques that puncture the skin (manual injection, the hardware
gun, the roller): their contraindications, their aftercare, their calendar.

Not a plugin (no entry point names it): the technique modules import from it, so that a figure
the sources give for injections in general is written, and cited, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mesosim import (
    Care,
    Contraindication,
    Figure,
    Limit,
    ParamRange,
    Range,
    StepGraph,
    StepKind,
    Technique,
    Vocabulary,
    between,
)

#: The puncture step of the techniques that inject (manual, gun). Both plugins declare it, so
#: either one works without the other (``--no-plugin``).
INJECTION_STEP = StepKind(
    "injection", "deliver the cocktail by punctures (002:65, 002:404)",
    params=("depth", "volume_per_point", "points", "duration"), duration="10 min",
    requires={"skin-disinfected"}, provides={"cocktail-delivered"}, punctures=True)
INJECTION_VOCABULARY = Vocabulary(steps=(INJECTION_STEP,))

#: The salon sequence, 002:399-406, for the techniques that inject (manual, gun): disinfection
#: before the puncture is required by every source (002:401, 000:81); makeup removal,
#: anaesthesia, marking, rest and evaluation are optional.
INJECTION_STEPS = StepGraph.chain(
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

#: the anaesthetic cream's wait, for every technique that numbs the skin before puncturing it
ANESTHESIA_WAIT = ParamRange("anesthesia", "wait", between(
    10, 40, "min", "default",
    note="no source gives the anaesthetic cream's wait; 10-40 min covers the usual creams "
         "(002:11, 002:402 name the cream, not the time)"))

#: The contraindications of injection (002:612-618, the needle's fear and herpes) are general
#: ones for every puncturing technique (mesosim/plugin/core.py, scope method=injection), as are
#: the facial list (002:362-377, on the face) and the general lists: nothing to add here.
INJECTION_CONTRAINDICATIONS: tuple[Contraindication, ...] = ()

#: after each session, 000:98 (mesotherapy in general)
INJECTION_AFTERCARE = (
    Care("sauna", between(2, None, "d", "000:98")),
    Care("sport", between(2, None, "d", "000:98")),
    Care("makeup", between(1, None, "d", "000:98")),
    Care("sun", between(2, None, "d", "default",
                        note="000:98 gives a few days without a number; 002:169 at least 2 days "
                             "(hair); 002:192 3 days (non-injection)")),
)


INJECTION_INTERVAL = between(7, 14, "d", "000:95",
                             note="000:95: every 7-10 days; 002:309: at most weekly; "
                                  "002:640: one to two sessions a week. The maximum of 14 d is a "
                                  "default.")
INJECTION_COURSE = between(4, 10, "", "002:640",
                           note="000:95: 8-10 sessions; 002:50: 5-7; 002:413: 5-10; 002:640: 4-10 "
                                "(chosen as the widest the sources support)")

def maintenance(interval: Range, length: Range | None = None) -> tuple[Figure, ...]:
    """The figures in force for a technique's maintenance sessions (``course: maintenance``):
    their interval and, when given, how many there may be."""
    scope = {"course": "maintenance"}
    return (Figure("interval", interval, scope=scope),
            *((Figure("course_length", length, scope=scope),) if length is not None else ()))


#: maintenance after an injection course: at most two sessions a month (002:640)
INJECTION_MAINTENANCE = maintenance(
    between(14, 183, "d", "002:640",
            note="maintenance at most twice a month (002:640); the maximum "
                 "of six months is where a new course starts instead (002:50, 002:415), a "
                 "default"),
    between(1, 12, "", "default",
            note="no source counts maintenance sessions; 12 is a year of monthly sessions "
                 "(002:167 speaks of several courses over about a year)"))

#: the allergy test before the course: drops on the shoulder, proceed only without a reaction
ALLERGY_TEST = "002:69, 002:394"


# --- non-injection techniques (oxygen, ultrasound, iontophoresis, electroporation) -----------


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
    # 002:192: the care starts three days ahead of each session and lasts as long after it
    return Care(activity, between(3, None, "d", f"002:192, 002:{line}", note=note))


#: 002:192-198: the same list before (beforecare) and after (aftercare) each session
NON_INJECTION_CARE = (
    _care("alcohol", "194"),
    _care("sun", "195", note="000:98 gives a few days, without a number, after injections and "
                             "002:169 at least 2 days (hair); 002:192 gives 3 days for "
                             "non-injection mesotherapy"),
    _care("makeup", "196", note="000:98 says 1 day after injections; 002:192 gives 3 days for "
                                "non-injection mesotherapy"),
    _care("pool", "197"),
    _care("sauna", "197", note="000:98 says 2 days after injections; 002:192 gives 3 days for "
                               "non-injection mesotherapy"),
    _care("medications", "198"),
)

#: 000:98's two days without workouts after a session hold for every technique; the
#: non-injection list of 002:192-198 names no sport (after the session only: no before-care)
NON_INJECTION_SPORT = Care("sport", between(
    2, None, "d", "000:98", note="002:192-198, the non-injection care, names no sport; 000:98 "
    "speaks of mesotherapy in general"))

#: The non-injection list (002:200-205) is a general one for every non-puncturing technique
#: (mesosim/plugin/core.py, scope method=non-injection); what is left is the medications of
#: the before- and after-care.
NON_INJECTION_CONTRAINDICATIONS = (
    Contraindication(
        "medications", "002:198, 002:371", severity="warning",
        note="no medications for 3 days before and after a session (002:192-198)"),
)

#: the consolidating course (the source's fixative one) that follows an intensive non-injection
#: course: one procedure a month (002:181)
NON_INJECTION_MAINTENANCE = maintenance(
    between(28, 35, "d", "002:181",
            note="the consolidating course gives one procedure for each month, read as one "
                 "session a month; the 28-35 day window is a default reading of that month"),
    between(1, 12, "", "default",
            note="no source counts maintenance sessions; a new course may be needed after six "
                 "months (002:415); 12 is a year of monthly sessions"))

NON_INJECTION_INTERVAL = between(
    10, 14, "d", "002:181",
    note="002:181: an intensive course is every ten days (the minimum); the maximum of 14 d is a "
         "default. Injection sources say every 7-10 days (000:95), at most weekly "
         "(002:309) or one to two sessions a week (002:640); the consolidating course, one "
         "procedure a month (002:181), is the maintenance course.",
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
    note="a session usually lasts half an hour at most; measured from the application "
         "of the cocktail to the end of the device step",
)

#: a device step's duration: no source gives one
DEVICE_DURATION = between(
    5, 20, "min", "default",
    note="no source gives the device time; the session takes at most half an hour (002:179), "
         "application included")

#: what a current or an electromagnetic field through the body adds (iontophoresis,
#: electroporation)
CURRENT_CONTRAINDICATIONS = (
    *NON_INJECTION_CONTRAINDICATIONS,
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
)


ALL_ZONES = frozenset({"face", "periorbital", "neck", "decollete", "scalp", "body", "hands"})


def non_injection_technique(
    name: str,
    description: str,
    device_step: str,
    parameters: Iterable[ParamRange],
    *,
    contraindications: Iterable[Contraindication] = NON_INJECTION_CONTRAINDICATIONS,
    zones: Iterable[str] = ALL_ZONES,
    settings: Iterable[str] = ("clinic",),
    durations: Mapping[str, str] | None = None,
    limits: Iterable[Limit] = (),
) -> Technique:
    """A non-injection technique: the shared sequence, course, session, care and allergy test
    around its own device step, parameters, contraindications, zones and settings."""
    return Technique(
        name=name,
        description=description,
        active_step=device_step,
        steps=non_injection_steps(device_step),
        required={"cleansing", "application", device_step},
        interval=NON_INJECTION_INTERVAL,
        course_length=NON_INJECTION_COURSE,
        parameters=tuple(parameters),
        session_duration=NON_INJECTION_SESSION,
        session_span=("application", device_step),
        contraindications=tuple(contraindications),
        aftercare=(*NON_INJECTION_CARE, NON_INJECTION_SPORT),
        beforecare=NON_INJECTION_CARE,
        figures=NON_INJECTION_MAINTENANCE,
        limits=tuple(limits),
        allergy_test=ALLERGY_TEST,
        zones=zones,
        settings=settings,
        durations=durations or {"application": "2 min", device_step: "15 min",
                                "soothing-mask": "10 min"},
    )
