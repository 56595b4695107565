"""Every report figure on the hand-made portfolio of tests/campaigns/reports_portfolio.py,
worked out by hand, read both live (no rollup) and from the summary tables after the rollup."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from campaigns.reports import build_report, targets_vs_actuals
from campaigns.reports.rollup import rollup
from campaigns.reports.table import Report, ReportFilter, Section
from tests.campaigns.reports_portfolio import NOW, Portfolio, build

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture(params=["live", "rolled up"])
def portfolio(request: pytest.FixtureRequest, session: Session) -> Portfolio:
    built = build(session)
    if request.param == "rolled up":
        rollup(session, date_from=NOVEMBER[0], date_to=NOVEMBER[1], now=NOW)
    session.commit()
    return built


def report(session: Session, key: str, portfolio: Portfolio, **narrow: object) -> Report:
    report_filter = ReportFilter(
        client_ids=frozenset({portfolio.client_id}),
        date_from=NOVEMBER[0],
        date_to=NOVEMBER[1],
        now=NOW,
        **narrow,  # type: ignore[arg-type]
    )
    return build_report(session, key, report_filter)


def section(built: Report, key: str) -> Section:
    return next(s for s in built.sections if s.key == key)


def by(rows: tuple[dict[str, object], ...], key: str) -> dict[object, dict[str, object]]:
    return {row[key]: row for row in rows}


def test_aging_at_the_end_of_the_range(session: Session, portfolio: Portfolio) -> None:
    aging = by(section(report(session, "portfolio", portfolio), "aging").rows, "aging_bucket")
    # On 11-30: A4 current 4000; A1 41 days -> 31-60 1000; A3 76 days -> 61-90, 3000 - 500 paid;
    # A5 102 days -> 90+ 1500; A2 paid in full (balance 0). Creditor B's account is not there.
    assert {b: (r["accounts"], r["balance"]) for b, r in aging.items()} == {
        "current": (1, Decimal("4000.00")),
        "31-60": (1, Decimal("1000.00")),
        "61-90": (1, Decimal("2500.00")),
        "90+": (1, Decimal("1500.00")),
        "paid": (1, Decimal("0.00")),
    }


def test_aging_trend_before_and_after_a_payment(session: Session, portfolio: Portfolio) -> None:
    trend = by(section(report(session, "portfolio", portfolio), "aging_trend").rows, "day")
    # 11-14: A1 25 d (1-30) 1000 + A2 35 d (31-60) 2000 unpaid yet; A3 60 d -> 31-60 3000;
    # 61-90: A5 86 d 1500.
    assert trend[date(2026, 11, 14)] == {
        "day": date(2026, 11, 14),
        "balance_1_30": Decimal("1000.00"),
        "balance_31_60": Decimal("5000.00"),
        "balance_61_90": Decimal("1500.00"),
    }
    # 11-15: A2 pays 2000 (paid bucket); A3 now 61 d -> 61-90 3000; A5 87 d 1500.
    assert trend[date(2026, 11, 15)]["balance_31_60"] == Decimal("0.00")
    assert trend[date(2026, 11, 15)]["balance_61_90"] == Decimal("4500.00")


def test_roll_and_cure_rates_from_october_to_november(
    session: Session, portfolio: Portfolio
) -> None:
    rolls = by(section(report(session, "portfolio", portfolio), "roll_rates").rows, "aging_bucket")
    # 1-30 on 10-31: A1 1000 + A2 2000 = 3000. A1 rolled to 31-60 (1000/3000); A2 paid (cured).
    assert rolls["1-30"]["balance_start"] == Decimal("3000.00")
    assert rolls["1-30"]["roll_rate"] == pytest.approx(1 / 3)
    assert rolls["1-30"]["cure_rate"] == pytest.approx(2 / 3)
    # 31-60: A3 3000 (its 500 was paid on 11-20, after 10-31) rolled to 61-90 whole.
    assert rolls["31-60"]["balance_start"] == Decimal("3000.00")
    assert (rolls["31-60"]["roll_rate"], rolls["31-60"]["cure_rate"]) == (1.0, 0.0)
    # 61-90: A5 1500 rolled to 90+.
    assert (rolls["61-90"]["balance_start"], rolls["61-90"]["roll_rate"]) == (
        Decimal("1500.00"),
        1.0,
    )


def test_escalations_handed_off(session: Session, portfolio: Portfolio) -> None:
    rows = section(report(session, "portfolio", portfolio), "escalations").rows
    # A5: 102 days overdue on 11-30, escalated on 11-19.
    assert [(r["over_90"], r["balance_over_90"], r["escalated"]) for r in rows] == [
        (1, Decimal("1500.00"), 1)
    ]


def test_recovery_rate_and_cei(session: Session, portfolio: Portfolio) -> None:
    (row,) = section(report(session, "recovery", portfolio), "recovery").rows
    # Assigned 1000 + 2000 + 3000 + 4000 + 1500 = 11500; collected 2000 + 500 = 2500.
    assert (row["assigned"], row["collected"]) == (Decimal("11500.00"), Decimal("2500.00"))
    assert row["recovery_rate"] == pytest.approx(2500 / 11500)
    # Outstanding on 11-30: 1000 + 2500 + 4000 + 1500 = 9000, of which not yet due (A4) 4000.
    # CEI = (11500 - 9000) / (11500 - 4000) = 2500 / 7500.
    assert (row["outstanding"], row["not_yet_due"]) == (Decimal("9000.00"), Decimal("4000.00"))
    assert row["cei"] == pytest.approx(1 / 3)


def test_promised_against_paid(session: Session, portfolio: Portfolio) -> None:
    days = by(section(report(session, "recovery", portfolio), "collected_by_day").rows, "day")
    assert days[date(2026, 11, 12)]["amount_due"] == Decimal("500.00")
    assert days[date(2026, 11, 12)]["amount_kept"] == Decimal("500.00")
    assert days[date(2026, 11, 13)]["amount_due"] == Decimal("300.00")
    assert days[date(2026, 11, 13)]["amount_kept"] == Decimal("0.00")
    assert days[date(2026, 11, 15)]["collected"] == Decimal("2000.00")
    assert days[date(2026, 11, 20)]["collected"] == Decimal("500.00")
    # Creditor B's payment of 999 on 11-10 is not A's.
    assert days.get(date(2026, 11, 10), {}).get("collected", Decimal("0.00")) == Decimal("0.00")


def test_contact_funnel_by_channel(session: Session, portfolio: Portfolio) -> None:
    funnel = by(section(report(session, "funnel", portfolio), "funnel").rows, "channel")
    voice = funnel["voice"]
    # Voice: T1..T4 placed; T1, T2, T4 answered by a person (3/4); right party T1, T4 (2/4);
    # 2 promises per 2 right-party contacts; kept 1 of 2 due; the dispute has no call (voice).
    assert (voice["attempts"], voice["connected"], voice["right_party"]) == (4, 3, 2)
    assert voice["connect_rate"] == 0.75
    assert voice["right_party_rate"] == 0.5
    assert voice["promise_rate"] == 1.0
    assert (voice["promises_kept"], voice["promises_broken"], voice["kept_rate"]) == (1, 1, 0.5)
    assert (voice["disputes_opened"], voice["disputes_resolved"]) == (1, 1)
    sms = funnel["sms"]
    # SMS: T5 delivered, T6 undelivered; A3 replied once and opted out.
    assert (sms["attempts"], sms["delivered"], sms["replied"], sms["opt_outs"]) == (2, 1, 1, 1)
    assert sms["connect_rate"] == 0.0
    assert funnel["all"]["attempts"] == 6


def test_funnel_filtered_by_aging_bucket(session: Session, portfolio: Portfolio) -> None:
    funnel = by(
        section(report(session, "funnel", portfolio, aging_bucket="31-60"), "funnel").rows,
        "channel",
    )
    # On 11-10 only A3 (56 days) is in 31-60: T2, T3 by voice (T2 answered), T5 by SMS.
    assert (funnel["voice"]["attempts"], funnel["voice"]["connected"]) == (2, 1)
    assert (funnel["sms"]["attempts"], funnel["sms"]["replied"]) == (1, 1)


def test_agent_productivity(session: Session, portfolio: Portfolio) -> None:
    built = report(session, "agents", portfolio)
    (row,) = section(built, "agents").rows
    # Logged in: 3600 + 120 + 60 + 3600 + 7012 + 60 + 30 = 14482 s; talk 120 + 60; wrap 60 + 30.
    assert (row["handled"], row["talk_seconds"], row["wrap_up_seconds"]) == (2, 180.0, 90.0)
    assert (row["paused_seconds"], row["logged_in_seconds"]) == (3600.0, 14482.0)
    assert row["average_handle_seconds"] == 135.0  # (180 + 90) / 2
    assert row["occupancy"] == pytest.approx(270 / 14482)
    assert row["right_party_per_hour"] == pytest.approx(2 / (14482 / 3600))
    assert row["promises_per_hour"] == pytest.approx(2 / (14482 / 3600))
    # Promised 500 + 300; kept 500 (the 300 was broken).
    assert (row["amount_promised"], row["amount_kept"]) == (Decimal("800.00"), Decimal("500.00"))
    assert section(built, "pauses").rows == (
        {"agent": "Agente1", "reason": "lunch", "seconds": 3600.0},
    )


def test_dialer_day(session: Session, portfolio: Portfolio) -> None:
    days = by(section(report(session, "dialer", portfolio), "dialer").rows, "day")
    day = days[date(2026, 11, 10)]
    # 4 voice calls over 14482 s logged in; 1 abandon of 3 answered; waits 4 s and 6 s.
    assert day["calls"] == 4
    assert day["calls_per_hour"] == pytest.approx(4 / (14482 / 3600))
    assert day["abandon_rate"] == pytest.approx(1 / 3)
    assert day["abandon_rate_30_days"] == pytest.approx(1 / 3)
    assert day["abandon_cap"] == 0.03
    assert day["answer_to_agent_seconds"] == 5.0
    # 11-20: no calls that day, the 30-day window still holds 11-10.
    assert days[date(2026, 11, 20)]["abandon_rate"] is None
    assert days[date(2026, 11, 20)]["abandon_rate_30_days"] == pytest.approx(1 / 3)


def test_compliance_refusals_and_caps(session: Session, portfolio: Portfolio) -> None:
    built = report(session, "compliance", portfolio)
    by_rule = {r["rule"]: r["refusals"] for r in section(built, "refusals_by_rule").rows}
    # Creditor B's "window" refusal is not A's.
    assert by_rule == {"cap:co_daily": 1, "do_not_contact": 1}
    days = by(section(built, "refusals_by_day").rows, "day")
    assert days[date(2026, 11, 10)] == {"day": date(2026, 11, 10), "refusals": 1, "opt_outs": 1}
    assert days[date(2026, 11, 11)]["refusals"] == 1
    caps = by(section(built, "caps").rows, "cap")
    # A1's debtor got T1 and T4 by voice on 11-10: two attempts where co_daily allows one.
    assert caps["cap:co_daily"]["most_in_a_day"] == 2
    assert (caps["cap:co_daily"]["limit"], caps["cap:co_daily"]["refusals"]) == (1, 1)
    assert caps["cap:co_weekly"]["refusals"] == 0


def test_targets_against_actuals(session: Session, portfolio: Portfolio) -> None:
    section = targets_vs_actuals(session, portfolio.client_id, date(2026, 11, 1), now=NOW)
    kinds = {column.key: column.kind for column in section.columns}
    assert (kinds["date"], kinds["month"]) == ("date", "month")
    # Each day's row carries its date and no month; the last row is the month's, no date.
    *days, month = section.rows
    assert all(isinstance(row["date"], date) and row["month"] is None for row in days)
    assert (month["month"], month["date"]) == (date(2026, 11, 1), None)
    targets = by(tuple(days), "date")
    # Collected 2500 of 11500 assigned; kept 1 of 2 promises due; targets 20% and 60%.
    assert month["recovery_rate"] == pytest.approx(2500 / 11500)
    assert (month["kept_rate"], month["recovery_target"], month["kept_rate_target"]) == (
        0.5,
        0.2,
        0.6,
    )
    assert targets[date(2026, 11, 15)]["recovery_rate"] == pytest.approx(2000 / 11500)
