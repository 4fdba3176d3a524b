"""docs/rules.md is what docs/make_rules.py makes from the rule registry and the gallery (CI
issue, item 4): a rule's code, its docs and its failing example found in a minute."""

from __future__ import annotations

import os
import runpy

from .conftest import ROOT


def test_the_rules_page_is_up_to_date():
    make = runpy.run_path(os.path.join(ROOT, "docs", "make_rules.py"))
    with open(os.path.join(ROOT, "docs", "rules.md"), encoding="utf-8") as fh:
        assert fh.read() == make["render"](), "run: python docs/make_rules.py"


def test_every_core_rule_has_a_section_and_its_examples_exist():
    from mesosim.rules import CORE_RULES

    text = open(os.path.join(ROOT, "docs", "rules.md"), encoding="utf-8").read()
    for r in CORE_RULES:
        assert f"## {r.code} {r.name}\n" in text
    for line in text.splitlines():
        if line.startswith("- Fails: [`"):
            path = line.split("`")[1]
            assert os.path.isfile(os.path.join(ROOT, path)), path
