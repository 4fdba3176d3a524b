"""Declarations shared by the techniques that puncture the skin (manual injection, the hardware
gun, the roller): their contraindications, their aftercare, their calendar.

Not a plugin (no entry point names it): the technique modules import from it, so that a figure
the sources give for injections in general is written, and cited, once.
"""

from __future__ import annotations

from mesosim import Care, Contraindication, between

INJECTION_CONTRAINDICATIONS = (
    # injection in general, 002:612-618, and the general list 000:55-71
    Contraindication("coagulation-disorder", "000:63, 002:92, 002:617"),
    Contraindication("hemophilia", "002:375"),
    Contraindication("keloid-tendency", "002:618"),
    Contraindication("epilepsy", "000:71"),
    Contraindication("kidney-disease", "000:61, 002:93, 002:368"),
    Contraindication("liver-disease", "000:61"),
    Contraindication("chronic-disease-acute", "002:615"),
    Contraindication("allergic-tendency", "000:57, 002:364, 002:616"),
    Contraindication("decreased-immunity", "002:90, 002:372"),
    Contraindication("cardiovascular-disease", "002:96"),
    Contraindication("gallbladder-disease", "002:93"),
    # facial mesotherapy, 002:362-377
    Contraindication("oncology", "002:366"),
    Contraindication("hypertension", "002:367"),
    Contraindication("fever", "002:370"),
    Contraindication("skin-lesions", "002:373"),
    Contraindication("psoriasis", "002:374"),
    Contraindication("eczema", "002:374"),
    Contraindication("circulatory-disorder", "002:375"),
    Contraindication("diabetes", "002:376"),
    Contraindication("pacemaker", "002:377"),
    Contraindication("swelling", "000:65"),
    Contraindication("medications", "002:371, 002:395", severity="warning",
                     note="oral medications are stopped before the course (002:395)"),
    Contraindication("needle-phobia", "000:67", severity="warning",
                     note="fear of injections; a video may help (002:387)"),
    Contraindication("herpes", "002:630", severity="warning",
                     note="herpes relapse is the most common complication"),
)

#: after each session, 000:98
INJECTION_AFTERCARE = (
    Care("sauna", between(2, None, "d", "000:98")),
    Care("sport", between(2, None, "d", "000:98")),
    Care("makeup", between(1, None, "d", "000:98")),
    Care("sun", between(2, None, "d", "default",
                        note="000:98 says 'several days'; 002:169 at least 2 days (hair); "
                             "002:192 3 days (non-injection)")),
)

INJECTION_INTERVAL = between(7, 14, "d", "000:95",
                             note="000:95: every 7-10 days; 002:309: no more than once a week; "
                                  "002:640: one to two sessions a week. The maximum of 14 d is a "
                                  "default.")
INJECTION_COURSE = between(4, 10, "", "002:640",
                           note="000:95: 8-10 sessions; 002:50: 5-7; 002:413: 5-10; 002:640: 4-10 "
                                "(chosen as the widest the sources support)")

#: the allergy test before the course: drops on the shoulder, proceed only without a reaction
ALLERGY_TEST = "002:69, 002:394"
