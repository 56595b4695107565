"""What a verified debtor sees: what they owe to which creditor, the offers within the creditor's
policy (the same `negotiation_options` agents get), agreements in force and their choices."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements.negotiation import NegotiationOptions, Policy, negotiation_options
from campaigns.compliance import Hours, effective_profile
from campaigns.compliance.preferences import Preference, load_preference
from campaigns.compliance.service import can_receive
from campaigns.data_requests import debtor_requests
from campaigns.models import (
    Account,
    AccountStatus,
    Channel,
    ChannelPermission,
    Client,
    ContactPoint,
    DataSubjectRequest,
    Dispute,
    DisputeStatus,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)

PHONE_CHANNELS = (Channel.VOICE, Channel.SMS, Channel.WHATSAPP)
CLOSED = frozenset({AccountStatus.PAID, AccountStatus.CLOSED, AccountStatus.ESCALATED})


@dataclass(frozen=True)
class ChannelChoice:
    """One channel of one of the debtor's numbers, and whether it is stopped."""

    contact_point_id: int
    masked_value: str
    channel: Channel
    opted_out: bool


@dataclass(frozen=True)
class Overview:
    """The verified page's content for one account."""

    account: Account
    client: Client
    debtor_name: str
    today: date
    open: bool
    options: NegotiationOptions | None
    promise: PromiseToPay | None
    plan: PaymentPlan | None
    dispute: Dispute | None
    other_accounts: tuple[Account, ...]
    payment_link: str | None
    preference: Preference | None
    channels: tuple[ChannelChoice, ...]
    hours: tuple[Hours | None, ...]
    requests: tuple[DataSubjectRequest, ...]


def payment_link(client: Client, account: Account) -> str | None:
    """The creditor's payment page for the account (its template with `{account_ref}`)."""
    template = client.payment_link_template
    if not template:
        return None
    return template.replace("{account_ref}", quote(account.account_ref, safe=""))


def mask_value(value: str) -> str:
    """A phone number or address with all but its last three characters hidden."""
    return "•" * max(len(value) - 3, 0) + value[-3:]


def creditor_today(client: Client, now: datetime) -> date:
    """The creditor's date at `now`: the day agreements are counted from (as for agents)."""
    return now.astimezone(ZoneInfo(client.timezone)).date()


def _channels(session: Session, account: Account) -> tuple[ChannelChoice, ...]:
    points = session.scalars(
        select(ContactPoint)
        .where(ContactPoint.debtor_id == account.debtor_id, ContactPoint.invalid.is_(False))
        .order_by(ContactPoint.priority, ContactPoint.id)
    ).all()
    permissions = {
        (p.contact_point_id, p.channel): p
        for p in session.scalars(
            select(ChannelPermission).where(
                ChannelPermission.contact_point_id.in_([p.id for p in points])
            )
        )
    }
    choices = []
    for point in points:
        for channel in PHONE_CHANNELS:
            if not can_receive(point, channel):
                continue
            permission = permissions.get((point.id, channel))
            out = permission.opted_out_at if permission else None
            opted_in = permission.opted_in_at if permission else None
            opted_out = out is not None and (opted_in is None or out >= opted_in)
            choices.append(ChannelChoice(point.id, mask_value(point.value), channel, opted_out))
    return tuple(choices)


def overview(session: Session, *, account_id: int, now: datetime) -> Overview:
    """Everything the verified page shows for the account."""
    account = session.get_one(Account, account_id)
    client = session.get_one(Client, account.client_id)
    today = creditor_today(client, now)
    is_open = account.status not in CLOSED and account.balance > 0
    options = (
        negotiation_options(
            Policy.of(client), balance=account.balance, currency=account.currency, today=today
        )
        if is_open
        else None
    )
    promise = session.scalar(
        select(PromiseToPay).where(
            PromiseToPay.account_id == account.id, PromiseToPay.status == PromiseStatus.PENDING
        )
    )
    plan = session.scalar(
        select(PaymentPlan).where(
            PaymentPlan.account_id == account.id, PaymentPlan.status == PlanStatus.ACTIVE
        )
    )
    dispute = session.scalar(
        select(Dispute).where(
            Dispute.account_id == account.id, Dispute.status == DisputeStatus.OPEN
        )
    )
    others = session.scalars(
        select(Account).where(Account.debtor_id == account.debtor_id, Account.id != account.id)
    ).all()
    return Overview(
        account=account,
        client=client,
        debtor_name=account.debtor.name,
        today=today,
        open=is_open,
        options=options,
        promise=promise,
        plan=plan,
        dispute=dispute,
        other_accounts=tuple(others),
        payment_link=payment_link(client, account),
        preference=load_preference(session, account.debtor_id),
        channels=_channels(session, account),
        hours=effective_profile(client).hours,
        requests=tuple(debtor_requests(session, debtor_id=account.debtor_id)),
    )


def total_owed(accounts: tuple[Account, ...], account: Account) -> Decimal:
    """What the debtor owes this creditor on every account."""
    return account.balance + sum((a.balance for a in accounts), Decimal("0"))
