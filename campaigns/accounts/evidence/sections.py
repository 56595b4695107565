"""The sections of the evidence pack, each described once by its columns: heading and cell."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.accounts.account_file import AccountFile
from campaigns.accounts.evidence.send_check import send_check
from campaigns.accounts.evidence.table import Column, Section, local, make_section, utc
from campaigns.accounts.labels import label
from campaigns.i18n import _, translate
from campaigns.local_formats import money
from campaigns.models import (
    Attempt,
    AttemptEvent,
    AuditEvent,
    ContactRefusal,
    Dispute,
    InboundMessage,
    Installment,
    Outcome,
    Payment,
    PaymentPlan,
    PromiseToPay,
    User,
)
from campaigns.scheduler.rules_explained import rule_explanation, rule_name


def evidence_sections(session: Session, file: AccountFile, locale: str) -> tuple[Section, ...]:
    """Every section of the account's pack, in the order the report shows them."""
    return (
        _contacts(session, file, locale),
        _replies(session, file, locale),
        _promises(file, locale),
        _plans(session, file, locale),
        _disputes(file, locale),
        _payments(file, locale),
        _refusals(file, locale),
        _audit(session, file, locale),
    )


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.full_name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows}


@dataclass(frozen=True)
class _Contact:
    attempt: Attempt
    events: list[AttemptEvent]
    outcome: Outcome | None


def _contacts(session: Session, file: AccountFile, locale: str) -> Section:
    attempts = session.scalars(
        select(Attempt)
        .where(Attempt.account_id == file.account.id)
        .order_by(Attempt.created_at, Attempt.id)
    ).all()
    ids = [a.id for a in attempts]
    events: dict[int, list[AttemptEvent]] = {}
    for event in session.scalars(
        select(AttemptEvent)
        .where(AttemptEvent.attempt_id.in_(ids), AttemptEvent.source == "send_check")
        .order_by(AttemptEvent.occurred_at, AttemptEvent.id)
    ):
        events.setdefault(event.attempt_id, []).append(event)
    outcomes = {
        o.attempt_id: o for o in session.scalars(select(Outcome).where(Outcome.attempt_id.in_(ids)))
    }
    agents = _names(session, {a.agent_id for a in attempts})

    def sent(c: _Contact) -> str:
        return utc(c.attempt.dispatched_at or c.attempt.created_at)

    def text_sent(c: _Contact) -> str:
        if c.attempt.body:
            return c.attempt.body
        key = c.attempt.template_key
        return translate(locale, _("Approved template {key}"), key=key) if key else ""

    columns: Sequence[Column[_Contact]] = (
        Column(_("Attempt"), lambda c: str(c.attempt.id)),
        Column(_("Sent at (UTC)"), sent),
        Column(
            _("Debtor's local time"),
            lambda c: local(file.zones, c.attempt.dispatched_at or c.attempt.created_at),
        ),
        Column(_("Channel"), lambda c: label(c.attempt.channel, locale)),
        Column(_("Campaign"), lambda c: file.campaign_names.get(c.attempt.campaign_id or 0, "")),
        Column(_("Purpose"), lambda c: label(c.attempt.purpose, locale)),
        Column(_("Status"), lambda c: label(c.attempt.status, locale)),
        Column(_("Contact check"), lambda c: send_check(c.attempt, c.events, file, locale)),
        Column(_("Text sent"), text_sent),
        Column(_("Agent"), lambda c: agents.get(c.attempt.agent_id or 0, "")),
        Column(_("Outcome"), lambda c: label(c.outcome.disposition, locale) if c.outcome else ""),
        Column(_("Outcome notes"), lambda c: c.outcome.notes if c.outcome else ""),
        Column(_("Duration (seconds)"), lambda c: str(c.attempt.duration_seconds or "")),
        Column(
            _("Carrier reference (call or message SID; the recording is kept under it)"),
            lambda c: c.attempt.provider_sid or "",
        ),
    )
    contacts = [_Contact(a, events.get(a.id, []), outcomes.get(a.id)) for a in attempts]
    return make_section(locale, "contacts", _("Contacts"), columns, contacts)


def _replies(session: Session, file: AccountFile, locale: str) -> Section:
    messages = session.scalars(
        select(InboundMessage)
        .where(InboundMessage.account_id == file.account.id)
        .order_by(InboundMessage.created_at, InboundMessage.id)
    ).all()
    columns: Sequence[Column[InboundMessage]] = (
        Column(_("Received at (UTC)"), lambda m: utc(m.created_at)),
        Column(_("Debtor's local time"), lambda m: local(file.zones, m.created_at)),
        Column(_("Channel"), lambda m: label(m.channel, locale)),
        Column(_("Text received"), lambda m: m.body),
        Column(_("Handled as"), lambda m: label(m.handled_as, locale)),
        Column(_("Carrier reference"), lambda m: m.provider_sid),
    )
    return make_section(locale, "replies", _("Messages from the debtor"), columns, messages)


def _promises(file: AccountFile, locale: str) -> Section:
    currency = file.account.currency
    columns: Sequence[Column[PromiseToPay]] = (
        Column(_("Made at (UTC)"), lambda p: utc(p.created_at)),
        Column(_("Amount"), lambda p: money(p.amount, currency, locale)),
        Column(_("Due date"), lambda p: p.due_date.isoformat()),
        Column(_("Status"), lambda p: label(p.status, locale)),
        Column(_("Resolved at"), lambda p: utc(p.resolved_at)),
    )
    promises = reversed(file.promises)
    return make_section(locale, "promises", _("Promises to pay"), columns, promises)


def _plans(session: Session, file: AccountFile, locale: str) -> Section:
    currency = file.account.currency

    def schedule(plan: PaymentPlan) -> str:
        installments = session.scalars(
            select(Installment).where(Installment.plan_id == plan.id).order_by(Installment.number)
        ).all()
        return "; ".join(
            f"{i.number}: {i.due_date.isoformat()} {money(i.amount, currency, locale)} "
            f"({label(i.status, locale)})"
            for i in installments
        )

    columns: Sequence[Column[PaymentPlan]] = (
        Column(_("Agreed at (UTC)"), lambda p: utc(p.created_at)),
        Column(_("Total amount"), lambda p: money(p.total_amount, currency, locale)),
        Column(_("Down payment"), lambda p: money(p.down_payment, currency, locale)),
        Column(_("Instalments"), lambda p: str(p.installment_count)),
        Column(_("Status"), lambda p: label(p.status, locale)),
        Column(_("Schedule"), schedule),
    )
    return make_section(locale, "plans", _("Payment plans"), columns, reversed(file.plans))


def _disputes(file: AccountFile, locale: str) -> Section:
    columns: Sequence[Column[Dispute]] = (
        Column(_("Opened at (UTC)"), lambda d: utc(d.created_at)),
        Column(_("Reason"), lambda d: d.reason),
        Column(_("Status"), lambda d: label(d.status, locale)),
        Column(_("Resolved at (UTC)"), lambda d: utc(d.resolved_at)),
        Column(_("Resolution"), lambda d: d.resolution_note or ""),
    )
    return make_section(locale, "disputes", _("Disputes"), columns, reversed(file.disputes))


def _payments(file: AccountFile, locale: str) -> Section:
    currency = file.account.currency
    columns: Sequence[Column[Payment]] = (
        Column(_("Paid on"), lambda p: p.paid_on.isoformat()),
        Column(_("Amount"), lambda p: money(p.amount, currency, locale)),
        Column(_("Reference"), lambda p: p.reference),
        Column(_("Source"), lambda p: p.source),
    )
    return make_section(locale, "payments", _("Payments"), columns, reversed(file.payments))


def _refusals(file: AccountFile, locale: str) -> Section:
    columns: Sequence[Column[ContactRefusal]] = (
        Column(_("Checked at (UTC)"), lambda r: utc(r.checked_at)),
        Column(_("Debtor's local time"), lambda r: local(file.zones, r.checked_at)),
        Column(_("Channel"), lambda r: label(r.channel, locale)),
        Column(_("Rule"), lambda r: rule_name(r.rule, locale)),
        Column(_("What the rule protects"), lambda r: rule_explanation(r.rule, locale)),
        Column(_("Detail"), lambda r: r.detail or ""),
        Column(_("Where"), lambda r: label(r.context, locale)),
        Column(_("Campaign"), lambda r: file.campaign_names.get(r.campaign_id or 0, "")),
    )
    refusals = reversed(file.refusals)
    return make_section(locale, "refusals", _("Contacts refused by the rules"), columns, refusals)


def _audit(session: Session, file: AccountFile, locale: str) -> Section:
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.account_id == file.account.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    columns: Sequence[Column[AuditEvent]] = (
        Column(_("At (UTC)"), lambda e: utc(e.created_at)),
        Column(_("Who"), lambda e: e.actor_label),
        Column(_("Action"), lambda e: e.action),
        Column(_("Record"), lambda e: f"{e.entity_type} {e.entity_id or ''}"),
    )
    return make_section(locale, "audit", _("Audit trail"), columns, events)
