"""example-cryo: an EXAMPLE technique for a hypothetical cryo device (not a real one).

The device cools an applied cocktail into the skin. It shows the open vocabularies:

* ``Vocabulary.dimensions`` and ``Vocabulary.units``: a temperature in degrees Celsius, with
  values below zero, and kelvin as an offset unit;
* ``Vocabulary.zones``: the ``underarm``, a zone of its own, with a contraindication;
* ``Vocabulary.sources``: the device's (made-up) manual, each cited line with its claim;
* a condition of its own (``cold-urticaria``).
"""

from __future__ import annotations

from mesosim import (
    Care,
    Contraindication,
    Dimension,
    ParamRange,
    Source,
    StepGraph,
    StepKind,
    Technique,
    Unit,
    Vocabulary,
    Zone,
    between,
    hookimpl,
)

NAME = "example-cryo"
MANUAL = "acme-cryo-manual"

VOCABULARY = Vocabulary(
    dimensions=(Dimension("temperature", "°C", example="-10 °C", negative=True),),
    units=(Unit("degC", "temperature"), Unit("C", "temperature"),
           Unit("K", "temperature", factor=1.0, offset=-273.15)),
    parameters={"temperature": "temperature"},
    conditions={"cold-urticaria"},
    steps=(StepKind("cryo-application", "EXAMPLE: cool the applied cocktail into the skin",
                    params=("temperature", "duration"), duration="8 min",
                    requires={"cocktail-applied"}, provides={"cocktail-delivered"}),),
    zones=(Zone("underarm", "EXAMPLE: the underarm, for the made-up device's sweat protocol",
                f"{MANUAL}:3",
                contraindications=(Contraindication("skin-lesions", f"{MANUAL}:21"),)),),
    sources=(Source(MANUAL, "EXAMPLE: Acme cryo device manual (made up)",
                    "https://example.invalid/acme-cryo-manual.pdf",
                    claims={"3": "The device may be used on the face and the underarms.",
                            "12": "The cooling head works between -20 and -5 degrees Celsius.",
                            "14": "One application lasts five to ten minutes.",
                            "20": "People with cold urticaria must not be treated.",
                            "21": "Broken skin under the cooling head rules a session out.",
                            "30": "Sessions are two to four weeks apart, four to eight of them.",
                            "31": "No sauna for a day after a session."}),),
)

TECHNIQUE = Technique(
    name=NAME,
    description="EXAMPLE plugin, hypothetical device: cools an applied cocktail into the skin "
                "(figures from a made-up manual).",
    active_step="cryo-application",
    steps=StepGraph.chain("consultation", "cleansing", "application", "cryo-application",
                          "soothing-mask"),
    required={"cleansing", "application", "cryo-application"},
    interval=between(14, 28, "d", f"{MANUAL}:30"),
    course_length=between(4, 8, "", f"{MANUAL}:30"),
    parameters=(
        ParamRange("cryo-application", "temperature", between(-20, -5, "°C", f"{MANUAL}:12")),
        ParamRange("cryo-application", "duration", between(5, 10, "min", f"{MANUAL}:14")),
        ParamRange("application", "volume", between(
            0.5, 3, "ml", "default", note="EXAMPLE: the manual gives no volume")),
    ),
    contraindications=(Contraindication("cold-urticaria", f"{MANUAL}:20"),),
    aftercare=(Care("sauna", between(1, None, "d", f"{MANUAL}:31")),),
    allergy_test="002:69, 002:394",
    zones={"face", "underarm"},
    settings={"clinic"},
)


@hookimpl
def mesosim_vocabulary() -> Vocabulary:
    """The cryo device's words: temperature, its units, its zone, its manual."""
    return VOCABULARY


@hookimpl
def mesosim_techniques() -> list[Technique]:
    """Declare example-cryo."""
    return [TECHNIQUE]
