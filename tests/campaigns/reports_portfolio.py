"""A small hand-made portfolio for the report tests, with every figure worked out by hand.

The BPO's operating zone is America/Mexico_City (UTC-6 all year): the operating day of
2026-11-10 runs from 2026-11-10 06:00 UTC to 2026-11-11 06:00 UTC.

Creditor A (Colombian profile: caps co_daily and co_weekly), one portfolio, five accounts
created on 2026-10-01, one agent. Creditor B holds one account whose figures must never show
in A's reports.

    account  assigned  due date     payments          balance  bucket 10-31  bucket 11-30
    A1        1000.00  2026-10-20   -                 1000.00  1-30 (11 d)   31-60 (41 d)
    A2        2000.00  2026-10-10   2000.00 on 11-15     0.00  1-30 (21 d)   paid
    A3        3000.00  2026-09-15    500.00 on 11-20  2500.00  31-60 (46 d)  61-90 (76 d)
    A4        4000.00  2026-12-15   -                 4000.00  current       current
    A5        1500.00  2026-08-20   -                 1500.00  61-90 (72 d)  90+ (102 d), escalated

Contacts on 2026-11-10 (UTC times; the bucket is the account's on 11-10):
    T1 voice A1 (1-30)  16:00 completed, person, agent, answered 16:00:10, talk 120 s
       outcome right party + promise 500.00 due 11-12 -> kept
    T2 voice A3 (31-60) 17:00 completed, person, abandoned (no agent)
    T3 voice A3 (31-60) 18:00 no-answer
    T4 voice A1 (1-30)  19:00 completed, person, agent, answered 19:00:00, talk 60 s
       outcome right party + promise 300.00 due 11-13 -> broken
    T5 sms   A3 (31-60) 20:00 delivered; A3 replies at 20:10 and opts out of SMS at 20:15
    T6 sms   A4 (current) 20:30 undelivered
    dispute on A4 opened 11-10 21:00, resolved 11-11 15:00
    refusals: A3 cap:co_daily (sms) 11-10 21:30; A4 do_not_contact (voice) 11-11 15:00

The agent's states on 11-10 (from the activity history):
    ready    15:00:14-16:00:14  3600 s
    on_call  16:00:14-16:02:14   120 s   (T1: 4 s after the person answered)
    wrap_up  16:02:14-16:03:14    60 s
    paused   16:03:14-17:03:14  3600 s   reason "lunch"
    ready    17:03:14-19:00:06  7012 s
    on_call  19:00:06-19:01:06    60 s   (T4: 6 s after the person answered)
    wrap_up  19:01:06-19:01:36    30 s
    offline  19:01:36-          (not logged in)
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from campaigns.agent_activity import StateChange, record_changes
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    Channel,
    ChannelPermission,
    ComplianceProfile,
    ContactPoint,
    ContactRefusal,
    Debtor,
    Dispute,
    DisputeStatus,
    InboundMessage,
    Outcome,
    Payment,
    PromiseStatus,
    PromiseToPay,
    User,
)
from tests.factories import make_account, make_campaign, make_client, make_user

ASSIGNED_AT = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
DAY = date(2026, 11, 10)
# The report is read on 2026-12-01 at noon in Mexico City: November is closed.
NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, second: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


@dataclass
class Portfolio:
    client_id: int
    other_client_id: int
    portfolio_id: int | None
    agent: User
    accounts: dict[str, Account]


def _account(
    session: Session, client: object, ref: str, assigned: str, due: date, balance: str
) -> Account:
    account = make_account(session, client=client, ref=ref, balance=assigned)  # type: ignore[arg-type]
    account.due_date = due
    account.balance = Decimal(balance)
    account.created_at = ASSIGNED_AT
    debtor = session.get(Debtor, account.debtor_id)
    assert debtor is not None
    debtor.region = "Antioquia"
    debtor.created_at = ASSIGNED_AT
    return account


def build(session: Session) -> Portfolio:
    client = make_client(
        session,
        name="Cable Andino",
        country="CO",
        timezone="America/Bogota",
        currency="COP",
        profile=ComplianceProfile.CO,
    )
    client.recovery_target_pct = Decimal("20.00")
    client.kept_rate_target_pct = Decimal("60.00")
    other = make_client(session, name="Otro Acreedor")
    agent = make_user(session, username="agente1", access=[client])
    campaign = make_campaign(session, client=client, agents=[agent])
    accounts = {
        "A1": _account(session, client, "A1", "1000.00", date(2026, 10, 20), "1000.00"),
        "A2": _account(session, client, "A2", "2000.00", date(2026, 10, 10), "0.00"),
        "A3": _account(session, client, "A3", "3000.00", date(2026, 9, 15), "2500.00"),
        "A4": _account(session, client, "A4", "4000.00", date(2026, 12, 15), "4000.00"),
        "A5": _account(session, client, "A5", "1500.00", date(2026, 8, 20), "1500.00"),
    }
    accounts["A2"].status = AccountStatus.PAID
    accounts["A5"].status = AccountStatus.ESCALATED
    accounts["A5"].status_changed_at = at(12, day=date(2026, 11, 19))
    other_account = _account(session, other, "B1", "9999.00", date(2026, 10, 1), "9000.00")
    session.flush()

    def payment(account: Account, amount: str, paid_on: date, ref: str) -> None:
        session.add(
            Payment(
                client_id=account.client_id,
                account_id=account.id,
                amount=Decimal(amount),
                paid_on=paid_on,
                reference=ref,
                source="test",
                created_at=at(12, day=paid_on),
            )
        )

    payment(accounts["A2"], "2000.00", date(2026, 11, 15), "P-1")
    payment(accounts["A3"], "500.00", date(2026, 11, 20), "P-2")
    payment(other_account, "999.00", date(2026, 11, 10), "P-3")

    def attempt(account: Account, created: datetime, channel: Channel, **fields: object) -> Attempt:
        row = Attempt(
            client_id=account.client_id,
            account_id=account.id,
            campaign_id=campaign.id if account.client_id == client.id else None,
            channel=channel,
            created_at=created,
            **fields,
        )
        session.add(row)
        session.flush()
        return row

    done = AttemptStatus.COMPLETED
    t1 = attempt(accounts["A1"], at(16), Channel.VOICE, status=done, answered_by="human",
                 agent_id=agent.id, answered_at=at(16, 0, 10), duration_seconds=120)  # fmt: skip
    attempt(accounts["A3"], at(17), Channel.VOICE, status=done, answered_by="human",
            abandoned=True, answered_at=at(17, 0, 5))  # fmt: skip
    attempt(accounts["A3"], at(18), Channel.VOICE, status=AttemptStatus.NO_ANSWER)
    t4 = attempt(accounts["A1"], at(19), Channel.VOICE, status=done, answered_by="human",
                 agent_id=agent.id, answered_at=at(19), duration_seconds=60)  # fmt: skip
    attempt(accounts["A3"], at(20), Channel.SMS, status=AttemptStatus.DELIVERED)
    attempt(accounts["A4"], at(20, 30), Channel.SMS, status=AttemptStatus.UNDELIVERED)
    attempt(other_account, at(16), Channel.VOICE, status=done, answered_by="human",
            abandoned=True)  # fmt: skip

    for row, amount, due, status, made in (
        (t1, "500.00", date(2026, 11, 12), PromiseStatus.KEPT, at(16, 2)),
        (t4, "300.00", date(2026, 11, 13), PromiseStatus.BROKEN, at(19, 1)),
    ):
        outcome = Outcome(
            client_id=client.id,
            account_id=row.account_id,
            attempt_id=row.id,
            agent_id=agent.id,
            disposition="promise_to_pay",
            right_party=True,
            created_at=made,
        )
        session.add(outcome)
        session.flush()
        session.add(
            PromiseToPay(
                client_id=client.id,
                account_id=row.account_id,
                outcome_id=outcome.id,
                amount=Decimal(amount),
                due_date=due,
                status=status,
                created_at=made,
            )
        )

    a3_phone = session.query(ContactPoint).filter_by(debtor_id=accounts["A3"].debtor_id).one()
    session.add(
        InboundMessage(
            client_id=client.id,
            provider_sid="SM-reply-1",
            channel=Channel.SMS,
            contact_point_id=a3_phone.id,
            account_id=accounts["A3"].id,
            body="Pago el viernes",
            handled_as="reply",
            created_at=at(20, 10),
        )
    )
    session.add(
        ChannelPermission(
            client_id=client.id,
            contact_point_id=a3_phone.id,
            channel=Channel.SMS,
            opted_out_at=at(20, 15),
            opt_out_source="sms STOP",
        )
    )
    session.add(
        Dispute(
            client_id=client.id,
            account_id=accounts["A4"].id,
            reason="No reconoce el cargo",
            status=DisputeStatus.RESOLVED,
            created_at=at(21),
            resolved_at=at(15, day=DAY + timedelta(days=1)),
        )
    )
    for account, rule, channel, when in (
        (accounts["A3"], "cap:co_daily", Channel.SMS, at(21, 30)),
        (accounts["A4"], "do_not_contact", Channel.VOICE, at(15, day=DAY + timedelta(days=1))),
        (other_account, "window", Channel.VOICE, at(15)),
    ):
        session.add(
            ContactRefusal(
                client_id=account.client_id,
                account_id=account.id,
                campaign_id=campaign.id if account.client_id == client.id else None,
                channel=channel,
                rule=rule,
                context="tick",
                checked_at=when,
            )
        )
    states = [
        ("ready", "", None, at(15, 0, 14)),
        ("on_call", "", t1.id, at(16, 0, 14)),
        ("wrap_up", "", t1.id, at(16, 2, 14)),
        ("paused", "lunch", None, at(16, 3, 14)),
        ("ready", "", None, at(17, 3, 14)),
        ("on_call", "", t4.id, at(19, 0, 6)),
        ("wrap_up", "", t4.id, at(19, 1, 6)),
        ("offline", "", None, at(19, 1, 36)),
    ]
    record_changes(
        session,
        changes=[
            StateChange(f"{i}-0", agent.id, state, reason, attempt_id, when)
            for i, (state, reason, attempt_id, when) in enumerate(states, start=1)
        ],
    )
    session.flush()
    return Portfolio(
        client_id=client.id,
        other_client_id=other.id,
        portfolio_id=accounts["A1"].portfolio_id,
        agent=agent,
        accounts=accounts,
    )
