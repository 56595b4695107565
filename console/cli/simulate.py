"""`acuerdo simulate`: a simulated shift driving the real pacer, one mode or two side by side."""

import json
from typing import Annotated

import typer

from campaigns.i18n import _, translate
from campaigns.models.enums import DialingMode
from campaigns.settings import get_settings
from telephony.dialer.simulator import (
    DEFAULT_ANSWER_CURVE,
    PROFILES,
    SimulationConfig,
    SimulationResult,
    compare,
    simulate,
)

METRICS: tuple[tuple[str, str, str], ...] = (
    ("occupancy", _("Occupancy (talk + wrap-up) / logged-in"), "pct"),
    ("talk_minutes_per_agent_hour", _("Talk minutes per agent hour"), "num"),
    ("abandon_rate", _("Abandon rate (abandoned / live answers)"), "pct"),
    ("calls_per_hour", _("Calls placed per hour"), "num"),
    ("wait_p95_s", _("Answered-to-agent wait p95 (s)"), "num"),
    ("idle_share", _("Agent idle share"), "pct"),
    ("ceiling", _("Ceiling talk / (talk + wrap-up)"), "pct"),
    ("ratio_to_ceiling", _("Talk share / ceiling"), "pct"),
    ("predictive_share", _("Seconds paced predictively"), "pct"),
    ("live_answers", _("Live answers"), "num"),
    ("abandons", _("Abandoned calls"), "num"),
)
MODE_LABEL = _("Mode")
DEFAULT_CURVE_TEXT = ",".join(f"{value:g}" for value in DEFAULT_ANSWER_CURVE)
RATES_TOO_HIGH = _("Answer rate plus machine rate must be at most 1.")
UNKNOWN_PROFILE = _("Unknown answer profile; use one of: {names}.")
BAD_CURVE = _("The answer curve needs 24 comma-separated multipliers, one per hour of the day.")


def _curve(text: str, locale: str) -> tuple[float, ...]:
    if text == "flat":
        return (1.0,) * 24
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError as error:
        raise typer.BadParameter(translate(locale, BAD_CURVE)) from error
    if len(values) != 24 or min(values) < 0:
        raise typer.BadParameter(translate(locale, BAD_CURVE))
    return values


def _cell(value: float | int | str, kind: str) -> str:
    if isinstance(value, str):
        return value
    return f"{100 * value:.1f}%" if kind == "pct" else f"{value:g}"


def render_table(results: list[SimulationResult], locale: str) -> str:
    """The results as a plain-text table, one column per mode."""
    rows = [[translate(locale, MODE_LABEL)] + [r.mode for r in results]]
    for key, label, kind in METRICS:
        rows.append([translate(locale, label)] + [_cell(getattr(r, key), kind) for r in results])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )
        for row in rows
    )


def simulate_command(
    agents: Annotated[int, typer.Option(min=1, help="Agents logged in")] = 20,
    hours: Annotated[float, typer.Option(min=0.01, help="Simulated hours")] = 2.0,
    answer_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of calls a person answers")
    ] = 0.25,
    answer_curve: Annotated[
        str, typer.Option(help="24 hourly multipliers, comma-separated, or 'flat'")
    ] = DEFAULT_CURVE_TEXT,
    profile: Annotated[
        str,
        typer.Option(
            help="flat (answer rate x curve) or daily (8% morning, 30% lunch, 15%, 25% evening)"
        ),
    ] = "flat",
    curve_error: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Error of the hour curve the pacer knows")
    ] = 0.0,
    prior_live: Annotated[int, typer.Option(min=0, help="Live answers in the 30-day window")] = 0,
    prior_abandons: Annotated[int, typer.Option(min=0, help="Abandons in the 30-day window")] = 0,
    start_hour: Annotated[int, typer.Option(min=0, max=23, help="Local hour the shift starts")] = 9,
    machine_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of calls a machine answers")
    ] = 0.15,
    ring_median: Annotated[float, typer.Option(help="Median ring-to-answer time (s)")] = 12.0,
    ring_sigma: Annotated[float, typer.Option(help="Lognormal sigma of ring-to-answer")] = 0.4,
    ring_timeout: Annotated[float, typer.Option(help="Unanswered calls ring this long (s)")] = 25.0,
    talk_mean: Annotated[float, typer.Option(help="Mean talk time (s)")] = 180.0,
    talk_sd: Annotated[float, typer.Option(help="Talk time standard deviation (s)")] = 120.0,
    wrap_mean: Annotated[float, typer.Option(help="Mean wrap-up time (s)")] = 30.0,
    wrap_sd: Annotated[float, typer.Option(help="Wrap-up standard deviation (s)")] = 15.0,
    cps: Annotated[int, typer.Option(min=1, help="Calls per second limit")] = 30,
    max_lines: Annotated[int, typer.Option(min=1, help="Most calls dialing at once")] = 400,
    abandon_target: Annotated[float, typer.Option(help="Abandon cap, e.g. 0.03")] = 0.03,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same result")] = 1,
    mode: Annotated[DialingMode, typer.Option(help="Dialing mode")] = DialingMode.PREDICTIVE,
    compare_modes: Annotated[
        bool, typer.Option("--compare", help="Progressive and predictive on the same seed")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table")] = False,
    locale: Annotated[str | None, typer.Option(help="es_MX or en")] = None,
) -> None:
    """Simulate a shift with the real pacer and print occupancy, talk minutes and abandons."""
    language = locale or get_settings().default_locale
    if answer_rate + machine_rate > 1.0:
        raise typer.BadParameter(translate(language, RATES_TOO_HIGH))
    if profile not in PROFILES:
        raise typer.BadParameter(translate(language, UNKNOWN_PROFILE, names=", ".join(PROFILES)))
    config = SimulationConfig(
        agents=agents,
        hours=hours,
        answer_rate=answer_rate,
        answer_curve=_curve(answer_curve, language),
        answer_profile=PROFILES[profile],
        curve_error=curve_error,
        prior_live_answers=prior_live,
        prior_abandons=min(prior_abandons, prior_live),
        start_hour=start_hour,
        machine_rate=machine_rate,
        ring_median_s=ring_median,
        ring_sigma=ring_sigma,
        ring_timeout_s=ring_timeout,
        talk_mean_s=talk_mean,
        talk_sd_s=talk_sd,
        wrap_mean_s=wrap_mean,
        wrap_sd_s=wrap_sd,
        cps=cps,
        max_lines=max_lines,
        abandon_target=abandon_target,
        seed=seed,
    )
    results = compare(config) if compare_modes else [simulate(config, mode)]
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        typer.echo(render_table(results, language))


def register(app: typer.Typer) -> None:
    """Attach `acuerdo simulate` to the main app."""
    app.command("simulate")(simulate_command)
