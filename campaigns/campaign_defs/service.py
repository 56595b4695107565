"""Campaign definitions: store (validated on save), find, list and show."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.audit import record
from campaigns.campaign_defs.errors import (
    CampaignInvalid,
    CampaignNotFound,
    CampaignStateConflict,
)
from campaigns.campaign_defs.recycling import resolve as resolve_recycling
from campaigns.campaign_defs.schemas import CampaignIn, CampaignOut, default_retry_rules
from campaigns.campaign_defs.validation import validate_definition
from campaigns.clients import get_client_by_name
from campaigns.errors import Conflict
from campaigns.i18n import _
from campaigns.models import (
    AuditEvent,
    Campaign,
    CampaignAgent,
    CampaignStatus,
    Client,
    Role,
    User,
    UserClientAccess,
)

EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.PAUSED)


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
    campaign.recycling = resolve_recycling(definition.recycling, campaign.steps)
    campaign.script = definition.script.model_dump(mode="json")
    campaign.templates = dict(definition.templates)
    campaign.wrap_up_seconds = definition.wrap_up_seconds
    campaign.wrap_up_max_seconds = definition.wrap_up_max_seconds
    campaign.wrap_up_default_disposition = definition.wrap_up_default_disposition
    campaign.record_calls = definition.record_calls


def _grant(session: Session, users: list[User], client_id: int) -> None:
    granted = set(
        session.scalars(
            select(UserClientAccess.user_id).where(UserClientAccess.client_id == client_id)
        )
    )
    for user in users:
        if user.id not in granted:
            session.add(UserClientAccess(user_id=user.id, client_id=client_id))


def _staff(session: Session, usernames: list[str], role: Role, message: str) -> list[User]:
    users = session.scalars(select(User).where(User.username.in_(usernames))).all()
    found = {u.username: u for u in users if u.role == role and u.is_active}
    missing = sorted(set(usernames) - set(found))
    if missing:
        raise CampaignInvalid(message, names=", ".join(missing), field=f"{role}s")
    return list(found.values())


def _assign_agents(session: Session, campaign: Campaign, usernames: list[str] | None) -> None:
    """Make exactly these agents work the campaign (and the creditor); None changes nothing."""
    if usernames is None:
        return
    agents = _staff(session, usernames, Role.AGENT, _("These are not agents: {names}."))
    session.execute(delete(CampaignAgent).where(CampaignAgent.campaign_id == campaign.id))
    for agent in agents:
        session.add(CampaignAgent(campaign_id=campaign.id, user_id=agent.id))
    _grant(session, agents, campaign.client_id)
    session.flush()


def _assign_supervisors(session: Session, campaign: Campaign, usernames: list[str] | None) -> None:
    """Give these supervisors the creditor, so the campaign is on their wallboard."""
    if not usernames:
        return
    supervisors = _staff(
        session, usernames, Role.SUPERVISOR, _("These are not active supervisors: {names}.")
    )
    _grant(session, supervisors, campaign.client_id)
    session.flush()


def campaign_agents(session: Session, *, campaign_id: int) -> list[str]:
    """The usernames of the agents who work a campaign."""
    return list(
        session.scalars(
            select(User.username)
            .join(CampaignAgent, CampaignAgent.user_id == User.id)
            .where(CampaignAgent.campaign_id == campaign_id)
            .order_by(User.username)
        )
    )


def _flush_unique(session: Session, campaign: Campaign) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise Conflict(
            _("A campaign named {name} already exists for this creditor."), name=campaign.name
        ) from error


def create_campaign(
    session: Session, *, definition: CampaignIn, by_id: int | None, by_label: str, now: datetime
) -> Campaign:
    """Store a new campaign as a draft after checking every rule."""
    client = get_client_by_name(session, definition.client)
    validate_definition(client, definition)
    campaign = Campaign(
        client_id=client.id, status=CampaignStatus.DRAFT, created_by_id=by_id, created_at=now
    )
    _apply(campaign, definition)
    session.add(campaign)
    _flush_unique(session, campaign)
    _assign_agents(session, campaign, definition.agents)
    _assign_supervisors(session, campaign, definition.supervisors)
    record(
        session,
        action="campaign.created",
        entity=campaign,
        actor_id=by_id,
        actor_label=by_label,
        at=now,
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
    now: datetime,
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
    _assign_supervisors(session, campaign, definition.supervisors)
    record(
        session,
        action="campaign.updated",
        entity=campaign,
        actor_id=by_id,
        actor_label=by_label,
        at=now,
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


def to_definition(campaign: Campaign, client: Client, session: Session | None = None) -> CampaignIn:
    """The stored campaign as the definition it was made from (with its agents when a session
    is given)."""
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
            "recycling": campaign.recycling,
            "script": campaign.script,
            "templates": campaign.templates,
            "wrap_up_seconds": campaign.wrap_up_seconds,
            "wrap_up_max_seconds": campaign.wrap_up_max_seconds,
            "wrap_up_default_disposition": campaign.wrap_up_default_disposition,
            "record_calls": campaign.record_calls,
            "agents": campaign_agents(session, campaign_id=campaign.id)
            if session is not None
            else None,
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
        recycling=campaign.recycling,
        script=campaign.script,
        templates=campaign.templates,
        wrap_up_seconds=campaign.wrap_up_seconds,
        wrap_up_max_seconds=campaign.wrap_up_max_seconds,
        wrap_up_default_disposition=campaign.wrap_up_default_disposition,
        record_calls=campaign.record_calls,
        created_at=campaign.created_at,
        created_by_id=campaign.created_by_id,
        started_at=campaign.started_at,
        started_by_id=campaign.started_by_id,
        paused_at=campaign.paused_at,
        paused_by_id=campaign.paused_by_id,
        finished_at=campaign.finished_at,
        finished_by_id=campaign.finished_by_id,
    )


def duplicate_campaign(
    session: Session, *, campaign_id: int, by_id: int | None, by_label: str, now: datetime
) -> Campaign:
    """A draft copy of a campaign (definition and agents) under the first free name "Name (2)"."""
    original = get_campaign(session, campaign_id=campaign_id)
    client = session.get_one(Client, original.client_id)
    taken = set(session.scalars(select(Campaign.name).where(Campaign.client_id == client.id)))
    number = 2
    while (name := f"{original.name[:110]} ({number})") in taken:
        number += 1
    definition = to_definition(original, client, session).model_copy(update={"name": name})
    copy = create_campaign(session, definition=definition, by_id=by_id, by_label=by_label, now=now)
    record(
        session,
        action="campaign.duplicated",
        entity=copy,
        actor_id=by_id,
        actor_label=by_label,
        at=now,
        data={"from_id": original.id, "from": original.name},
    )
    return copy


def campaign_history(session: Session, *, campaign_id: int) -> list[AuditEvent]:
    """Who created, changed, started, paused, finished or copied a campaign, and when."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == Campaign.__tablename__)
            .where(AuditEvent.entity_id == campaign_id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        )
    )
