"""Scoped declarations and open vocabularies (declarations issue): what the sources say per
zone, setting, course kind and method reaches every technique; sources a student can read;
the small corrections of the format. The gallery (``protocols/``) holds a valid and an invalid
protocol for each zone-scoped fact; these tests pin the rules that combine them."""

from __future__ import annotations

import os
import re

import pytest

from mesosim.declarations import citations
from mesosim.describe import claims_of, sources_markdown
from mesosim.resolve import provenance, resolve
from mesosim.testing import findings_of

from .conftest import ROOT
from .test_rules import BASE, edit


def _tech(reg, name, zone, setting="clinic", course=None):
    return resolve(reg.catalog, reg.catalog.techniques[name], zone, setting, course)


# --- how scopes combine -----------------------------------------------------------------------


def test_contraindications_add_up_general_zone_and_technique(reg):
    eye = {c.condition for c in _tech(reg, "oxygen", "periorbital").contraindications}
    body = {c.condition for c in _tech(reg, "oxygen", "body").contraindications}
    # the general lists (000:55-71, 002:86-97) hold everywhere; the eye area's (002:132) and the
    # face's (002:362-377) on those zones; the non-injection list (002:200-205) for oxygen
    assert {"kidney-disease", "cardiovascular-disease", "cholelithiasis"} <= body
    assert {"diabetes", "hypertension"} <= eye and not {"diabetes", "hypertension"} & body


def test_a_care_minimum_is_the_longest_that_applies_and_both_sources_are_shown(reg):
    face = {c.activity: c.minimum for c in _tech(reg, "manual-injection", "face").aftercare}
    body = {c.activity: c.minimum for c in _tech(reg, "manual-injection", "body").aftercare}
    assert (str(face["sauna"]), face["sauna"].source) == ("at least 7 d", "002:478, 002:480")
    assert (str(body["sauna"]), body["sauna"].source) == ("at least 2 d", "000:98")
    shown = [(a.what, a.source, a.status) for a in provenance(
        reg.catalog, reg.catalog.techniques["manual-injection"], "face", "clinic")]
    assert ("aftercare sauna", "000:98", "replaced") in shown
    assert ("aftercare sauna", "002:478, 002:480", "in force") in shown


def test_a_figure_comes_from_the_most_specific_scope(reg):
    eye = _tech(reg, "manual-injection", "periorbital")
    assert (str(eye.course_length), eye.course_length.source) == ("3-7", "002:141")
    assert str(_tech(reg, "manual-injection", "face").course_length) == "4-10"
    # the eye area's course is one of injections (002:138): oxygen keeps 002:181's
    assert _tech(reg, "oxygen", "periorbital").course_length.source == "002:181"


def test_a_maintenance_course_has_figures_of_its_own(reg):
    m = _tech(reg, "manual-injection", "face", course="maintenance")
    assert (m.interval.min, m.interval.source) == (14, "002:640")
    o = _tech(reg, "oxygen", "face", course="maintenance")
    assert (o.interval.min, o.interval.max, o.interval.source) == (28, 35, "002:181")
    # the roller's maintenance: only its at most weekly (002:262); and a vendor technique
    # that declares none has no interval to hold maintenance sessions to
    r = _tech(reg, "roller", "face", "home", course="maintenance")
    assert (r.interval.min, r.interval.max, r.interval.source) == (7, None, "002:262")


def test_the_eye_procedure_joins_the_graph_after_the_active_step(reg):
    t = _tech(reg, "manual-injection", "periorbital")
    assert {"rest", "disinfection-again"} <= t.required
    assert t.steps.slots["disinfection-again"] == "disinfection"
    assert "rest" in t.steps.ancestors["disinfection-again"]
    assert t.unmeasured == {"rest", "disinfection"}


# --- plans by meaning ---------------------------------------------------------------------


@pytest.mark.parametrize(("activity", "meets"), [
    ("bath", "sauna"), ("steam-room", "sauna"), ("banya", "sauna"), ("solarium", "sun"),
    ("drinking", "alcohol"), ("gym", "sport"), ("swimming", "pool")])
def test_a_plan_meets_the_windows_of_what_it_involves(reg, activity, meets):
    text = edit("date: 2028-01-15", "date: 2026-12-02").replace(
        "activity: sauna", f"activity: {activity}")
    got = findings_of(reg, text)
    assert [r for r, _line, _src in got] == ["MS801"], got
    assert meets in reg.catalog.involves[activity]


# --- sources a student can read -------------------------------------------------------------


def _cited(reg) -> set[str]:
    """Every citation the built-in declarations make."""
    from mesosim.declarations import labelled_ranges

    texts: list[str | None] = []
    cat = reg.catalog
    for t in cat.techniques.values():
        texts += [r.source for _l, r, _d in labelled_ranges(t, cat.parameters)]
        texts += [c.source for c in t.contraindications] + [t.allergy_test]
        texts += [lim.source for lim in t.limits]
    for z in cat.zones.values():
        texts += [r.source for _l, r, _d in labelled_ranges(z, cat.parameters)]
        texts += [c.source for c in z.contraindications] + [p.source for p in z.procedures]
    texts += [c.source for c in cat.general]
    return {f"{sid}:{lines}" for text in texts for sid, lines in citations(text or "default")}


def test_every_citation_of_the_built_ins_has_a_claim(reg):
    missing = sorted(ref for ref in _cited(reg) if not claims_of(reg.catalog, ref))
    assert missing == []


def test_docs_sources_md_is_generated_from_the_claims():
    with open(os.path.join(ROOT, "docs", "sources.md"), encoding="utf-8") as fh:
        assert fh.read() == sources_markdown(), "run: mesosim sources --markdown > docs/sources.md"


def test_the_claims_paraphrase_and_never_copy_the_articles():
    """No claim repeats six words in a row of an article (where the articles are at hand)."""
    seeds = os.path.join(ROOT, "..", "shared", "seeds")
    if not os.path.isdir(seeds):
        pytest.skip("the source articles are not beside this checkout")
    words = []
    for name in sorted(os.listdir(seeds)):
        with open(os.path.join(seeds, name), encoding="utf-8") as fh:
            words += re.findall(r"[a-z0-9]+", fh.read().lower())
    runs = {" ".join(words[i:i + 6]) for i in range(len(words) - 5)}
    text = sources_markdown().lower()
    claims = re.findall(r"^- `[^`]+`: (.*)$", text, re.M)
    copied = [c for c in claims
              if any(" ".join(w[i:i + 6]) in runs for w in [re.findall(r"[a-z0-9]+", c)]
                     for i in range(len(w) - 5))]
    assert copied == []


def test_sources_command_prints_a_claim_and_fails_on_an_unknown_one(run):
    r = run("sources", "002:167")
    assert r.exit_code == 0 and r.output.startswith("002:167: ") and "eight to ten" in r.output
    assert run("sources", "002:99999").exit_code == 1
    assert "no source 'acme'" in run("sources", "acme:1").output


def test_explain_and_show_print_the_claim_beside_the_citation(run):
    out = run("explain", "MS511").output
    assert "002:640: " in out and "What the cited lines say" in out
    shown = run("techniques", "show", "manual-injection", "--zone", "periorbital").output
    assert "course length: 3-7 [002:141] (zone periorbital; in force)" in shown
    assert "course length: 4-10 [002:640] (technique manual-injection; replaced)" in shown
    assert "002:141: " in shown


def test_the_readme_refers_to_nothing_outside_the_repository():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    assert "shared/" not in text and "../" not in text


# --- small corrections ---------------------------------------------------------------------


def test_id_is_optional_the_file_name_stands_in(reg):
    assert findings_of(reg, BASE.replace("id: base\n", "")) == []


def test_a_misspelt_condition_is_an_error_with_its_did_you_mean(run, tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text(edit("conditions: []", "conditions: [pregnacy]"), encoding="utf-8")
    r = run("check", str(p))
    assert r.exit_code == 1
    assert "MS107 [error] unknown condition 'pregnacy' (hint: did you mean 'pregnancy'?)" in \
        r.output
