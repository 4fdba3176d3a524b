"""oxygen: the cocktail is driven into the skin by a stream of oxygen under high pressure (002:579).

Sources (see docs/sources.md): oxygen mesotherapy needs no syringe: a jet of oxygen at high
pressure pushes the drug into the skin; it is entirely painless, and since nothing pierces the
skin it has few contraindications (002:579); the source lists it as a third type beside
injection and non-injection (002:561-565). It does not puncture the skin, so mesosim treats it
as non-injection mesotherapy (002:171-205): the cocktail is spread on the area, then a device
drives it in (002:175-177); sessions last half an hour at most (002:179); an intensive
course is 3-10 procedures ten days apart (002:181); alcohol, sunbathing, decorative cosmetics,
pools and saunas and medications are avoided three days before and three days after each
session (002:192-198); contraindications 002:200-205.

Choices mesosim makes, each visible in ``mesosim techniques show oxygen``:

* no source gives the oxygen pressure or the device time: both are conservative ``default``
  ranges, to be overridden with the device maker's figures (``mesosim.toml``);
* the contraindications are the non-injection list (002:200-205; pregnancy, lactation,
  infection and inflammation are general ones in ``mesosim/plugin/core.py``) and nothing more:
  002:579 says only that they are few, without a list, and the general list's puncture-related
  items (clotting, keloids, 002:612-618) do not apply without a puncture;
* the allergy test is required: it tests the cocktail, not the needle (some drops of the
  cocktail on the shoulder, 002:69, in the paragraph after the hardware type, which the source
  itself also names the non-injection type, 002:67; and the salon's preparatory stage,
  002:394), and a non-injection session puts the same cocktail into the skin;
* the oxygen device is described as a salon technique only: the ``clinic`` setting.

The non-injection declarations below (steps, calendar, care, contraindications) are module
constants so that ``ultrasound`` imports them rather than citing the same lines twice.
"""

from __future__ import annotations

from mesosim import Limit, ParamRange, StepKind, Technique, Vocabulary, between, hookimpl
from mesosim_plugins._common import (
    DEVICE_DURATION,
    non_injection_technique,
)

NAME = "oxygen"

# The device step this technique brings to the shared vocabulary.
VOCABULARY = Vocabulary(
    steps=(StepKind("oxygen-infusion", "drive the cocktail in with a stream of oxygen (002:579)",
                    params=("pressure", "duration"), duration="15 min",
                    requires={"cocktail-applied"}, provides={"cocktail-delivered"}),),
    parameters={"pressure": "pressure"},
)



PARAMETERS = (
    ParamRange("oxygen-infusion", "pressure", between(
        1, 3, "bar", "default",
        note="002:579 says only that the oxygen comes at high pressure, with no "
             "figure; 1-3 bar is a conservative default: override it with the device maker's "
             "figure")),
    ParamRange("oxygen-infusion", "pressure", between(
        1, 2, "bar", "default",
        note="the thin skin of the eye area (bags under the eyes, 002:185): a lower default "
             "than the 1-3 bar elsewhere"), zone="periorbital"),
    ParamRange("oxygen-infusion", "duration", DEVICE_DURATION),
)

TECHNIQUE = non_injection_technique(
    NAME,
    "A stream of oxygen under high pressure drives the applied cocktail into the "
    "skin, without punctures and painlessly (002:579).",
    "oxygen-infusion",
    PARAMETERS,
    settings={"clinic"},
    limits=(
        Limit(setting="home", source="default",
              note="the sources describe oxygen mesotherapy as a salon technique under high "
                   "pressure (002:579) and never among the home devices (002:211-213): mesosim "
                   "bars it at home by default"),
    ),
)


@hookimpl
def mesosim_techniques() -> list[Technique]:
    """Declare oxygen."""
    return [TECHNIQUE]


@hookimpl
def mesosim_vocabulary() -> Vocabulary:
    """Declare the steps and parameters only this technique uses."""
    return VOCABULARY
