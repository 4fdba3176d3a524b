"""electroporation: electric pulses open the skin to the applied cocktail (002:216, 002:575).

Sources (see docs/sources.md): the current carries the useful substances along; the pulse
frequency counts, not the voltage, and the applied cocktail starts to enter the skin only once
that frequency is right (002:216; the section has lost its heading, but what it describes is
electroporation); it helps against fine wrinkles, cellulite, hair loss, pigmentation, acne scars,
rosacea and acne (002:218-224); an electromagnetic field makes the skin more than four hundred
times more permeable, and the drug then reaches two millimetres deep (002:575). As non-injection
mesotherapy it shares iontophoresis's sequence, calendar, care and contraindications
(002:175-205), imported from :mod:`mesosim_plugins.iontophoresis`.

Setting: 002:216 belongs to the source's section on mesotherapy at home, among the methods it
offers for use at home (002:211-213), so both clinic and home are allowed; the home voltage range
is tighter.

The sources give no figure for any device setting: the pulse frequency, pulse duration, voltage
and device time are conservative ``default`` ranges, overridable in ``mesosim.toml``.
"""

from __future__ import annotations

from mesosim import ParamRange, StepKind, Technique, Vocabulary, between, hookimpl
from mesosim_plugins._common import (
    CURRENT_CONTRAINDICATIONS,
    DEVICE_DURATION,
    non_injection_technique,
)

NAME = "electroporation"

# The device step this technique brings to the shared vocabulary.
VOCABULARY = Vocabulary(
    steps=(StepKind("electroporation", "open the skin with electric pulses (002:216, 002:575)",
                    params=("duration", "pulse_frequency", "pulse_duration", "voltage"),
                    duration="15 min", requires={"cocktail-applied"},
                    provides={"cocktail-delivered"}),),
    parameters={"pulse_duration": "time", "pulse_frequency": "frequency", "voltage": "voltage"},
)

PARAMETERS = (
    ParamRange("electroporation", "duration", DEVICE_DURATION),
    ParamRange("electroporation", "pulse_frequency", between(
        1, 2000, "Hz", "default",
        note="002:216: the pulse frequency matters more than the voltage, and the cocktail "
             "penetrates only once the frequency is right, but no figure is given; "
             "1 Hz-2 kHz is a conservative default band")),
    ParamRange("electroporation", "pulse_duration", between(
        0.1, 5, "ms", "default",
        note="no source gives a pulse duration; short pulses of at most 5 ms are a conservative "
             "default")),
    ParamRange("electroporation", "voltage", between(
        1, 50, "V", "default",
        note="no source gives a voltage (002:216 puts the frequency before the voltage); kept "
             "within the extra-low-voltage band, at most 50 V, as a conservative default")),
    ParamRange("electroporation", "voltage", between(
        1, 24, "V", "default",
        note="home devices (002:211-216) are used without a specialist: at most 24 V, a "
             "conservative default"), setting="home"),
)

TECHNIQUE = non_injection_technique(
    NAME,
    "Electric pulses (an electromagnetic field) raise the skin's permeability so "
    "that the applied cocktail penetrates about 2 mm; the pulse frequency matters "
    "most (002:216, 002:575).",
    "electroporation",
    PARAMETERS,
    contraindications=CURRENT_CONTRAINDICATIONS,
    # 002:211-213: electroporation (002:216) is among the options for home use
    settings={"clinic", "home"},
)


@hookimpl
def mesosim_techniques() -> list[Technique]:
    """Declare electroporation."""
    return [TECHNIQUE]


@hookimpl
def mesosim_vocabulary() -> Vocabulary:
    """Declare the steps and parameters only this technique uses."""
    return VOCABULARY
