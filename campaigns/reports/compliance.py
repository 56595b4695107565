"""Compliance report: contacts refused by rule and by day, opt-outs, and contacts per debtor
against each cap: evidence that the rules were applied (docs/reports.md, "Compliance")."""

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.compliance.overrides import effective_profile
from campaigns.i18n import _
from campaigns.models import Client, ReportContactDay, ReportDebtorContactDay, ReportRefusalDay
from campaigns.reports import daily
from campaigns.reports.source import Figures
from campaigns.reports.table import Chart, Column, Report, ReportFilter, Section

# Refusals and the per-debtor histogram carry no product, region or aging bucket.
REFUSAL_FILTERS = ("portfolio_id", "campaign_id")


def compliance_report(session: Session, report_filter: ReportFilter) -> Report:
    """Refusals by rule and by day, opt-outs, and the most contacts a debtor got per cap."""
    figures = Figures(session, report_filter)
    return Report(
        key="compliance",
        title=_("Compliance"),
        sections=(
            refusals_by_rule_section(figures),
            refusals_by_day_section(figures),
            caps_section(session, figures),
        ),
    )


def refusals_by_rule_section(figures: Figures) -> Section:
    """Contacts refused over the range, per rule and channel."""
    rows = figures.summed(
        ReportRefusalDay,
        daily.refusal_rows,
        by=("rule", "channel"),
        measures=("refusals",),
        filtered=REFUSAL_FILTERS,
    )
    return Section(
        key="refusals_by_rule",
        title=_("Contacts refused by rule"),
        columns=(
            Column("rule", _("Rule"), "text"),
            Column("channel", _("Channel"), "text"),
            Column("refusals", _("Contacts refused"), "int"),
        ),
        rows=tuple(
            {"rule": r["rule"], "channel": r["channel"], "refusals": int(r["refusals"])}
            for r in sorted(rows, key=lambda r: (-r["refusals"], r["rule"], r["channel"]))
        ),
        charts=(Chart("bar", _("Contacts refused by rule"), "rule", ("refusals",)),),
    )


def refusals_by_day_section(figures: Figures) -> Section:
    """Contacts refused and opt-outs, day by day."""
    per_day: dict[Any, dict[str, int]] = defaultdict(lambda: {"refusals": 0, "opt_outs": 0})
    for row in figures.summed(
        ReportRefusalDay,
        daily.refusal_rows,
        by=("day",),
        measures=("refusals",),
        filtered=REFUSAL_FILTERS,
    ):
        per_day[row["day"]]["refusals"] += int(row["refusals"])
    for row in figures.summed(
        ReportContactDay,
        daily.contact_rows,
        by=("day",),
        measures=("opt_outs",),
        filtered=("region",),
    ):
        per_day[row["day"]]["opt_outs"] += int(row["opt_outs"])
    return Section(
        key="refusals_by_day",
        title=_("Contacts refused and opt-outs, day by day"),
        columns=(
            Column("day", _("Day"), "date"),
            Column("refusals", _("Contacts refused"), "int"),
            Column("opt_outs", _("Opt-outs"), "int"),
        ),
        rows=tuple({"day": day, **per_day[day]} for day in sorted(per_day)),
        charts=(Chart("line", _("Refusals and opt-outs"), "day", ("refusals", "opt_outs")),),
    )


def caps_section(session: Session, figures: Figures) -> Section:
    """Each creditor's frequency caps, with the most attempts one debtor got in a day on the
    cap's channels and the contacts the cap refused."""
    histogram = figures.summed(
        ReportDebtorContactDay,
        daily.debtor_contact_rows,
        by=("day", "client_id", "channel", "contacts"),
        measures=("debtors",),
        filtered=(),
    )
    refused = figures.summed(
        ReportRefusalDay,
        daily.refusal_rows,
        by=("client_id", "rule"),
        measures=("refusals",),
        filtered=REFUSAL_FILTERS,
    )
    refusals = {(r["client_id"], r["rule"]): int(r["refusals"]) for r in refused}
    rows = []
    clients = session.scalars(
        select(Client).where(Client.id.in_(sorted(figures.filter.client_ids))).order_by(Client.name)
    )
    for client in clients:
        for cap in effective_profile(client).caps:
            channels = {str(c) for c in cap.channels}
            most = max(
                (
                    int(h["contacts"])
                    for h in histogram
                    if h["client_id"] == client.id and h["channel"] in channels and h["debtors"]
                ),
                default=0,
            )
            rows.append(
                {
                    "creditor": client.name,
                    "cap": cap.rule,
                    "channels": " ".join(sorted(channels)),
                    "limit": cap.limit,
                    "window": str(cap.window),
                    "most_in_a_day": most,
                    "refusals": refusals.get((client.id, cap.rule), 0),
                }
            )
    return Section(
        key="caps",
        title=_("Contacts per debtor against each cap"),
        columns=(
            Column("creditor", _("Creditor"), "text"),
            Column("cap", _("Cap"), "text"),
            Column("channels", _("Channels"), "text"),
            Column("limit", _("Limit"), "int"),
            Column("window", _("Counted over"), "text"),
            Column("most_in_a_day", _("Most attempts to one debtor in a day"), "int"),
            Column("refusals", _("Contacts refused by this cap"), "int"),
        ),
        rows=tuple(rows),
    )
