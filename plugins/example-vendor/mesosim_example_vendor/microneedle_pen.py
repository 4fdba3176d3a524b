"""example-microneedle-pen: an EXAMPLE technique for a hypothetical device (not a real one).

A made-up motorised pen stamps a cocktail, spread on the skin first, in with a single-use
needle cartridge. This module shows everything a vendor's plugin can declare:

* words of its own for the shared vocabulary (``mesosim_vocabulary``): two steps
  (``cartridge-change``, ``pen-microneedling``) and a parameter (``pen_speed``, a frequency);
* the technique (``mesosim_techniques``): its step graph, required steps, ranges, care rules;
* a rule of its own (``mesosim_rules``, code ``EXV001``) and the check that reports it
  (``mesosim_check``).

No source describes this device, so **every figure is made up** and carries the source
``default``; ``mesosim techniques show example-microneedle-pen`` prints them, and a school can
override any of them in ``mesosim.toml``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesosim import (
    Care,
    Contraindication,
    ParamRange,
    Range,
    StepGraph,
    StepKind,
    Technique,
    Vocabulary,
    between,
    hookimpl,
)
from mesosim.findings import Finding
from mesosim.rules import Rule

if TYPE_CHECKING:
    from mesosim import Protocol, Trace


#: the technique's id; by convention also the entry-point (plugin) name
NAME = "example-microneedle-pen"
ACTIVE_STEP = "pen-microneedling"

# --- vocabulary ----------------------------------------------------------------------------
# Step states are free words shared through the vocabulary: the pen needs a fresh cartridge
# ("cartridge-fitted"), and stamping uses it up, like the roller's "device-disinfected".
VOCABULARY = Vocabulary(
    steps=(
        StepKind("cartridge-change", "EXAMPLE: fit a new sterile single-use needle cartridge",
                 duration="1 min", provides={"cartridge-fitted"}),
        StepKind(ACTIVE_STEP, "EXAMPLE: stamp the applied cocktail in with the microneedle pen",
                 params=("needle_length", "pen_speed", "passes", "duration"), duration="10 min",
                 requires={"skin-disinfected", "cartridge-fitted", "cocktail-applied"},
                 provides={"cocktail-delivered"}, consumes={"cartridge-fitted"},
                 punctures=True),
    ),
    # needle_length, passes and duration are already shared words; pen_speed is new
    parameters={"pen_speed": "frequency"},
)

# --- the technique -------------------------------------------------------------------------
# An edge a -> b means "a comes before b"; a list is a group of steps in any order between
# their neighbours. There is no marking step: the pen works over the whole area.
STEPS = StepGraph.chain(
    "consultation",
    "cleansing",
    "disinfection",
    "anesthesia",
    ["cartridge-change", "application"],
    ACTIVE_STEP,
    "soothing-mask",
    "aftercare-briefing",
)

def made_up(lo: float | None, hi: float | None, unit: str) -> Range:
    """An EXAMPLE figure: no source describes this pen, so its source is ``default`` and its
    note says so. A real vendor cites its device manual here."""
    return between(lo, hi, unit, "default",
                   note="EXAMPLE figure for a hypothetical device; a real plugin cites the device "
                        "manual or a study")


PARAMETERS = (
    ParamRange(ACTIVE_STEP, "needle_length", made_up(0.25, 1.0, "mm"), zone="face"),
    ParamRange(ACTIVE_STEP, "needle_length", made_up(0.25, 1.5, "mm")),
    ParamRange(ACTIVE_STEP, "pen_speed", made_up(50, 150, "Hz")),
    ParamRange(ACTIVE_STEP, "passes", made_up(1, 4, "")),
    ParamRange(ACTIVE_STEP, "duration", made_up(5, 20, "min")),
    ParamRange("anesthesia", "wait", made_up(10, 40, "min")),
    ParamRange("application", "volume", made_up(0.5, 3, "ml")),
)

TECHNIQUE = Technique(
    name=NAME,
    description="EXAMPLE plugin, hypothetical device: a motorised microneedle pen stamps an "
                "applied cocktail in (all figures are made-up defaults).",
    active_step=ACTIVE_STEP,
    steps=STEPS,
    required={"disinfection", "cartridge-change", "application", ACTIVE_STEP},
    interval=made_up(14, 42, "d"),
    course_length=made_up(3, 6, ""),
    parameters=PARAMETERS,
    session_duration=made_up(15, 45, "min"),
    session_span=("cartridge-change", "soothing-mask"),
    contraindications=(
        Contraindication("coagulation-disorder", "default",
                         note="EXAMPLE: the injection list (002:612-618) applies to any puncture"),
        Contraindication("keloid-tendency", "default"),
        Contraindication("skin-lesions", "default"),
        Contraindication("herpes", "default", severity="warning"),
    ),
    aftercare=(
        Care("sun", made_up(3, None, "d")),
        Care("sauna", made_up(2, None, "d")),
        Care("makeup", made_up(1, None, "d")),
    ),
    allergy_test="002:69, 002:394",
    zones={"face", "neck", "decollete", "scalp"},
    settings={"clinic"},
    durations={"application": "2 min"},
    # the plugin API this plugin was built and tested against; a mesosim with an older API
    # refuses it with both versions named instead of misjudging files
    api_version=1,
)

# --- the plugin's own rule -------------------------------------------------------------------
#: EXAMPLE limit (a `default`): the made-up cartridge is rated for at most this speed when the
#: needles are longer than DEEP_NEEDLE_MM.
MAX_DEEP_SPEED_HZ = 120.0
DEEP_NEEDLE_MM = 1.0

EXV001 = Rule(
    code="EXV001",
    name="pen-too-fast-for-deep-needles",
    kind="device-setting",
    severity="error",
    summary=f"EXAMPLE: pen_speed above {MAX_DEEP_SPEED_HZ:g} Hz with needles longer than "
            f"{DEEP_NEEDLE_MM:g} mm.",
    explanation=(
        "EXAMPLE rule of the example-microneedle-pen plugin (a hypothetical device). Its made-up\n"
        f"cartridge is rated for at most {MAX_DEEP_SPEED_HZ:g} Hz when the needles are longer than "
        f"{DEEP_NEEDLE_MM:g} mm: slow\nthe pen down or use shorter needles. Both figures are "
        "defaults, not from any source."),
    origin=NAME,
)


@hookimpl
def mesosim_vocabulary() -> Vocabulary:
    """Add the pen's steps and its pen_speed parameter."""
    return VOCABULARY


@hookimpl
def mesosim_techniques() -> list[Technique]:
    """Declare example-microneedle-pen."""
    return [TECHNIQUE]


@hookimpl
def mesosim_rules() -> list[Rule]:
    """Declare EXV001."""
    return [EXV001]


@hookimpl
def mesosim_check(protocol: Protocol, technique: Technique, trace: Trace) -> list[Finding]:
    """Report EXV001 on pen steps that are both deep and fast."""
    if technique.name != NAME:  # every plugin's check sees every file: judge only ours
        return []
    found = []
    for step in protocol.steps:
        length, speed = step.params.get("needle_length"), step.params.get("pen_speed")
        if step.name != ACTIVE_STEP or length is None or speed is None:
            continue
        if length.to("mm") > DEEP_NEEDLE_MM and speed.to("Hz") > MAX_DEEP_SPEED_HZ:
            line, column = protocol.pos((*step.path, step.name, "pen_speed"))
            found.append(Finding(
                EXV001.code, EXV001.kind, EXV001.severity, protocol.path, line, column,
                f"pen_speed is {speed} with {length} needles; the cartridge is rated for at most "
                f"{MAX_DEEP_SPEED_HZ:g} Hz above {DEEP_NEEDLE_MM:g} mm",
                technique=NAME, source="default",
                suggestion=f"lower pen_speed to {MAX_DEEP_SPEED_HZ:g} Hz or use needles of at most "
                           f"{DEEP_NEEDLE_MM:g} mm",
            ))
    return found
