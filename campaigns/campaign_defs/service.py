"""Campaign definitions: validate on save, store, and move through the lifecycle."""

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns import whatsapp_policy
from campaigns.audit import record
from campaigns.campaign_defs.schemas import CampaignIn, CampaignOut, default_retry_rules
from campaigns.clients import get_client_by_name
from campaigns.compliance import (
    MAX_DAYS_OVERDUE,
    MIN_DAYS_OVERDUE,
    TemplateRejected,
    check_text,
    effective_profile,
    validate_template,
)
from campaigns.compliance.templates import raise_for_findings
from campaigns.errors import Conflict, Invalid, NotFound
from campaigns.i18n import _, translate
from campaigns.models import (
    AccountStatus,
    Campaign,
    CampaignAgent,
    CampaignStatus,
    Client,
    Role,
    User,
    UserClientAccess,
)

SELECTABLE_STATUSES = (
    AccountStatus.ACTIVE,
    AccountStatus.PROMISED,
    AccountStatus.PLAN,
    AccountStatus.DISPUTED,
)
AGING_BUCKETS: dict[str, tuple[int, int]] = {"1-30": (1, 30), "31-60": (31, 60), "61-90": (61, 90)}
EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.PAUSED)
_PHONE = re.compile(r"^\+[1-9]\d{7,14}$")


class CampaignNotFound(NotFound):
    """No campaign with that id or name (or not one the reader may see)."""


class CampaignInvalid(Invalid):
    """A campaign definition that breaks a rule; the message names the field."""


class CampaignStateConflict(Conflict):
    """A lifecycle change the campaign's current status does not allow."""


def parse_definition(data: Any) -> CampaignIn:
    """A campaign file's content as a definition, or a 422 listing what is wrong with it."""
    try:
        return CampaignIn.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['msg']}" for e in error.errors()
        )
        raise CampaignInvalid(
            _("The campaign definition is not valid: {problems}"), problems=problems
        ) from error


def validate_definition(client: Client, definition: CampaignIn) -> None:
    """Refuse (422, naming the field) a definition that breaks a rule of campaigns or compliance."""
    _validate_filter(definition)
    _validate_steps(client, definition)
    phrases = effective_profile(client).extra_phrases
    for name, source in definition.templates.items():
        _validate_text(source, phrases, f"templates.{name}")
    step_ids = {step.id for step in definition.script.steps}
    if len(step_ids) != len(definition.script.steps):
        raise CampaignInvalid(_("Script step ids must be unique."))
    if definition.script.start is not None and definition.script.start not in step_ids:
        raise CampaignInvalid(
            _("The script starts at {step}, which is not one of its steps."),
            step=definition.script.start,
        )
    for step in definition.script.steps:
        _validate_text(step.text, phrases, f"script.{step.id}")
        for branch in step.branches:
            findings = check_text(branch.label, extra_phrases=phrases)
            if findings:
                try:
                    raise_for_findings(findings)
                except TemplateRejected as error:
                    raise TextRefused(f"script.{step.id}", error) from error
            if branch.next not in step_ids:
                raise CampaignInvalid(
                    _("Script step {step} branches to {next}, which is not one of its steps."),
                    step=step.id,
                    next=branch.next,
                )
    if definition.caller_id is not None and not _PHONE.match(definition.caller_id):
        raise CampaignInvalid(
            _("The caller ID {number} is not an E.164 number such as +525550000100."),
            number=definition.caller_id,
        )


class TextRefused(CampaignInvalid):
    """A template or script step refused by the compliance check, named with where it is."""

    def __init__(self, where: str, inner: TemplateRejected) -> None:
        super().__init__(_("{where} is refused: {reason}"), where=where, reason=str(inner))
        self.inner = inner
        self.findings = inner.findings

    def render(self, locale: str) -> str:
        """The message in the reader's language, the inner reason translated too."""
        return translate(
            locale, self.message, where=self.params["where"], reason=self.inner.render(locale)
        )


def _validate_text(source: str, phrases: tuple[str, ...], where: str) -> None:
    try:
        validate_template(source, extra_phrases=phrases)
    except TemplateRejected as error:
        raise TextRefused(where, error) from error


def _validate_filter(definition: CampaignIn) -> None:
    rules = definition.filter
    for field, value in (
        ("filter.min_days_overdue", rules.min_days_overdue),
        ("filter.max_days_overdue", rules.max_days_overdue),
    ):
        if not MIN_DAYS_OVERDUE <= value <= MAX_DAYS_OVERDUE:
            raise CampaignInvalid(
                _(
                    "{field} is {value}, but only accounts {low}-{high} days overdue can be "
                    "contacted; accounts past {high} days are escalated."
                ),
                field=field,
                value=value,
                low=MIN_DAYS_OVERDUE,
                high=MAX_DAYS_OVERDUE,
            )
    if rules.min_days_overdue > rules.max_days_overdue:
        raise CampaignInvalid(
            _("filter.min_days_overdue ({low}) is above filter.max_days_overdue ({high})."),
            low=rules.min_days_overdue,
            high=rules.max_days_overdue,
        )
    for bound in (rules.min_balance, rules.max_balance):
        if bound is not None and bound < 0:
            raise CampaignInvalid(_("Balance bounds cannot be negative."))
    if (
        rules.min_balance is not None
        and rules.max_balance is not None
        and rules.min_balance > rules.max_balance
    ):
        raise CampaignInvalid(_("filter.min_balance is above filter.max_balance."))
    for bucket in rules.aging_buckets:
        if bucket not in AGING_BUCKETS:
            raise CampaignInvalid(
                _("Unknown aging bucket {bucket}; use {known}."),
                bucket=bucket,
                known=", ".join(AGING_BUCKETS),
            )
    if not rules.statuses:
        raise CampaignInvalid(_("filter.statuses needs at least one account status."))
    for status in rules.statuses:
        if status not in SELECTABLE_STATUSES:
            raise CampaignInvalid(
                _("Accounts with status {status} are never contacted; choose among {known}."),
                status=status,
                known=", ".join(SELECTABLE_STATUSES),
            )


def _validate_steps(client: Client, definition: CampaignIn) -> None:
    steps = definition.steps
    if steps[0].day != 0:
        raise CampaignInvalid(_("The first step must be on day 0."))
    for index, (before, after) in enumerate(zip(steps, steps[1:], strict=False), start=1):
        if after.day < before.day:
            raise CampaignInvalid(
                _("Step {index} is on day {day}, before the step that precedes it."),
                index=index,
                day=after.day,
            )
    for index, step in enumerate(steps):
        if step.channel == "sms" and step.template not in definition.templates:
            raise CampaignInvalid(
                _("SMS step {index} needs a template named in templates (it names {name})."),
                index=index,
                name=step.template or "-",
            )
        if step.channel == "whatsapp":
            whatsapp_policy.template_sid(client, step.template)


def _apply(campaign: Campaign, definition: CampaignIn) -> None:
    rules = default_retry_rules() | definition.retry_rules
    campaign.name = definition.name
    campaign.priority = definition.priority
    campaign.dialing_mode = definition.dialing_mode
    campaign.caller_id = definition.caller_id
    campaign.max_lines = definition.max_lines
    campaign.account_filter = definition.filter.model_dump(mode="json")
    campaign.steps = [step.model_dump(mode="json") for step in definition.steps]
    campaign.retry_rules = {key: rule.model_dump(mode="json") for key, rule in rules.items()}
    campaign.script = definition.script.model_dump(mode="json")
    campaign.templates = dict(definition.templates)


def _assign_agents(session: Session, campaign: Campaign, usernames: list[str] | None) -> None:
    """Make exactly these agents work the campaign (and the creditor); None changes nothing."""
    if usernames is None:
        return
    agents = session.scalars(select(User).where(User.username.in_(usernames))).all()
    found = {a.username: a for a in agents if a.role == Role.AGENT}
    missing = sorted(set(usernames) - set(found))
    if missing:
        raise CampaignInvalid(_("These are not agents: {names}."), names=", ".join(missing))
    session.execute(delete(CampaignAgent).where(CampaignAgent.campaign_id == campaign.id))
    granted = set(
        session.scalars(
            select(UserClientAccess.user_id).where(UserClientAccess.client_id == campaign.client_id)
        )
    )
    for agent in found.values():
        session.add(CampaignAgent(campaign_id=campaign.id, user_id=agent.id))
        if agent.id not in granted:
            session.add(UserClientAccess(user_id=agent.id, client_id=campaign.client_id))
    session.flush()


def _flush_unique(session: Session, campaign: Campaign) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise Conflict(
            _("A campaign named {name} already exists for this creditor."), name=campaign.name
        ) from error


def create_campaign(
    session: Session, *, definition: CampaignIn, by_id: int | None, by_label: str
) -> Campaign:
    """Store a new campaign as a draft after checking every rule."""
    client = get_client_by_name(session, definition.client)
    validate_definition(client, definition)
    campaign = Campaign(client_id=client.id, status=CampaignStatus.DRAFT, created_by_id=by_id)
    _apply(campaign, definition)
    session.add(campaign)
    _flush_unique(session, campaign)
    _assign_agents(session, campaign, definition.agents)
    record(
        session,
        action="campaign.created",
        entity=campaign,
        actor_id=by_id,
        actor_label=by_label,
        data={"name": campaign.name},
    )
    return campaign


def update_campaign(
    session: Session,
    *,
    campaign_id: int,
    definition: CampaignIn,
    by_id: int | None,
    by_label: str,
) -> Campaign:
    """Replace the definition of a draft or paused campaign."""
    campaign = get_campaign(session, campaign_id=campaign_id)
    if campaign.status not in EDITABLE:
        raise CampaignStateConflict(
            _("Campaign {name} is {status}; only draft or paused campaigns can be edited."),
            name=campaign.name,
            status=campaign.status,
        )
    client = session.get_one(Client, campaign.client_id)
    if definition.client != client.name:
        raise CampaignInvalid(_("A campaign cannot move to another creditor."))
    validate_definition(client, definition)
    _apply(campaign, definition)
    _flush_unique(session, campaign)
    _assign_agents(session, campaign, definition.agents)
    record(
        session,
        action="campaign.updated",
        entity=campaign,
        actor_id=by_id,
        actor_label=by_label,
        data={"name": campaign.name},
    )
    return campaign


def get_campaign(session: Session, *, campaign_id: int) -> Campaign:
    """The campaign with this id, if the session may see it."""
    campaign = session.scalar(select(Campaign).where(Campaign.id == campaign_id))
    if campaign is None:
        raise CampaignNotFound(_("No campaign with id {id}."), id=campaign_id)
    return campaign


def find_campaign(session: Session, *, ref: str) -> Campaign:
    """A campaign by id or by name (the CLI's CAMPAIGN argument)."""
    if ref.isdigit():
        return get_campaign(session, campaign_id=int(ref))
    found = session.scalars(select(Campaign).where(Campaign.name == ref)).all()
    if len(found) != 1:
        raise CampaignNotFound(
            _("No single campaign named {name}; use its id (see `acuerdo campaigns list`)."),
            name=ref,
        )
    return found[0]


def list_campaigns(session: Session, *, status: CampaignStatus | None = None) -> Sequence[Campaign]:
    """The campaigns the session may see, highest priority first."""
    query = select(Campaign).order_by(Campaign.priority.desc(), Campaign.id)
    if status is not None:
        query = query.where(Campaign.status == status)
    return session.scalars(query).all()


def _transition(
    session: Session,
    *,
    campaign_id: int,
    allowed: tuple[CampaignStatus, ...],
    to: CampaignStatus,
    by_id: int | None,
    by_label: str,
    now: datetime,
) -> Campaign:
    campaign = get_campaign(session, campaign_id=campaign_id)
    if campaign.status not in allowed:
        raise CampaignStateConflict(
            _("Campaign {name} is {status}; it cannot become {target}."),
            name=campaign.name,
            status=campaign.status,
            target=to,
        )
    before = campaign.status
    campaign.status = to
    if to == CampaignStatus.ACTIVE:
        campaign.started_at, campaign.started_by_id = now, by_id
    elif to == CampaignStatus.PAUSED:
        campaign.paused_at, campaign.paused_by_id = now, by_id
    else:
        campaign.finished_at, campaign.finished_by_id = now, by_id
    session.flush()
    record(
        session,
        action=f"campaign.{to}",
        entity=campaign,
        actor_id=by_id,
        actor_label=by_label,
        data={"from": str(before), "at": now.isoformat()},
    )
    return campaign


def start_campaign(
    session: Session, *, campaign_id: int, by_id: int | None, by_label: str, now: datetime
) -> Campaign:
    """Activate a draft or paused campaign: the scheduler starts working it at its next tick."""
    campaign = get_campaign(session, campaign_id=campaign_id)
    client = session.get_one(Client, campaign.client_id)
    validate_definition(client, to_definition(campaign, client))
    return _transition(
        session,
        campaign_id=campaign_id,
        allowed=(CampaignStatus.DRAFT, CampaignStatus.PAUSED),
        to=CampaignStatus.ACTIVE,
        by_id=by_id,
        by_label=by_label,
        now=now,
    )


def pause_campaign(
    session: Session, *, campaign_id: int, by_id: int | None, by_label: str, now: datetime
) -> Campaign:
    """Stop creating attempts for an active campaign (attempts in flight finish)."""
    return _transition(
        session,
        campaign_id=campaign_id,
        allowed=(CampaignStatus.ACTIVE,),
        to=CampaignStatus.PAUSED,
        by_id=by_id,
        by_label=by_label,
        now=now,
    )


def finish_campaign(
    session: Session, *, campaign_id: int, by_id: int | None, by_label: str, now: datetime
) -> Campaign:
    """End a campaign for good."""
    return _transition(
        session,
        campaign_id=campaign_id,
        allowed=(CampaignStatus.DRAFT, CampaignStatus.ACTIVE, CampaignStatus.PAUSED),
        to=CampaignStatus.FINISHED,
        by_id=by_id,
        by_label=by_label,
        now=now,
    )


def to_definition(campaign: Campaign, client: Client) -> CampaignIn:
    """The stored campaign as the definition it was made from."""
    return CampaignIn.model_validate(
        {
            "name": campaign.name,
            "client": client.name,
            "priority": campaign.priority,
            "dialing_mode": campaign.dialing_mode,
            "caller_id": campaign.caller_id,
            "max_lines": campaign.max_lines,
            "filter": campaign.account_filter,
            "steps": campaign.steps,
            "retry_rules": campaign.retry_rules,
            "script": campaign.script,
            "templates": campaign.templates,
        }
    )


def campaign_out(session: Session, campaign: Campaign) -> CampaignOut:
    """The campaign as the API and the CLI show it."""
    client = session.get_one(Client, campaign.client_id)
    return CampaignOut(
        id=campaign.id,
        name=campaign.name,
        client_id=campaign.client_id,
        client=client.name,
        status=campaign.status,
        priority=campaign.priority,
        dialing_mode=campaign.dialing_mode,
        caller_id=campaign.caller_id,
        max_lines=campaign.max_lines,
        filter=campaign.account_filter,
        steps=campaign.steps,
        retry_rules=campaign.retry_rules,
        script=campaign.script,
        templates=campaign.templates,
        created_at=campaign.created_at,
        created_by_id=campaign.created_by_id,
        started_at=campaign.started_at,
        started_by_id=campaign.started_by_id,
        paused_at=campaign.paused_at,
        paused_by_id=campaign.paused_by_id,
        finished_at=campaign.finished_at,
        finished_by_id=campaign.finished_by_id,
    )
