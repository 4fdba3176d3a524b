"""Every rule mesosim reports, in one place: code, kind, default severity and explanation.

Codes are stable: a code is never reused for a different meaning. The hundreds group them:
``MS0xx`` the file itself, ``MS1xx`` the format (schema and units), ``MS2xx`` names (technique,
steps, vocabulary), ``MS3xx`` the session's steps, ``MS4xx`` ranges of parameters, ``MS5xx`` the
course in time, ``MS6xx`` the patient, ``MS7xx`` aftercare and plans, ``MS9xx`` plugins.
Plugins may add their own rules (hook ``mesosim_rules``) with codes of their own prefix.

Where a rule's figure comes from is not stored here: each finding carries the ``source`` of the
range that was broken (``mesosim techniques show NAME`` lists them all).
"""

from __future__ import annotations

from typing import Final

from attr import field, frozen
from attr.validators import in_, matches_re

from mesosim.findings import KINDS, SEVERITIES

CODE_PATTERN: Final = r"^[A-Z]{2,8}[0-9]{3}$"


# --- rule codes: use these names, never a code's literal (a typo fails at import) ---------
SYNTAX_ERROR: Final = "MS001"
NOT_A_PROTOCOL: Final = "MS002"
UNREADABLE_FILE: Final = "MS003"
UNSAFE_TAG: Final = "MS004"
DOCUMENT_TOO_LARGE: Final = "MS005"
SUPPRESSION_WITHOUT_REASON: Final = "MS010"
UNUSED_SUPPRESSION: Final = "MS011"
INTERNAL_ERROR: Final = "MS009"
FORBIDDEN_SUPPRESSION: Final = "MS012"
NOT_THE_ASSIGNMENT: Final = "MS021"
MISSING_SUBMISSION: Final = "MS022"
EXTRA_SUBMISSION: Final = "MS023"
IGNORED_CONFIGURATION: Final = "MS024"
SKIPPED_FILE: Final = "MS025"
UNKNOWN_KEY: Final = "MS101"
MISSING_KEY: Final = "MS102"
WRONG_TYPE: Final = "MS103"
DUPLICATE_KEY: Final = "MS104"
FORMAT_VERSION: Final = "MS105"
BAD_VALUE: Final = "MS106"
UNKNOWN_CONDITION: Final = "MS107"
#: rules treated as contraindications wherever those are special (never suppressed, failing a
#: graded student): a condition mesosim cannot read (a misspelt ``pregnacy``) may be one
LIKE_CONTRAINDICATION: Final = frozenset({UNKNOWN_CONDITION})
UNKNOWN_ACTIVITY: Final = "MS108"
UNKNOWN_PARAMETER: Final = "MS109"
MISSING_PARAMETER: Final = "MS110"
UNIT_ERROR: Final = "MS111"
WRONG_DIMENSION: Final = "MS112"
UNKNOWN_TECHNIQUE: Final = "MS201"
UNKNOWN_STEP: Final = "MS202"
STEP_NOT_IN_TECHNIQUE: Final = "MS203"
TECHNIQUE_NOT_FOR_SETTING: Final = "MS204"
MISSING_REQUIRED_STEP: Final = "MS301"
STATE_NOT_REACHED: Final = "MS302"
STEP_OUT_OF_ORDER: Final = "MS311"
DEPTH_OUT_OF_RANGE: Final = "MS401"
DOSE_OUT_OF_RANGE: Final = "MS402"
SESSION_DOSE_OUT_OF_RANGE: Final = "MS403"
DEVICE_SETTING_OUT_OF_RANGE: Final = "MS411"
STEP_DURATION_OUT_OF_RANGE: Final = "MS421"
SESSION_DURATION_OUT_OF_RANGE: Final = "MS422"
INTERVAL_TOO_SHORT: Final = "MS501"
INTERVAL_TOO_LONG: Final = "MS502"
COURSE_LENGTH_OUT_OF_RANGE: Final = "MS511"
CONTRAINDICATED: Final = "MS601"
RELATIVE_CONTRAINDICATION: Final = "MS602"
ALLERGY_TEST_MISSING: Final = "MS611"
ALLERGY_TEST_POSITIVE: Final = "MS612"
AFTERCARE_TOO_SHORT: Final = "MS701"
AFTERCARE_MISSING: Final = "MS702"
PLAN_CONFLICT: Final = "MS801"
PLUGIN_FAILED: Final = "MS901"
PLUGIN_REFUSED: Final = "MS902"


@frozen
class Rule:
    """A rule's identity and documentation. ``origin`` is ``core`` or the plugin that added it."""

    code: str = field(validator=matches_re(CODE_PATTERN))
    name: str
    kind: str = field(validator=in_(KINDS))
    severity: str = field(validator=in_(SEVERITIES))
    summary: str
    explanation: str
    origin: str = "core"
    #: the kind of step parameter whose out-of-range value this rule reports (``depth``,
    #: ``dose``, ``duration``, ``device-setting``); see :data:`PARAMETER_RULES`
    parameter_kind: str | None = None
    #: the technique's figure this rule holds a protocol to (``interval``, ``course_length``,
    #: ``session_duration``, ``session_dose``, ``aftercare``): what ``mesosim explain`` lists
    figure: str | None = None


def _rule(code: str, name: str, kind: str, severity: str, summary: str, explanation: str,
          parameter_kind: str | None = None, figure: str | None = None) -> Rule:
    return Rule(code, name, kind, severity, summary, explanation.strip(), "core", parameter_kind,
                figure)


CORE_RULES: Final[tuple[Rule, ...]] = (
    # --- MS0xx: the file itself -------------------------------------------------------------
    _rule(SYNTAX_ERROR, "syntax-error", "syntax", "error", "The file is not valid YAML or JSON.", """
The parser stopped at the given line and column. Common causes: indentation with tabs, an
unclosed quote or bracket, a missing ': ' after a key. The other files are still checked."""),
    _rule(NOT_A_PROTOCOL, "not-a-protocol", "syntax", "error",
          "The file is empty, holds only comments, or holds nothing (null).", """
A protocol file is one YAML mapping that starts with `mesosim: 1`. A file that parses but
whose top level is a list or a value is a wrong type (MS103)."""),
    _rule(UNREADABLE_FILE, "unreadable-file", "syntax", "error",
          "The file cannot be read: missing permission, too large, binary or not UTF-8.", """
mesosim reads UTF-8 text (a BOM is accepted) up to a size limit (4 MiB by default,
`--max-file-size`). Binary files and other encodings are refused rather than guessed."""),
    _rule(UNSAFE_TAG, "unsafe-tag", "syntax", "error",
          "A YAML tag asks for an object (e.g. !!python/object); tags are never constructed.", """
Protocol files hold plain data. Tags such as `!!python/object`, custom `!tags` and merge keys are
refused without being constructed, so a file can never run code."""),
    _rule(DOCUMENT_TOO_LARGE, "document-too-large", "syntax", "error",
          "Aliases expand too far, or the document is nested too deeply.", """
Anchors and aliases can make a tiny file expand to billions of nodes ("billion laughs"). mesosim
stops at 100,000 nodes or 64 levels of nesting and reports the file instead of hanging."""),
    _rule(INTERNAL_ERROR, "internal-error", "internal-error", "error",
          "mesosim itself failed while checking this file: a bug, not a problem of the file.", """
The other files are still checked and reported, and mesosim exits with code 4 so that CI can
tell a crash from a finding. Please report it with the file (or the smallest part of it that
still fails); `mesosim --debug check FILE` or MESOSIM_DEBUG=1 prints the traceback."""),
    _rule(SUPPRESSION_WITHOUT_REASON, "suppression-without-reason", "schema", "warning",
          "A `# mesosim: ignore[...]` comment gives no reason.", """
Write why the finding does not apply: `# mesosim: ignore[MS401] depth agreed with the trainer`."""),
    _rule(UNUSED_SUPPRESSION, "unused-suppression", "schema", "warning",
          "A `# mesosim: ignore[...]` comment silences nothing (with --report-unused-ignores).", """
Remove the comment, or fix the code it names, so that suppressions do not rot."""),
    _rule(FORBIDDEN_SUPPRESSION, "forbidden-suppression", "schema", "error",
          "A suppression comment names a rule that cannot be suppressed, or suppressions are "
          "not allowed here.", """
Contraindications (MS601, MS602) are never suppressed, nor are the rules a configuration lists
in `unsuppressable`; a class assignment may allow no suppression at all (`suppressions = false`).
The finding the comment aimed at stays, and every suppressed finding is still counted and shown
(text summary, JSON, SARIF `suppressions`, the class table)."""),
    # --- MS02x: a class's submissions (`mesosim class` with an assignment) ------------------
    _rule(NOT_THE_ASSIGNMENT, "not-the-assignment", "assignment", "error",
          "The protocol's technique, zone or setting is not the one the assignment asks for.", """
A class assignment (`[class]` in the instructor's mesosim.toml, or `--assignment FILE`) names the
techniques, zones and setting the students write protocols for; a protocol of another one is
graded as a mistake of its own."""),
    _rule(MISSING_SUBMISSION, "missing-submission", "assignment", "error",
          "A student handed in fewer protocol files than the assignment asks for.", """
The assignment's `files` says how many protocol files each student hands in."""),
    _rule(EXTRA_SUBMISSION, "extra-submission", "assignment", "warning",
          "A student handed in more protocol files than the assignment asks for.", """
Every file is graded; the extra ones are pointed out."""),
    _rule(IGNORED_CONFIGURATION, "ignored-configuration", "assignment", "info",
          "A submission holds a mesosim.toml or pyproject.toml: it is ignored.", """
Only the instructor's configuration counts when a class is graded: a student cannot loosen a
range, ignore a rule or allow a suppression with a configuration of their own."""),
    _rule(SKIPPED_FILE, "skipped-file", "assignment", "warning",
          "A file in a submission is not a protocol (its suffix is not .yaml, .yml or .json) and "
          "was not graded.", """
A protocol is a YAML or JSON file (any case: `.YAML` counts). Anything else a student hands in
is named, so that a protocol saved under the wrong name is not silently ungraded."""),
    # --- MS1xx: format, schema, units -------------------------------------------------------
    _rule(UNKNOWN_KEY, "unknown-key", "schema", "error", "A key that the protocol format does not "
          "have.", """
The format's keys are listed in the README and in `mesosim schema`. A close match is suggested
(`sesion` -> `session`)."""),
    _rule(MISSING_KEY, "missing-key", "schema", "error", "A required key is missing.", """
Every protocol needs `mesosim`, `id`, `technique`, `zone`, `patient`, `course` and
`session.steps` (`setting` defaults to `clinic`)."""),
    _rule(WRONG_TYPE, "wrong-type", "schema", "error", "A value has the wrong type (a list where a "
          "mapping is expected, text where a number is expected...).", """
The message names the type found and the type expected."""),
    _rule(DUPLICATE_KEY, "duplicate-key", "schema", "error", "The same key appears twice in one "
          "mapping.", """
YAML loaders silently keep the last value, so the first one would be lost without a word."""),
    _rule(FORMAT_VERSION, "format-version", "schema", "error", "`mesosim:` is missing or names a format "
          "version this mesosim does not read.", """
This mesosim reads format version 1: start the file with `mesosim: 1`."""),
    _rule(BAD_VALUE, "bad-value", "schema", "error", "A value is not one of the allowed ones (zone, "
          "setting, allergy test, a real date, a whole number...).", """
The message lists the allowed values and suggests the closest one."""),
    _rule(UNKNOWN_CONDITION, "unknown-condition", "schema", "error",
          "A patient condition that is not in the vocabulary.", """
An unknown condition cannot be checked against the contraindications, so a misspelt one
(`pregnacy`) would let a contraindicated patient through: it is an error, with the closest
vocabulary name suggested (`mesosim vocabulary` lists them)."""),
    _rule(UNKNOWN_ACTIVITY, "unknown-activity", "schema", "warning", "An aftercare or plan activity that "
          "is not in the vocabulary.", """
Unknown activities cannot be compared with the technique's aftercare. A close match is
suggested."""),
    _rule(UNKNOWN_PARAMETER, "unknown-parameter", "schema", "error", "A step parameter that the step does "
          "not take.", """
Each step takes the parameters listed by `mesosim vocabulary`; a close match is suggested."""),
    _rule(MISSING_PARAMETER, "missing-parameter", "schema", "warning", "The technique's active step gives "
          "no value for a parameter the technique has a range for (e.g. an injection without a "
          "depth).", """
A value that is not written cannot be checked; write it so the range check can run."""),
    _rule(UNIT_ERROR, "unit-error", "unit", "error", "A quantity without a unit, with an unknown "
          "unit, or not a finite non-negative number.", """
Write the unit with the number: `1.5 mm`, `0.05 ml`, `20 min`, `7 d`, `16 kHz`, `1 mA`, `2 bar`.
Accepted spellings include mm/cm/µm, ml/mL/cc/µl, s/min/h/d/days/weeks, Hz/kHz/MHz, mA/µA,
bar/kPa/atm/psi, V."""),
    _rule(WRONG_DIMENSION, "wrong-dimension", "unit", "error", "A quantity of the wrong dimension (a depth "
          "in ml, an interval in mm).", """
Each parameter has one dimension: depth and needle length are lengths, volumes are volumes,
waits, durations and intervals are times, frequencies are frequencies, currents are currents."""),
    # --- MS2xx: names -----------------------------------------------------------------------
    _rule(UNKNOWN_TECHNIQUE, "unknown-technique", "unknown-technique", "error", "`technique:` names no "
          "loaded technique plugin.", """
`mesosim techniques` lists the loaded techniques; a close match is suggested. A vendor's
technique needs its plugin package installed."""),
    _rule(UNKNOWN_STEP, "unknown-step", "unknown-step", "error", "A step that is not in the shared "
          "step vocabulary.", """
Step names are shared by every technique (`mesosim vocabulary`); a close match is suggested."""),
    _rule(STEP_NOT_IN_TECHNIQUE, "step-not-in-technique", "unknown-step", "warning",
          "A known step that is not "
          "part of this technique's step graph.", """
The step exists, but the technique does not use it (`mesosim techniques show NAME`)."""),
    _rule(TECHNIQUE_NOT_FOR_SETTING, "technique-not-for-setting", "schema", "error",
          "The technique is not used "
          "in the protocol's setting (clinic, home) or on its zone.", """
Each technique declares its settings and zones (`mesosim techniques show NAME`): a home roller
is used at home (002:111, 002:460), the injection techniques in a clinic."""),
    # --- MS3xx: the session's steps ---------------------------------------------------------
    _rule(MISSING_REQUIRED_STEP, "missing-required-step", "missing-step", "error", "A step the technique "
          "requires is missing (e.g. no disinfection before a puncture).", """
Each technique lists its required steps (`mesosim techniques show NAME`). Disinfection of the
area before the procedure is required by every source (002:401, 000:81)."""),
    _rule(STATE_NOT_REACHED, "state-not-reached", "missing-step", "error", "A step needs a state the session "
          "has not reached yet (a puncture on skin not disinfected, a roller not disinfected).", """
The simulator tracks the session's state step by step; each step declares the states it needs
and the states it provides."""),
    _rule(STEP_OUT_OF_ORDER, "step-out-of-order", "step-order", "error", "A step comes before a step that "
          "must precede it in the technique's step graph.", """
An edge A -> B in the technique's graph means A must come before B."""),
    # --- MS4xx: ranges ----------------------------------------------------------------------
    _rule(DEPTH_OUT_OF_RANGE, "depth-out-of-range", "depth", "error", "Needle depth or length outside the "
          "technique's range for the zone and setting.", """
Manual injection: 1.5-2 mm on the face (002:11), classical injections 2-5 mm (002:569). Home
rollers: needles of at most 0.5 mm (002:111).""", parameter_kind="depth"),
    _rule(DOSE_OUT_OF_RANGE, "dose-out-of-range", "dose", "error", "Volume per point outside the "
          "technique's range.", """
A source counts each injection's dose in tenths or hundredths of a millilitre (002:309).""",
          parameter_kind="dose"),
    _rule(SESSION_DOSE_OUT_OF_RANGE, "session-dose-out-of-range", "dose", "error",
          "The session's total volume "
          "(points x volume per point) is outside the technique's range.", """
Computed by the simulator from the active step's parameters.""",
          figure="session_dose"),
    _rule(DEVICE_SETTING_OUT_OF_RANGE, "device-setting-out-of-range", "device-setting", "error",
          "A device setting "
          "(frequency, current, pressure, pulse...) outside the technique's range.", """
Most device figures are `default`s: the sources give 16 kHz for ultrasound (002:239) and no
current, pressure or pulse values. Instructors can override them in `mesosim.toml`.""",
          parameter_kind="device-setting"),
    _rule(STEP_DURATION_OUT_OF_RANGE, "step-duration-out-of-range", "duration", "warning",
          "A step's duration or "
          "wait outside the technique's range.", """
E.g. rolling 3-5 min (002:466).""", parameter_kind="duration"),
    _rule(SESSION_DURATION_OUT_OF_RANGE, "session-duration-out-of-range", "duration", "warning",
          "The simulated "
          "session's total length is outside the technique's range.", """
A manual session lasts 20-25 min (002:46); non-injection sessions under half an hour (002:179).""",
          figure="session_duration"),
    # --- MS5xx: the course ------------------------------------------------------------------
    _rule(INTERVAL_TOO_SHORT, "interval-too-short", "interval", "error", "Two sessions are closer than the "
          "technique's minimum interval.", """
Sources disagree: every 7-10 days (000:95), at most weekly (002:309), one to two a week
(002:640); roller sessions a week apart at the earliest, two weeks better (002:470).""",
          figure="interval"),
    _rule(INTERVAL_TOO_LONG, "interval-too-long", "interval", "warning", "Two sessions are further apart "
          "than the technique's maximum interval.", """
Too long a gap breaks the course; see MS501 for the sources.""",
          figure="interval"),
    _rule(COURSE_LENGTH_OUT_OF_RANGE, "course-length-out-of-range", "course-length", "warning",
          "The number of "
          "sessions is outside the technique's course length.", """
Sources disagree: 8-10 sessions (000:95), 5-7 (002:50), 5-10 (002:413), 4-10 (002:640).""",
          figure="course_length"),
    # --- MS6xx: the patient -----------------------------------------------------------------
    _rule(CONTRAINDICATED, "contraindicated", "contraindication", "error", "The patient has a condition "
          "that contraindicates the technique.", """
General contraindications (000:55-71, 002:88-97) apply to every technique; each technique adds
its own (`mesosim techniques show NAME`)."""),
    _rule(RELATIVE_CONTRAINDICATION, "relative-contraindication", "contraindication", "warning",
          "The patient has a "
          "condition that calls for caution with this technique.", """
Conditions the sources list as not recommended rather than forbidden."""),
    _rule(ALLERGY_TEST_MISSING, "allergy-test-missing", "allergy-test", "error", "The technique requires an "
          "allergy test before the course and it was not done.", """
An allergy test precedes the course (002:69, 002:394): drops of the substance on the shoulder,
wait, proceed only without a reaction."""),
    _rule(ALLERGY_TEST_POSITIVE, "allergy-test-positive", "allergy-test", "error", "The allergy test was "
          "positive: the cocktail must not be used.", """
Proceed only without a reaction (002:69)."""),
    # --- MS7xx: aftercare and plans -------------------------------------------------------------
    _rule(AFTERCARE_TOO_SHORT, "aftercare-too-short", "aftercare", "error", "An aftercare restriction is "
          "shorter than the technique's minimum.", """
E.g. sauna 2 days, sport 2 days, makeup 1 day (000:98).""",
          figure="aftercare"),
    _rule(AFTERCARE_MISSING, "aftercare-missing", "aftercare", "error", "The protocol does not mention an "
          "aftercare restriction the technique requires.", """
List every restriction the technique requires under `aftercare:`. A missing restriction is an
error: a protocol that forgets the aftercare leaves the patient without it.""",
          figure="aftercare"),
    _rule(PLAN_CONFLICT, "plan-conflict", "plan-conflict", "error", "A patient's plan falls inside a "
          "restriction window around a session.", """
The simulator opens a window for each aftercare (and before-care) restriction around every
session; a plan inside a window is flagged with the session and window."""),
    # --- MS9xx: plugins -----------------------------------------------------------------------
    _rule(PLUGIN_FAILED, "plugin-failed", "plugin-error", "error", "A plugin raised an error while "
          "checking this file.", """
The plugin, the hook and the file are named; the other plugins and files are still checked and
mesosim exits with code 3."""),
    _rule(PLUGIN_REFUSED, "plugin-refused", "plugin-error", "error", "A plugin could not be loaded or "
          "declared something invalid, and was refused.", """
The plugin is named with the reason (import error, a cycle in its step graph, a range with
min > max or a unit of the wrong dimension, an API version newer than this mesosim)."""),
)

RULES: Final[dict[str, Rule]] = {r.code: r for r in CORE_RULES}

#: parameter kind -> the rule reporting a value of that kind out of range. A step parameter's
#: kind is declared in the vocabulary (``Vocabulary.parameter_kinds``); a parameter declared
#: without one is a device setting.
PARAMETER_RULES: Final[dict[str, str]] = {
    r.parameter_kind: r.code for r in CORE_RULES if r.parameter_kind is not None}
DEFAULT_PARAMETER_KIND: Final = "device-setting"


def validate_rule(rule: object) -> None:
    """Raise ``ValueError`` if a (plugin) rule is malformed."""
    if not isinstance(rule, Rule):
        raise ValueError(f"expected a mesosim.rules.Rule, got {type(rule).__name__}")
    if not rule.explanation.strip():
        raise ValueError(f"rule {rule.code} has no explanation")
