"""iontophoresis: a galvanic current drives the applied cocktail into the skin (002:227).

Sources (see docs/sources.md): the procedure works because the current acts on the area being
treated, and the cocktail reaches about 2-5 mm deep (002:227); it is one of the methods the
source offers for use at home (002:211-213, 002:227); it treats bags under the eyes and
cellulite among others (002:231, 002:235). As non-injection mesotherapy: the cocktail is spread
on the area, then a device drives it in (002:175-177); sessions last half an hour at most
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

from mesosim import ParamRange, StepKind, Technique, Vocabulary, between, hookimpl
from mesosim_plugins._common import (
    CURRENT_CONTRAINDICATIONS,
    DEVICE_DURATION,
    non_injection_technique,
)

NAME = "iontophoresis"

# The device step this technique brings to the shared vocabulary.
VOCABULARY = Vocabulary(
    steps=(StepKind("iontophoresis", "drive the cocktail in with a galvanic current (002:227)",
                    params=("current", "duration"), duration="15 min",
                    requires={"cocktail-applied"}, provides={"cocktail-delivered"}),),
    parameters={"current": "current"},
)


PARAMETERS = (
    ParamRange("iontophoresis", "current", between(
        0.1, 1, "mA", "default",
        note="no source gives a current (002:227 mentions only a mild electric jolt); a "
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
    ParamRange("iontophoresis", "duration", DEVICE_DURATION),
)

TECHNIQUE = non_injection_technique(
    NAME,
    "A galvanic current drives the applied cocktail into the skin, penetrating "
    "about 2-5 mm (002:227).",
    "iontophoresis",
    PARAMETERS,
    contraindications=CURRENT_CONTRAINDICATIONS,
    # 002:211-213 introduces iontophoresis (002:227) among the options for home use
    settings={"clinic", "home"},
)


@hookimpl
def mesosim_techniques() -> list[Technique]:
    """Declare iontophoresis."""
    return [TECHNIQUE]


@hookimpl
def mesosim_vocabulary() -> Vocabulary:
    """Declare the steps and parameters only this technique uses."""
    return VOCABULARY
