"""The screen pop: what an agent sees when a call is bridged or previewed."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements import (
    NegotiationOptions,
    Policy,
    load_script,
    negotiation_options,
    render_step,
    script_fields,
)
from campaigns.agreements.messages import money
from campaigns.agreements.script_choice import script_for_product
from campaigns.compliance import render_template
from campaigns.db import read_scope, session_scope
from campaigns.debtor_zones import debtor_zones, local_times
from campaigns.models import (
    Account,
    Attempt,
    Callback,
    CallbackStatus,
    Campaign,
    ChannelPermission,
    Client,
    ContactKind,
    ContactPoint,
    Debtor,
    Disposition,
    User,
    utcnow,
)
from campaigns.timeline import account_timeline

AGENT_DISPOSITIONS = [d.value for d in Disposition if d != Disposition.UNRECORDED]


def mask_name(name: str) -> str:
    """First name in full (to ask for the person), the rest as initials."""
    first, *rest = name.split()
    return " ".join([first, *(f"{part[0]}." for part in rest)])


def mask_tail(value: str | None, keep: int = 3) -> str | None:
    """All but the last characters hidden."""
    if not value:
        return value
    return "•" * max(0, len(value) - keep) + value[-keep:]


def spoken_number(point: ContactPoint) -> str:
    """A phone number grouped as people read it out (+52 55 1234 5678); anything else as stored."""
    if point.kind != ContactKind.PHONE:
        return point.value
    try:
        parsed = phonenumbers.parse(point.value)
    except phonenumbers.NumberParseException:
        return point.value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def client_today(client: Client, now: datetime) -> date:
    """The date where the creditor is at `now`."""
    return now.astimezone(ZoneInfo(client.timezone)).date()


def options_view(options: NegotiationOptions, locale: str) -> dict[str, Any]:
    """The negotiation options with amounts as numbers and as the creditor writes them."""

    def amount(value: Any) -> dict[str, str]:
        return {"value": str(value), "text": money(value, options.currency, locale)}

    return {
        "balance": amount(options.balance),
        "discount_pct": format(options.discount_pct.normalize(), "f"),
        "discount_amount": amount(options.discount_amount),
        "discounted_balance": amount(options.discounted_balance),
        "today": options.today.isoformat(),
        "latest_date": options.latest_date.isoformat(),
        "min_down_payment": amount(options.min_down_payment),
        "max_installments": options.max_installments,
        "plans": [
            {
                "installments": plan.installments,
                "down_payment": amount(plan.down_payment),
                "installment_amount": amount(plan.installment_amount),
                "schedule": [
                    {"number": p.number, "due_date": p.due_date.isoformat(), **amount(p.amount)}
                    for p in plan.schedule
                ],
            }
            for plan in options.plans
        ],
    }


def rendered_script(
    account: Account, client: Client, campaign: Campaign | None, fields: dict[str, Any]
) -> dict[str, Any]:
    """The campaign's script (or the ready-made one for the product), rendered for the account."""
    own = (campaign.script or {}) if campaign else {}
    if own.get("steps"):
        steps = {
            step["id"]: {
                "id": step["id"],
                "title": step["id"],
                "text": " ".join(render_template(step["text"], fields).split()),
                "branches": [
                    {"label": render_template(b["label"], fields), "next": b["next"]}
                    for b in step.get("branches", [])
                ],
                "outcome": None,
            }
            for step in own["steps"]
        }
        return {
            "title": campaign.name if campaign else "",
            "start": own.get("start") or own["steps"][0]["id"],
            "steps": steps,
        }
    script = load_script(script_for_product(client.product_scripts, account.product))
    steps = {}
    for step_id in script.steps:
        step = render_step(script, step_id, fields)
        steps[step_id] = {
            "id": step.id,
            "title": step.title,
            "text": step.text,
            "branches": [{"label": b.label, "next": b.next} for b in step.branches],
            "outcome": str(step.outcome) if step.outcome else None,
        }
    return {"title": script.title, "start": script.start, "steps": steps}


def build_screen(
    session: Session,
    *,
    account_id: int,
    verified: bool,
    now: datetime,
    campaign_id: int | None = None,
    agent_name: str = "",
) -> dict[str, Any]:
    """Debtor, account, contact points with consent, the timeline, script and options at `now`."""
    account = session.get_one(Account, account_id)
    client = session.get_one(Client, account.client_id)
    debtor = session.get_one(Debtor, account.debtor_id)
    campaign = session.get(Campaign, campaign_id) if campaign_id else None
    zones = debtor_zones(debtor)
    today = client_today(client, now)
    options = negotiation_options(
        Policy.of(client), balance=account.balance, currency=account.currency, today=today
    )
    fields = script_fields(
        account, client, today=today, now=now, agent_name=agent_name, options=options
    )
    points = session.scalars(
        select(ContactPoint)
        .where(ContactPoint.debtor_id == debtor.id)
        .order_by(ContactPoint.priority)
    ).all()
    permissions: dict[int, list[ChannelPermission]] = {}
    for permission in session.scalars(
        select(ChannelPermission).where(
            ChannelPermission.contact_point_id.in_([p.id for p in points])
        )
    ):
        permissions.setdefault(permission.contact_point_id, []).append(permission)
    return {
        "verified": verified,
        "account": {
            "id": account.id,
            "ref": account.account_ref if verified else mask_tail(account.account_ref, 4),
            "creditor": client.name,
            "product": account.product,
            "balance": str(account.balance),
            "balance_text": money(account.balance, account.currency, client.locale),
            "currency": account.currency,
            "locale": client.locale,
            "timezone": client.timezone,
            "due_date": account.due_date.isoformat(),
            "days_overdue": account.days_overdue(today),
            "bucket": str(account.aging_bucket(today)),
            "status": str(account.status),
        },
        "debtor": {
            "name": debtor.name if verified else mask_name(debtor.name),
            "national_id": debtor.national_id if verified else mask_tail(debtor.national_id),
            "region": debtor.region,
            "timezone": debtor.timezone,
            "timezones": list(zones),
            "local_times": [t.as_dict() for t in local_times(zones, now)],
        },
        "contact_points": [
            {
                "id": point.id,
                "kind": str(point.kind),
                "value": point.value if verified else mask_tail(point.value, 4),
                "shown": spoken_number(point) if verified else mask_tail(point.value, 4),
                "line_type": point.line_type,
                "invalid": point.invalid,
                "channels": {
                    str(p.channel): {
                        "opted_in_at": p.opted_in_at.isoformat() if p.opted_in_at else None,
                        "opted_out_at": p.opted_out_at.isoformat() if p.opted_out_at else None,
                    }
                    for p in permissions.get(point.id, [])
                },
            }
            for point in points
        ],
        "timeline": [entry.as_dict() for entry in account_timeline(session, account_id=account.id)],
        "dispositions": AGENT_DISPOSITIONS,
        "script": rendered_script(account, client, campaign, fields),
        "options": options_view(options, client.locale),
    }


def screen_for_attempt(attempt_id: int, verified: bool) -> dict[str, Any]:
    """The screen pop of the account an attempt is about, and whether the debtor called us."""
    with read_scope() as session:
        attempt = session.get_one(Attempt, attempt_id)
        agent = session.get(User, attempt.agent_id) if attempt.agent_id else None
        screen = build_screen(
            session,
            account_id=attempt.account_id,
            verified=verified,
            now=utcnow(),
            campaign_id=attempt.campaign_id,
            agent_name=agent.full_name if agent else "",
        )
        screen["direction"] = str(attempt.direction)
        return screen


def personal_callbacks(agent_id: int) -> list[dict[str, Any]]:
    """The agent's own pending callbacks, soonest first (no debtor details: a reference only)."""
    with session_scope() as session:
        rows = session.execute(
            select(Callback.id, Callback.due_at, Account.account_ref, Client.name)
            .join(Account, Account.id == Callback.account_id)
            .join(Client, Client.id == Callback.client_id)
            .where(Callback.owner_agent_id == agent_id, Callback.status == CallbackStatus.PENDING)
            .order_by(Callback.due_at)
            .limit(50)
        ).all()
        return [
            {
                "id": r.id,
                "due_at": r.due_at.isoformat(),
                "account": mask_tail(r.account_ref, 4),
                "creditor": r.name,
            }
            for r in rows
        ]
