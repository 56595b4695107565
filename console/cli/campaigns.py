"""Campaign commands for managers: create from a file, list, start, pause, finish and preview.

The domain (SQLAlchemy, the scheduler, YAML) is imported inside the commands, so listing or
asking for help costs nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import DEFAULT_LOCALE, _, translate

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from campaigns.campaign_defs import CampaignOut, PreviewOut
    from campaigns.models import Campaign

campaigns_app = typer.Typer(
    help="Contact strategies over a creditor's portfolio (see docs/campaigns.md).",
    no_args_is_help=True,
)

By = Annotated[
    str | None, typer.Option("--by", help="Username recorded as having done it (default: cli)")
]
Ref = Annotated[str, typer.Argument(help="Campaign id or name")]


def rule_label(locale: str, rule: str) -> str:
    """A rule id as a manager reads it."""
    from campaigns.scheduler.rules_explained import rule_name

    return rule_name(rule, locale)


T = TypeVar("T")


def _run(action: Callable[[Session], T]) -> T:
    from campaigns.db import session_scope

    try:
        with session_scope() as session:
            return action(session)
    except AcuerdoError as error:
        typer.echo(error.render(DEFAULT_LOCALE), err=True)
        raise typer.Exit(1) from error


def _actor(session: Session, username: str | None) -> tuple[int | None, str]:
    from sqlalchemy import select

    from campaigns.models import User

    if username is None:
        return None, "cli"
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise Invalid(_("No user named {username}."), username=username)
    return user.id, user.username


def read_file(path: Path) -> Any:
    """A campaign file's content: JSON when it ends in .json, else YAML (a superset of JSON)."""
    import yaml

    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise Invalid(
            _("{path} is not valid JSON or YAML: {error}"), path=str(path), error=str(error)
        ) from error


def _line(locale: str, out: CampaignOut) -> str:
    return translate(
        locale,
        _("#{id} {name} ({client}): {status}, priority {priority}, {steps} steps"),
        id=out.id,
        name=out.name,
        client=out.client,
        status=out.status,
        priority=out.priority,
        steps=len(out.steps),
    )


@campaigns_app.command("create")
def create(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="JSON or YAML file")
    ],
    by: By = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the campaign as JSON")] = False,
) -> None:
    """Create a draft campaign from a JSON or YAML definition (checked before it is stored)."""
    from campaigns.campaign_defs import campaign_out, create_campaign, parse_definition

    def action(session: Session) -> CampaignOut:
        definition = parse_definition(read_file(file))
        by_id, label = _actor(session, by)
        campaign = create_campaign(
            session, definition=definition, by_id=by_id, by_label=label, now=datetime.now(UTC)
        )
        return campaign_out(session, campaign)

    out = _run(action)
    if json_output:
        typer.echo(out.model_dump_json())
    else:
        typer.echo(
            translate(DEFAULT_LOCALE, _("Created draft campaign:"))
            + " "
            + _line(DEFAULT_LOCALE, out)
        )


@campaigns_app.command("list")
def list_command(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """List campaigns, highest priority first."""
    from campaigns.campaign_defs import campaign_out, list_campaigns

    outs = _run(lambda s: [campaign_out(s, c) for c in list_campaigns(s)])
    if json_output:
        typer.echo(json.dumps([o.model_dump(mode="json") for o in outs]))
        return
    if not outs:
        typer.echo(translate(DEFAULT_LOCALE, _("No campaigns yet.")))
    for out in outs:
        typer.echo(_line(DEFAULT_LOCALE, out))


def _lifecycle(change: Callable[..., Campaign], ref: str, by: str | None) -> None:
    from campaigns.campaign_defs import campaign_out, find_campaign

    def action(session: Session) -> CampaignOut:
        campaign = find_campaign(session, ref=ref)
        by_id, label = _actor(session, by)
        changed = change(
            session, campaign_id=campaign.id, by_id=by_id, by_label=label, now=datetime.now(UTC)
        )
        return campaign_out(session, changed)

    typer.echo(_line(DEFAULT_LOCALE, _run(action)))


@campaigns_app.command("start")
def start(campaign: Ref, by: By = None) -> None:
    """Activate a draft or paused campaign: the scheduler works it from its next tick."""
    from campaigns.campaign_defs import start_campaign

    _lifecycle(start_campaign, campaign, by)


@campaigns_app.command("pause")
def pause(campaign: Ref, by: By = None) -> None:
    """Pause an active campaign: no new attempts; attempts in flight finish."""
    from campaigns.campaign_defs import pause_campaign

    _lifecycle(pause_campaign, campaign, by)


@campaigns_app.command("finish")
def finish(campaign: Ref, by: By = None) -> None:
    """Finish a campaign for good."""
    from campaigns.campaign_defs import finish_campaign

    _lifecycle(finish_campaign, campaign, by)


@campaigns_app.command("preview")
def preview(
    campaign: Ref,
    at: Annotated[
        str | None,
        typer.Option("--at", help="ISO date-time to preview at (default: now; naive means UTC)"),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the preview as JSON")] = False,
    limit: Annotated[int, typer.Option(help="Accounts listed per section")] = 20,
) -> None:
    """Who the campaign would contact at a moment, and the rule that excludes everyone else."""
    from campaigns.campaign_defs import find_campaign
    from campaigns.scheduler import preview_campaign

    moment = datetime.now(UTC)
    if at is not None:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError as error:
            typer.echo(
                translate(
                    DEFAULT_LOCALE,
                    _("--at must be an ISO date-time such as 2026-11-25T11:00:00-06:00."),
                ),
                err=True,
            )
            raise typer.Exit(2) from error
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)

    def action(session: Session) -> PreviewOut:
        found = find_campaign(session, ref=campaign)
        return preview_campaign(session, campaign_id=found.id, at=moment, limit=limit)

    out = _run(action)
    if json_output:
        typer.echo(out.model_dump_json())
        return
    typer.echo(human_preview(out, DEFAULT_LOCALE))


def human_preview(out: PreviewOut, locale: str) -> str:
    """The preview as a manager reads it: totals, counts per rule, the first accounts."""
    lines = [
        translate(
            locale,
            _(
                "{campaign} at {at}: {matched} accounts match the filter, {eligible} would be "
                "contacted."
            ),
            campaign=out.campaign,
            at=out.at.isoformat(),
            matched=out.matched,
            eligible=out.eligible,
        )
    ]
    for rule, count in out.excluded.items():
        lines.append(f"  {count:>7}  {rule_label(locale, rule)} [{rule}]")
    if out.contacted:
        lines.append(translate(locale, _("Would be contacted:")))
        lines.extend(
            f"  {a.account_ref}  {a.debtor}  {a.days_overdue}d  {a.balance}  "
            f"step {a.step} {a.channel}"
            for a in out.contacted
        )
    if out.skipped:
        lines.append(translate(locale, _("Skipped:")))
        lines.extend(f"  {a.account_ref}  {a.debtor}  {a.rule}" for a in out.skipped)
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Attach the campaigns commands to the main app."""
    app.add_typer(campaigns_app, name="campaigns")
