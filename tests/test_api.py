"""The public API vendors import (layered-core issue): everything a plugin needs comes from
``mesosim`` itself, the rule codes are named constants, and the modules that moved in 0.2 keep a
shim that warns."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import warnings

import pytest

import mesosim
from mesosim import rules

NEEDED_BY_PLUGINS = ("hookimpl", "Technique", "StepGraph", "StepKind", "Vocabulary", "Range",
                     "ParamRange", "Care", "Contraindication", "between", "Finding", "Rule",
                     "Protocol", "Trace", "Quantity", "API_VERSION")


def test_everything_a_plugin_needs_is_importable_from_mesosim():
    assert set(NEEDED_BY_PLUGINS) <= set(mesosim.__all__)
    for name in mesosim.__all__:
        assert getattr(mesosim, name) is not None, name
    assert mesosim.Protocol is importlib.import_module("mesosim.protocol").Protocol
    assert mesosim.Trace is importlib.import_module("mesosim.trace").Trace


def test_unknown_names_are_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        mesosim.Nope  # noqa: B018


def test_import_mesosim_loads_no_declaration_module():
    code = ("import sys, mesosim; print(sorted(m for m in sys.modules if m.startswith('mesosim')))")
    out = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "['mesosim']"


def test_vendor_classes_are_built_with_keywords():
    r = mesosim.between(1, 2, "mm", "002:11")
    assert mesosim.Range(min=1, max=2, unit="mm", source="002:11") == r
    f = mesosim.Finding(rule="ACME001", kind="schema", severity="info", path="p.yaml", line=1,
                        column=1, message="m")
    assert f.rule == "ACME001"
    assert mesosim.Rule(code="ACME001", name="n", kind="schema", severity="info", summary="s",
                        explanation="e").origin == "core"


def test_every_rule_code_is_a_named_constant_and_every_constant_a_rule():
    constants = {name: value for name, value in vars(rules).items()
                 if re.fullmatch(r"[A-Z_]+", name) and isinstance(value, str)
                 and re.fullmatch(r"MS\d{3}", value)}
    assert sorted(constants.values()) == sorted(rules.RULES)
    for name, code in constants.items():
        assert rules.RULES[code].name == name.lower().replace("_", "-"), name


def test_every_parameter_kind_maps_to_one_rule():
    assert rules.PARAMETER_RULES == {"depth": rules.DEPTH_OUT_OF_RANGE,
                                     "dose": rules.DOSE_OUT_OF_RANGE,
                                     "device-setting": rules.DEVICE_SETTING_OUT_OF_RANGE,
                                     "duration": rules.STEP_DURATION_OUT_OF_RANGE}
    for kind, code in rules.PARAMETER_RULES.items():
        assert rules.RULES[code].kind == kind


def test_no_engine_module_writes_a_rule_code_as_a_literal():
    import os

    root = os.path.dirname(mesosim.__file__ or "")
    offenders = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            if not name.endswith(".py") or path == rules.__file__:
                continue
            with open(path, encoding="utf-8") as fh:
                for n, line in enumerate(fh, start=1):
                    code = line.split("#", 1)[0]
                    if re.search(r"""["']MS\d{3}["']""", code) and '"""' not in code:
                        offenders.append(f"{os.path.relpath(path, root)}:{n}")
    # docstrings and help text may name a code; code paths use mesosim.rules' constants
    assert [o for o in offenders if not o.startswith(("testing.py", "config.py"))] == []


MOVED = {
    "mesosim.technique": "Technique",
    "mesosim.model": "Protocol",
    "mesosim.host": "load_registry",
    "mesosim.hookspecs": "mesosim_check",
    "mesosim.vocabulary": "mesosim_vocabulary",
    "mesosim.explain": "explain_rule",
    "mesosim.timeline": "simulate_file",
    "mesosim.entrypoints": "entry_points",
    "mesosim.reporters": "relative_uri",
    "mesosim.reporters.sarif": "sarif_log",
    "mesosim.reporters.junit": "render",
    "mesosim.reporters.github": "escape_data",
}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_a_moved_module_still_imports_and_warns(old):
    sys.modules.pop(old, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    assert hasattr(module, MOVED[old])
    assert any(issubclass(w.category, DeprecationWarning) and old in str(w.message)
               for w in caught), [str(w.message) for w in caught]


def test_findings_alike_but_for_their_pointer_sort_the_same_whatever_the_hash_seed():
    """Two findings with the same file, place, rule and message came out in an order that
    depended on PYTHONHASHSEED (they pass through a set): the sort key holds every field."""
    from mesosim.findings import Finding

    a, b = (Finding(rule="MS301", kind="missing-step", severity="error", path="p.yaml", line=3,
                    column=5, message="missing required step", pointer=p)
            for p in ("/session/steps/1", "/session/steps/2"))
    assert a.sort_key() != b.sort_key()
    assert sorted([b, a], key=Finding.sort_key) == sorted([a, b], key=Finding.sort_key) == [a, b]
