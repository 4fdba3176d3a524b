"""``mesosim simulate`` and ``mesosim plan``: one protocol played forward, or its course planned."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from mesosim.cli._common import (
    EXISTING_FILE,
    FILE,
    OutputProblem,
    _check_outputs,
    _emit,
    _host,
    _load_config,
)


@click.command("simulate")
@click.argument("protocol", type=EXISTING_FILE)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "html"]),
              default="text",
              show_default=True, help="text: a readable timeline; json: the full trace.")
@click.option("--ics", type=FILE, default=None, metavar="FILE",
              help="Also write the course as an iCalendar file (sessions, restriction windows).")
@click.option("--session-time", default="09:00", show_default=True, metavar="HH:MM",
              help="Time of day of the sessions in the --ics calendar (protocols give dates).")
@click.option("-o", "--output", type=FILE, default=None,
              help="Write the timeline or trace to FILE (atomically) instead of standard output.")
@click.pass_context
def simulate_cmd(ctx: click.Context, protocol: str, fmt: str, ics: str | None, session_time: str,
                 output: str | None) -> None:
    """Play a protocol forward: its calendar, its session minute by minute, its windows."""
    import datetime as _dt

    from mesosim.options import Options
    from mesosim.report.timeline import render_json, render_timeline
    from mesosim.runner import simulate_file

    _check_outputs(protocol, output, ics)
    try:
        at = _dt.time.fromisoformat(session_time)
    except ValueError:
        raise click.BadParameter(f"'{session_time}' is not a time of day such as 09:30",
                                 param_hint="--session-time") from None
    config = _load_config(ctx, (protocol,))
    host = _host(ctx)
    sim = simulate_file(protocol, host, config.options if config is not None else Options())
    color = output is None and fmt == "text" and sys.stdout.isatty() and not os.environ.get(
        "NO_COLOR")
    if fmt == "html":
        from mesosim.report.html import render_simulation

        _emit(render_simulation(sim, host.catalog), output)
    else:
        _emit(render_json(sim) if fmt == "json" else render_timeline(sim, host.catalog, color),
              output)
    if ics is not None:
        if sim.trace is None:
            click.echo(f"mesosim: no calendar written to {ics}: the protocol could not be "
                       "simulated", err=True)
        else:
            from mesosim.atomic import write_atomic
            from mesosim.report.ics import calendar_ics

            try:
                write_atomic(ics, calendar_ics(sim, at))
            except OSError as exc:
                raise OutputProblem(f"could not write {ics}: {exc.strerror or exc}") from None
    ctx.exit(sim.exit_code)


def _plan_option(kind: str) -> Any:
    """A click callback reading ``--done``/``--closed`` (dates), ``--clinic-days`` (weekdays) or
    ``--until``/``--from`` (one date) into values, or a usage error (exit 2)."""

    def read(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
        if value is None:
            return None
        from mesosim.planner import parse_dates, parse_weekdays

        try:
            if kind == "weekdays":
                return parse_weekdays(value)
            got = parse_dates(value, unique=kind == "sessions")
            if kind == "date" and len(got) != 1:
                raise ValueError(f"'{value}' is not one date (YYYY-MM-DD)")
            return got[0] if kind == "date" else got
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return read


@click.command("plan")
@click.argument("protocol", type=EXISTING_FILE)
@click.option("--until", callback=_plan_option("date"), metavar="DATE",
              help="The latest day the last session may take (default: a year after the "
                   "protocol's own last session).")
@click.option("--done", callback=_plan_option("sessions"), metavar="DATE,...",
              help="Sessions already given: kept as they are, counted among the course's.")
@click.option("--from", "start", callback=_plan_option("date"), metavar="DATE",
              help="The first day a session still to give may take (today, when re-planning "
                   "after a missed session; default: the course's start).")
@click.option("--clinic-days", callback=_plan_option("weekdays"), metavar="DAYS",
              help="The clinic's working days: mon,tue,... or mon-fri (default: every day).")
@click.option("--closed", callback=_plan_option("dates"), metavar="DATE,...",
              help="Days the clinic is closed: dates or ranges (2026-12-24..2027-01-02).")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text: the calendar with the reason for every shift.")
@click.option("-o", "--output", type=FILE, default=None, metavar="FILE",
              help="Write the protocol with the planned dates to FILE (comments and other keys "
                   "kept; the input is never written).")
@click.option("--ics", type=FILE, default=None, metavar="FILE",
              help="Also write the planned course as an iCalendar file.")
@click.pass_context
def plan_cmd(ctx: click.Context, protocol: str, until: Any, done: Any, start: Any,
             clinic_days: Any, closed: Any, fmt: str, output: str | None,
             ics: str | None) -> None:
    """Plan the course around the patient's plans and the clinic: the calendar that finishes
    earliest with every interval in range and no plan in a before- or aftercare window.
    Exit 1 when none exists (saying what would make one possible)."""
    from mesosim.options import Options
    from mesosim.planner import WEEKDAYS, PlanError, plan_file
    from mesosim.report.plan import render_json, render_text

    _check_outputs(protocol, output, ics)
    config = _load_config(ctx, (protocol,))
    host = _host(ctx)
    try:
        planned = plan_file(protocol, host.catalog, host,
                            config.options if config is not None else Options(),
                            until=until, done=done or (), start=start,
                            clinic_days=clinic_days or WEEKDAYS, closed=closed or ())
    except PlanError as exc:  # an option that contradicts the protocol: a usage error
        raise click.BadParameter(str(exc), param_hint=exc.option) from None
    click.echo(render_json(planned) if fmt == "json" else render_text(planned), nl=False)
    if planned.result is None or not planned.result.feasible:
        for target in (output, ics):
            if target is not None:
                click.echo(f"mesosim: nothing written to {target}: no calendar", err=True)
        ctx.exit(planned.outcome.exit_code if planned.result is None and
                 planned.outcome.exit_code > 1 else 1)
    if output is not None and planned.text is None:  # a layout the rewrite does not handle
        click.echo(f"mesosim: nothing written to {output}: {planned.error}", err=True)
        ctx.exit(1)
    from mesosim.atomic import write_atomic

    try:
        if output is not None and planned.text is not None:
            write_atomic(output, planned.text)
        if ics is not None and planned.written is not None:
            from mesosim.report.ics import calendar_ics

            write_atomic(ics, calendar_ics(planned.written))
    except OSError as exc:
        raise OutputProblem(f"could not write: {exc.strerror or exc}") from None
