"""HTML reports (pictures issue), rendered in a real headless Chromium driven by Playwright.

The browser is the system's (Debian's ``chromium`` package; ``MESOSIM_CHROMIUM`` names another
executable). Where Playwright or a browser is missing the browser tests skip and say which;
``.ci/run`` installs both. The checks read the DOM the browser built: one timeline and one
calendar per protocol, the conflicts marked in the calendar are the MS801 findings, the graph
marks exactly the steps the findings name, no request leaves the page, a screenshot is not
empty.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import PROTOCOLS, ROOT
from .test_vendor import vendor_install  # noqa: F401

EXAMPLES = os.path.join(ROOT, "examples", "class")


def _chromium() -> str | None:
    named = os.environ.get("MESOSIM_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser():
    sync = pytest.importorskip("playwright.sync_api",
                               reason="Playwright is not installed (pip install '.[test]')")
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium, or set "
                    "MESOSIM_CHROMIUM): the HTML reports cannot be rendered")
    with sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        yield b
        b.close()


def _open(browser, path: Path):
    """The page of ``path``, with every request other than the file itself recorded."""
    page = browser.new_page(viewport={"width": 1150, "height": 900})
    outside: list[str] = []
    url = path.resolve().as_uri()

    def route(r):
        if r.request.url != url:
            outside.append(r.request.url)
            return r.abort()
        return r.continue_()

    page.route("**/*", route)
    page.goto(url)
    return page, outside


def _attr(page, selector: str, name: str) -> list[str]:
    return page.eval_on_selector_all(selector, f"els => els.map(e => e.getAttribute('{name}'))")


def _protocol_checks(page, report: dict) -> None:
    """For each protocol section: a timeline and a calendar, conflicts = MS801 lines, graph
    marks = the findings' subjects."""
    by_path = {f["path"]: f for f in report["files"]}
    for ident in _attr(page, "div.protocol", "id"):
        path = page.get_attribute(f"#{ident}", "data-path")
        findings = by_path[path]["findings"]
        simulated = not any(f["rule"] in ("MS001", "MS002", "MS003", "MS105", "MS201")
                            or f["rule"].startswith("MS10") and f["line"] <= 2
                            for f in findings)
        timelines = page.locator(f"#{ident} svg.timeline").count()
        calendars = page.locator(f"#{ident} svg.calendar").count()
        if simulated:
            assert (timelines, calendars) == (1, 1), path
        conflicts = sorted(int(x) for x in _attr(
            page, f"#{ident} svg.calendar g.conflict:not(.unreported)", "data-line"))
        assert conflicts == sorted(f["line"] for f in findings if f["rule"] == "MS801"), path
        for state, codes in (("missing", {"MS301"}), ("order", {"MS311"}),
                             ("outside", {"MS202", "MS203"})):
            marked = sorted(_attr(page, f"#{ident} svg.graph g.node.{state}",
                                  "data-slot" if state != "outside" else "data-step"))
            named = sorted({f["subject"] for f in findings if f["rule"] in codes})
            assert marked == named, (path, state)


def test_a_protocol_report_shows_its_pictures_in_a_browser(browser, run, tmp_path):
    src = os.path.join(PROTOCOLS, "manual-injection", "invalid", "face-bath-plan-after-session.yaml")
    out = tmp_path / "one.html"
    r = run("simulate", src, "--format", "html", "-o", str(out))
    assert r.exit_code == 1  # the protocol has an error; the report is written all the same
    page, outside = _open(browser, out)
    assert outside == []
    report = json.loads(run("check", "--format", "json", src).output)
    _protocol_checks(page, report)
    assert page.locator("svg.graph").count() == 1
    for svg in ("timeline", "calendar", "graph"):  # every picture says what it shows in words
        assert page.locator(f"svg.{svg} > title").count() == 1
        assert (page.locator(f"svg.{svg} > desc").text_content() or "").strip()
    shot = page.screenshot(full_page=True)
    assert len(shot) > 10_000
    page.close()


def test_the_whole_gallery_in_one_report(browser, run, tmp_path):
    """Every gallery protocol, valid or not: the pictures agree with the findings."""
    out = tmp_path / "gallery.html"
    r = run("check", "--format", "html", "-o", str(out), PROTOCOLS)
    assert r.exit_code == 1
    report = json.loads(run("check", "--format", "json", PROTOCOLS).output)
    page, outside = _open(browser, out)
    assert outside == []
    assert page.locator("div.protocol").count() == len(report["files"])
    assert page.locator("details.item[open]").count() == 0  # collapsed by default
    _protocol_checks(page, report)
    assert page.locator("section.overview svg.bars").count() == 1
    page.close()


def test_a_class_report(browser, run, tmp_path):
    out = tmp_path / "class.html"
    r = run("class", os.path.join(EXAMPLES, "submissions"), "--assignment",
            os.path.join(EXAMPLES, "assignment.toml"), "--format", "html", "-o", str(out))
    assert r.exit_code == 0, r.output
    page, outside = _open(browser, out)
    assert outside == []
    rows = page.locator("table.overview-table tbody tr")
    assert rows.count() == 6
    assert page.locator("table.overview-table th").all_inner_texts()[-2:] == ["score", "result"]
    ben = page.locator("tr[data-name='ben'] td").all_inner_texts()
    assert ben[-2:] == ["80", "pass"]
    assert page.locator("details.item").count() == 6
    assert len(page.screenshot(full_page=True)) > 10_000
    page.emulate_media(media="print")  # a page per student when printed
    breaks = page.eval_on_selector_all("details.item",
                                       "els => els.map(e => getComputedStyle(e).breakBefore)")
    assert breaks == ["page"] * 6
    assert len(page.pdf()) > 10_000
    page.close()


def test_hostile_text_stays_text(browser, run, tmp_path):
    """A title, a step and a plan made of markup are shown, never run or fetched."""
    text = open(os.path.join(PROTOCOLS, "manual-injection", "valid", "face-rejuvenation.yaml"),
                encoding="utf-8").read()
    text = text.replace("title: Facial rejuvenation, manual technique",
                        "title: '<img src=\"http://example.com/x.png\" onerror=\"alert(1)\">'")
    text = text.replace("    - consultation", "    - '<script>alert(1)</script>'")
    src = tmp_path / "evil.yaml"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "evil.html"
    run("simulate", str(src), "--format", "html", "-o", str(out))
    page, outside = _open(browser, out)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.reload()
    assert outside == [] and dialogs == []
    assert page.locator("img").count() == 0 and page.locator("body script").count() == 0
    assert "<script>alert(1)</script>" in page.inner_text("body")
    page.close()


def test_a_vendors_technique_renders_with_its_own_steps(browser, vendor_install, tmp_path):  # noqa: F811
    from .test_vendor import VENDOR, mesosim

    samples = vendor_install["site"] / "mesosim_example_vendor" / "samples" / "valid"
    out = tmp_path / "pen.html"
    done = mesosim(["simulate", str(samples / "pen-face.yaml"), "--format", "html", "-o",
                    str(out)], vendor_install["site"])
    assert done.returncode == 0, done.stderr
    page, outside = _open(browser, out)
    steps = set(_attr(page, "svg.graph g.node", "data-step"))
    assert steps == {"consultation", "cleansing", "disinfection", "anesthesia",
                     "cartridge-change", "application", "pen-microneedling", "soothing-mask",
                     "aftercare-briefing"}  # its own graph, its own steps (the pen's chain)
    assert page.locator("svg.timeline g.step[data-step='pen-microneedling']").count() == 1
    assert VENDOR in page.inner_text("body") or "pen" in page.inner_text("body")
    assert outside == []
    page.close()


def test_html_needs_no_browser_to_be_written(run, tmp_path):
    """Without a browser the report is still written: the tests above only read it."""
    out = tmp_path / "r.html"
    src = os.path.join(PROTOCOLS, "roller", "valid")
    assert run("check", "--format", "html", "-o", str(out), src).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "http://" not in html.replace(
        "http://www.w3.org/2000/svg", "") and "https://" not in html
    assert "<script" not in html


def test_the_html_report_is_not_a_protocol_when_a_folder_is_checked(run, tmp_path):
    out = tmp_path / "r.html"
    run("check", "--format", "html", "-o", str(out), os.path.join(PROTOCOLS, "roller", "valid"))
    assert json.loads(run("check", "--format", "json", str(tmp_path)).output)["files"] == []


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip("the browser tests run on Linux CI")

_ = subprocess  # the vendor helper runs the CLI in a subprocess


def test_the_html_report_is_the_same_whatever_the_workers(run, tmp_path):
    """Each protocol is drawn where it is checked (in a worker with --jobs 2): same bytes."""
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    assert run("check", "-f", "html", "-j", "1", "-o", str(a), PROTOCOLS).exit_code == 1
    assert run("check", "-f", "html", "-j", "2", "-o", str(b), PROTOCOLS).exit_code == 1
    assert a.read_bytes() == b.read_bytes()


# --- an adversarial review of the HTML reports (each test a problem it found) -----------------


def _valid_text() -> str:
    return open(os.path.join(PROTOCOLS, "manual-injection", "valid", "face-rejuvenation.yaml"),
                encoding="utf-8").read()


def test_a_report_is_never_written_over_a_configuration_or_an_assignment(run, tmp_path,
                                                                         monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(_valid_text())
    (tmp_path / "cfg.toml").write_text('ignore = ["MS702"]\n')
    (tmp_path / "mesosim.toml").write_text("")
    asg = tmp_path / "a.toml"
    asg.write_text("[class]\npass-mark = 50\n")
    for args in (["check", "p.yaml", "--config", "cfg.toml", "-f", "html", "-o", "cfg.toml"],
                 ["check", ".", "-f", "html", "-o", "mesosim.toml"],
                 ["class", os.path.join(EXAMPLES, "submissions"), "--assignment", str(asg),
                  "-o", str(asg)]):
        assert run(*args).exit_code == 2, args
    assert (tmp_path / "cfg.toml").read_text() == 'ignore = ["MS702"]\n'
    assert asg.read_text() == "[class]\npass-mark = 50\n"


def test_many_unknown_steps_cost_linear_time(run, tmp_path):
    """Each finding found its place in the picture by a linear search: 64,000 unknown steps
    took 26 s. The cost per step may not grow with the number of steps."""
    import time

    def timed(n: int) -> float:
        steps = "".join(f"    - made-up-step-{i}\n" for i in range(n))
        text = _valid_text().replace("    - consultation\n", steps)
        (tmp_path / f"u{n}.yaml").write_text(text)
        start = time.perf_counter()
        run("check", "-f", "html", "-o", str(tmp_path / f"u{n}.html"), str(tmp_path / f"u{n}.yaml"))
        return time.perf_counter() - start

    small, big = timed(500), timed(4000)
    assert big / small < 8 * 2.5, (small, big)  # 8x the steps: linear, with room for noise


def test_bidirectional_controls_and_nul_are_shown_as_escapes(run, tmp_path):
    text = _valid_text().replace("title: Facial rejuvenation, manual technique",
                                 'title: "\\0 evil \\u202e gpj \\x1b[31m"')
    name = tmp_path / "x\u202egpj.yaml"
    name.write_text(text, encoding="utf-8")
    out = tmp_path / "o.html"
    run("simulate", str(name), "-f", "html", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    assert "\u202e" not in html and "\x00" not in html and "\x1b" not in html
    assert "\\u202e" in html


def test_one_line_holding_several_steps_marks_only_those_with_findings(browser, run, tmp_path):
    text = _valid_text()
    head, rest = text.split("  steps:\n", 1)
    body, tail = rest.split("aftercare:", 1)
    flow = ("  steps: [consultation, makeup-removal, cleansing, disinfection, "
            "{anesthesia: {wait: 20 min}}, marking, made-up, "
            "{injection: {depth: 9 mm, volume_per_point: 0.05 ml, points: 40}}, soothing-mask, "
            "evaluation]\n")
    (tmp_path / "flow.yaml").write_text(head + flow + "aftercare:" + tail)
    out = tmp_path / "flow.html"
    run("simulate", str(tmp_path / "flow.yaml"), "-f", "html", "-o", str(out))
    page, _outside = _open(browser, out)
    marked = _attr(page, "svg.timeline g.step.flagged", "data-step")
    assert sorted(marked) == ["injection", "made-up"], marked  # 9 mm; not a step
    page.close()


def test_conflicts_not_reported_are_drawn_as_such(browser, run, tmp_path):
    src = os.path.join(PROTOCOLS, "manual-injection", "invalid", "face-bath-plan-after-session.yaml")
    out = tmp_path / "ign.html"
    run("simulate", src, "-f", "html", "-o", str(out))
    page, _o = _open(browser, out)
    assert page.locator("g.conflict.finding").count() == 1
    page.close()
    run("check", "--ignore", "MS801", "-f", "html", "-o", str(out), src)
    page, _o = _open(browser, out)
    assert page.locator("g.conflict.finding").count() == 0
    assert page.locator("g.conflict.unreported").count() == 1
    assert "not reported" in (page.locator("g.conflict.unreported").text_content() or "")
    page.close()


def test_the_listing_numbers_lines_as_the_findings_do(run, tmp_path):
    text = _valid_text().replace("mesosim: 1", "# a\x0cb\x1cc\nmesosim: 1")
    (tmp_path / "ff.yaml").write_text(text)
    out = tmp_path / "ff.html"
    run("simulate", str(tmp_path / "ff.yaml"), "-f", "html", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    n = len(text.split("\n")) - (1 if text.endswith("\n") else 0)
    assert f"-line-{n}\"" in html or f"-line-{n + 1}\"" in html
    assert f"-line-{n + 2}\"" not in html
