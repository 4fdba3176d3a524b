"""ultrasound: cosmetics and ultrasound at once, which drives the cocktail deep into the skin
(002:239).

Sources (see docs/sources.md): cosmetology devices send out 16 kHz waves whose energy turns into
heat that warms the skin, and this ultrasound reaches as deep as 6 cm (002:239); it treats
cellulite, wrinkles, acne and scars (002:243-247); a device for the procedure is sold in shops
(002:249), in the source's section on home mesotherapy (002:211-213). As non-injection
mesotherapy (002:171-205) it shares oxygen's declarations: the cocktail applied before the
device step (002:175-177), at most half an hour (002:179), 3-10 procedures ten days apart
(002:181), three days of care before and after each session (002:192-198), the non-injection
contraindications (002:200-205).

Choices mesosim makes, each visible in ``mesosim techniques show ultrasound``:

* frequency: 16 kHz (002:239) with a tolerance of +-1 kHz (15-17 kHz) for the device; a
  physiotherapy ultrasound at 1-3 MHz is not the cosmetology device the source describes;
* intensity and device time have no figure in the sources: conservative ``default`` ranges,
  halved at home where no specialist adjusts the device;
* a pacemaker is an error: 002:377 lists it among the contraindications of facial mesotherapy,
  and an ultrasound device sends energy 6 cm deep (002:239), where an implanted device is;
* the eye area is not one of its zones: no source names it for ultrasound (002:241-247), and
  the energy warms tissue down to 6 cm (002:239), deeper than the thin skin around the eyes;
* the allergy test is required, as for oxygen (the test is of the cocktail: 002:69, 002:394).
"""

from __future__ import annotations

from mesosim import Contraindication, Limit, ParamRange, StepKind, Technique, Vocabulary, between, hookimpl
from mesosim_plugins._common import (
    DEVICE_DURATION,
    NON_INJECTION_CONTRAINDICATIONS,
    non_injection_technique,
)

NAME = "ultrasound"

# The device step this technique brings to the shared vocabulary.
VOCABULARY = Vocabulary(
    steps=(StepKind("sonophoresis", "drive the cocktail in with ultrasound (002:239)",
                    params=("frequency", "intensity", "duration"), duration="15 min",
                    requires={"cocktail-applied"}, provides={"cocktail-delivered"}),),
    parameters={"frequency": "frequency", "intensity": "power-density"},
)

CONTRAINDICATIONS = (
    *NON_INJECTION_CONTRAINDICATIONS,
    Contraindication(
        "pacemaker", "002:377",
        note="002:377 lists a pacemaker for facial mesotherapy; an ultrasound device emits "
             "energy that penetrates up to 6 cm (002:239), so mesosim keeps it as an error"),
)

PARAMETERS = (
    ParamRange("sonophoresis", "frequency", between(
        15, 17, "kHz", "002:239",
        note="002:239: cosmetology devices emit 16 kHz; mesosim allows +-1 kHz (about 6%) for "
             "the device's tolerance, a choice; physiotherapy ultrasound (1-3 MHz) is outside")),
    ParamRange("sonophoresis", "intensity", between(
        0.1, 1, "W/cm2", "default",
        note="no source gives an intensity; the energy warms the skin (002:239): a conservative "
             "default")),
    ParamRange("sonophoresis", "intensity", between(
        0.1, 0.5, "W/cm2", "default",
        note="home devices (002:249) are used without a specialist: half the clinic default"),
        setting="home"),
    ParamRange("sonophoresis", "duration", DEVICE_DURATION),
    ParamRange("sonophoresis", "duration", between(
        3, 10, "min", "default",
        note="home devices (002:249): half the clinic default"), setting="home"),
)

TECHNIQUE = non_injection_technique(
    NAME,
    "Ultrasound at 16 kHz warms the skin and drives the applied cocktail deep into "
    "it, up to 6 cm (002:239).",
    "sonophoresis",
    PARAMETERS,
    contraindications=CONTRAINDICATIONS,
    zones={"face", "neck", "decollete", "scalp", "body", "hands"},
    limits=(
        Limit(zone="periorbital", source="default",
              note="no source names the eye area for ultrasound (002:241-247), and its energy "
                   "warms tissue down to 6 cm (002:239): mesosim bars it by default"),
    ),
    # 002:249: devices are sold for home use
    settings={"clinic", "home"},
)


@hookimpl
def mesosim_techniques() -> list[Technique]:
    """Declare ultrasound."""
    return [TECHNIQUE]


@hookimpl
def mesosim_vocabulary() -> Vocabulary:
    """Declare the steps and parameters only this technique uses."""
    return VOCABULARY
