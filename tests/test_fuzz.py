"""The short fuzzing run CI makes (hostile input, round 2), and the fuzzer's finds kept as
regression tests. The long campaign is ``python bench/fuzz_mutate.py --inputs 500000``
(CONTRIBUTING.md)."""

from __future__ import annotations

import importlib.util
import os

import pytest

from .conftest import ROOT

HOSTILE = os.path.join(ROOT, "tests", "hostile")


def _fuzzer():
    spec = importlib.util.spec_from_file_location("fuzz_mutate",
                                                  os.path.join(ROOT, "bench", "fuzz_mutate.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FUZZ = _fuzzer()


@pytest.mark.parametrize("seed", [11, 12])
def test_a_short_mutation_run_finds_no_crash(seed, tmp_path, monkeypatch):
    monkeypatch.setattr(FUZZ, "FOUND", str(tmp_path))
    monkeypatch.setenv("MESOSIM_FUZZ_LIMIT", "60")  # speed is bench's business, not a test's
    count, crashes, _slow, _slowest = FUZZ.run(seed, 250)
    kept = sorted(os.listdir(tmp_path))
    why = [open(os.path.join(tmp_path, k)).read()[-600:] for k in kept if k.endswith(".why")]
    assert (count, crashes) == (250, 0), why


def _kept(folder: str) -> list[str]:
    path = os.path.join(HOSTILE, folder)
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


@pytest.mark.parametrize("name", _kept("fuzz"))
def test_every_protocol_the_fuzzer_found_stays_fixed(reg, name):
    with open(os.path.join(HOSTILE, "fuzz", name), "rb") as fh:
        FUZZ.check_protocol(reg, name, fh.read(), want_reports=True)


@pytest.mark.parametrize("name", _kept("fuzz-config"))
def test_every_configuration_the_fuzzer_found_stays_fixed(reg, name):
    with open(os.path.join(HOSTILE, "fuzz-config", name), "rb") as fh:
        FUZZ.check_config(reg, fh.read())
