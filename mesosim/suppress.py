"""Suppression comments: ``# mesosim: ignore[MS401] reason`` silences a finding.

The comment applies to findings on its own line, or, when it stands alone on a line, to the
next line. Codes may be prefixes (``MS4``); several are separated by commas. A suppression with
no reason is reported (MS010), and with ``report_unused_ignores`` one that silences nothing is
reported too (MS011), so that suppressions do not rot.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, NamedTuple

from mesosim import rules as _rules
from mesosim.findings import Finding

if TYPE_CHECKING:
    from mesosim.document import Document

_COMMENT: Final = re.compile(r"#\s*mesosim:\s*ignore\[([^\]]*)\]\s*(.*)$")


class Suppression(NamedTuple):
    line: int  # the line it silences
    at: tuple[int, int]  # where the comment is
    codes: tuple[str, ...]
    reason: str


def parse(text: str, json: bool = False) -> list[Suppression]:
    """Every suppression comment in ``text``: a YAML comment only, never text inside a value
    (a title reading ``# mesosim: ignore[MS] ...``), and none at all in JSON, which has no
    comments."""
    if json or "ignore[" not in text:  # fast path: most files have none (all say "mesosim: 1")
        return []
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        m = _COMMENT.search(line)
        if not m:
            continue
        codes = tuple(c.strip() for c in m.group(1).split(",") if c.strip())
        alone = line[: m.start()].strip() == ""
        out.append(Suppression(i + 1 if alone else i, (i, m.start() + 1), codes,
                               m.group(2).strip()))
    return _comments_only(text, out) if out else out


def _comments_only(text: str, found: list[Suppression]) -> list[Suppression]:
    """The suppressions whose ``#`` lies outside every scalar of the YAML text (linear: one
    pass of the C scanner, only for a file that has a candidate)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    try:
        for tok in yaml.scan(text, Loader=loader):
            if isinstance(tok, yaml.ScalarToken) and tok.start_mark is not None:
                spans.append(((tok.start_mark.line + 1, tok.start_mark.column + 1),
                              (tok.end_mark.line + 1, tok.end_mark.column + 1)))
    except yaml.YAMLError:
        pass  # a file that does not parse is reported as such; its findings stop there
    if not spans:
        return found
    import bisect

    starts = [a for a, _b in spans]
    kept = []
    for sup in found:
        k = bisect.bisect_right(starts, sup.at) - 1  # scalars do not overlap, in order
        if k >= 0 and spans[k][0] <= sup.at < spans[k][1]:
            continue
        kept.append(sup)
    return kept


class Suppressed(NamedTuple):
    """A finding a suppression comment silenced, with the comment's reason: counted and shown
    everywhere, never silently dropped."""

    finding: Finding
    reason: str
    #: where the comment is (line, column)
    at: tuple[int, int]


#: rules no comment silences besides the contraindications (see the rule table)
NEVER: frozenset[str] = _rules.LIKE_CONTRAINDICATION


def apply_suppressions(findings: list[Finding], doc: Document, report_unused: bool,
                       unsuppressable: tuple[str, ...] = (), allowed: bool = True
                       ) -> tuple[list[Finding], list[Suppressed]]:
    """Split the findings into those kept and those suppressed; add MS010/MS011/MS012 about
    the suppressions. A comment naming an unsuppressable rule (or any comment where none is
    allowed) silences nothing and is itself an error (MS012)."""
    sups = parse(doc.text, json=doc.path.lower().endswith(".json"))
    if not sups:
        return findings, []
    from mesosim import rules
    from mesosim.findings import Finding

    # suppressions by the line they silence: each finding meets only its own line's (a few),
    # never every comment of the file (hostile input: 3.9 MB of suppressed steps took 20 s)
    by_line: dict[int, list[int]] = {}
    for i, sup in enumerate(sups):
        by_line.setdefault(sup.line, []).append(i)
    used: set[int] = set()
    forbidden: dict[int, list[str]] = {}
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for f in findings:
        hit = next((i for i in by_line.get(f.line, ())
                    if any(f.rule.startswith(c) for c in sups[i].codes)), None)
        if hit is None:
            kept.append(f)
        elif not allowed or f.kind == "contraindication" or f.rule in NEVER or \
                any(f.rule.startswith(u) or f.kind == u for u in unsuppressable):
            kept.append(f)
            forbidden.setdefault(hit, []).append(f.rule)
        else:
            used.add(hit)
            suppressed.append(Suppressed(f, sups[hit].reason, sups[hit].at))

    def meta(code: str, s: Suppression, message: str) -> Finding:
        r = rules.RULES[code]
        return Finding(code, r.kind, r.severity, doc.path, s.at[0], s.at[1], message,
                       source="mesosim")

    for i, s in enumerate(sups):
        label = ",".join(s.codes) or "(no code)"
        if not allowed:
            kept.append(meta(rules.FORBIDDEN_SUPPRESSION, s, f"suppression of {label}: "
                             "suppression comments are not allowed here"))
            continue
        if i in forbidden:
            codes = ", ".join(sorted(set(forbidden[i])))
            kept.append(meta(rules.FORBIDDEN_SUPPRESSION, s, f"suppression of {label} cannot "
                             f"silence {codes}: contraindications, unreadable conditions and "
                             "the rules the configuration lists as unsuppressable stay"))
        if not s.reason:
            kept.append(meta(rules.SUPPRESSION_WITHOUT_REASON, s,
                             f"suppression of {label} gives no reason"))
        if report_unused and i not in used and i not in forbidden:
            kept.append(meta(rules.UNUSED_SUPPRESSION, s,
                             f"suppression of {label} silences nothing on line {s.line}"))
    return kept, suppressed
