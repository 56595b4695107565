"""What the web campaign builder needs besides the definition: the creditor's choices (products,
regions, staff, numbers), a live count of the accounts a filter matches, and a template or
script text checked and rendered for a sample account as the manager types."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jinja2 import TemplateError
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from campaigns.campaign_defs import AccountFilter
from campaigns.campaign_defs.validation import forbidden_phrases_of
from campaigns.compliance import SAMPLE_FIELDS, TemplateRejected, check_text, validate_template
from campaigns.compliance.templates import render_template
from campaigns.errors import AcuerdoError
from campaigns.models import Account, Client, Debtor, Role, User, UserClientAccess
from campaigns.scheduler.eligibility.matching import filter_conditions
from campaigns.scheduler.eligibility.zones import ZoneCache, zone_facts
from campaigns.scheduler.messages import account_fields
from campaigns.sms_segments import SmsLength, sms_length
from campaigns.users import list_users


@dataclass(frozen=True)
class StaffMember:
    """Someone who can be put on a campaign; `works_creditor` when they already have it."""

    username: str
    full_name: str
    works_creditor: bool


@dataclass(frozen=True)
class BuilderChoices:
    """The values the builder offers for one creditor."""

    products: list[str]
    regions: list[str]
    agents: list[StaffMember]
    supervisors: list[StaffMember]
    numbers: list[str]
    whatsapp_templates: list[str]


def builder_choices(session: Session, *, client: Client) -> BuilderChoices:
    """The creditor's real products, regions, staff and phone numbers."""
    products = session.scalars(
        select(Account.product)
        .where(Account.client_id == client.id, Account.product.is_not(None))
        .distinct()
        .order_by(Account.product)
    ).all()
    regions = session.scalars(
        select(Debtor.region)
        .where(Debtor.client_id == client.id, Debtor.region.is_not(None))
        .distinct()
        .order_by(Debtor.region)
    ).all()
    working = set(
        session.scalars(
            select(UserClientAccess.user_id).where(UserClientAccess.client_id == client.id)
        )
    )
    # The staff of the manager's creditors, and staff not tied to any creditor yet (a new
    # agent is picked up by the first campaign that assigns them).
    unassigned = session.scalars(
        select(User).where(
            User.role.in_([Role.AGENT, Role.SUPERVISOR]),
            ~select(UserClientAccess.id).where(UserClientAccess.user_id == User.id).exists(),
        )
    ).all()
    staff = [u for u in dict.fromkeys([*list_users(session), *unassigned]) if u.is_active]

    def members(role: Role) -> list[StaffMember]:
        found = [
            StaffMember(u.username, u.full_name, u.id in working) for u in staff if u.role == role
        ]
        return sorted(found, key=lambda m: (not m.works_creditor, m.full_name.casefold()))

    numbers = [n for n in dict.fromkeys((client.caller_id, client.callback_number)) if n]
    return BuilderChoices(
        products=[p for p in products if p],
        regions=[r for r in regions if r],
        agents=members(Role.AGENT),
        supervisors=members(Role.SUPERVISOR),
        numbers=numbers,
        whatsapp_templates=sorted(client.whatsapp_templates or {}),
    )


def _conditions(
    session: Session, client: Client, account_filter: dict[str, Any], now: datetime
) -> list[ColumnElement[bool]] | None:
    """The filter as conditions over Account joined to Debtor (None: not valid yet)."""
    try:
        rules = AccountFilter.model_validate(account_filter).model_dump(mode="json")
    except ValidationError:
        return None
    facts = zone_facts(ZoneCache().pairs(session, client), now)
    return filter_conditions(client.id, rules, facts)


def count_matching(
    session: Session, *, client: Client, account_filter: dict[str, Any], now: datetime
) -> int | None:
    """How many of the creditor's accounts a filter matches at `now` (None: the filter is not
    valid yet, e.g. a range typed halfway)."""
    conditions = _conditions(session, client, account_filter, now)
    if conditions is None:
        return None
    query = (
        select(func.count(Account.id))
        .join(Debtor, Debtor.id == Account.debtor_id)
        .where(*conditions)
    )
    return int(session.scalar(query) or 0)


def sample_fields(
    session: Session, *, client: Client, now: datetime, account_filter: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The template fields of the first account the filter matches, else the creditor's first
    account, else the documented sample."""
    first = select(Account).where(Account.client_id == client.id).order_by(Account.id).limit(1)
    conditions = _conditions(session, client, account_filter, now) if account_filter else None
    matching = (
        first.join(Debtor, Debtor.id == Account.debtor_id).where(*conditions)
        if conditions
        else None
    )
    account = (session.scalar(matching) if matching is not None else None) or session.scalar(first)
    if account is None:
        return dict(SAMPLE_FIELDS, creditor=client.name)
    debtor = session.get_one(Debtor, account.debtor_id)
    fields = account_fields(account, debtor, client, now.date(), now=now)
    return {**SAMPLE_FIELDS, **fields}


@dataclass(frozen=True)
class TextCheck:
    """A text as the debtor would read it, what the courtesy check says, and its SMS length."""

    rendered: str
    problem: TemplateRejected | None
    length: SmsLength
    findings: list[str] = field(default_factory=list)


def check_live_text(
    session: Session,
    *,
    client: Client,
    source: str,
    now: datetime,
    account_filter: dict[str, Any] | None = None,
) -> TextCheck:
    """Render a template or script text for a sample account (one the filter matches, when it
    matches any) and run the save-time check on it."""
    fields = sample_fields(session, client=client, now=now, account_filter=account_filter)
    phrases = forbidden_phrases_of(client)
    problem: TemplateRejected | None = None
    rendered = ""
    try:
        validate_template(source, sample_fields=fields, extra_phrases=phrases)
    except TemplateRejected as error:
        problem = error
    try:
        rendered = render_template(source, fields)
    except (TemplateError, AcuerdoError, ArithmeticError, TypeError, ValueError):
        rendered = ""  # a half-typed template: the check above says why
    findings = [f.found for f in check_text(rendered or source, extra_phrases=phrases)]
    return TextCheck(rendered, problem, sms_length(rendered or source), findings)
