"""Manager pages: the campaign preview (who it would contact now, paged and searchable, and
every rule that leaves the others out) and the same list as a CSV."""

import io
from typing import NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaigns.campaign_defs import campaign_history, campaign_out, get_campaign
from campaigns.i18n import _, translate
from campaigns.models import Client, utcnow
from campaigns.safe_export import SafeCsvWriter
from campaigns.scheduler import preview_campaign
from campaigns.scheduler.preview import preview_accounts
from campaigns.scheduler.rules_explained import rule_explanation, rule_name
from console.charts import bar_chart
from console.deps import DbId, ManagerUser, SessionDep
from console.i18n_templates import money, number
from console.pages.common import PageRoute, page_locale, render
from console.pages.manager.campaign_form import CHANNELS

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50
CSV_HEADERS = (
    _("Account"),
    _("Debtor"),
    _("Days overdue"),
    _("Balance"),
    _("Step"),
    _("Channel"),
)


class RuleCount(NamedTuple):
    """A rule of the preview as the page shows it."""

    name: str
    explanation: str
    accounts: int


def _page(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


@router.get("/campaigns/{campaign_id}/preview")
def preview(request: Request, db: SessionDep, user: ManagerUser, campaign_id: DbId) -> Response:
    """Who the campaign would contact now (paged and searchable), and every rule that leaves
    the others out, named and explained, with a chart of the counts."""
    locale = page_locale(request)
    params = request.query_params
    search = str(params.get("q") or "")[:80]
    page, left_page = _page(params.get("page")), _page(params.get("left_page"))
    now = utcnow()
    eligible_offset, left_offset = (page - 1) * PAGE_SIZE, (left_page - 1) * PAGE_SIZE
    if not search.strip():
        # The counts and both lists in one pass of the rules over the portfolio; the counts are
        # the lists' totals.
        result = preview_campaign(
            db,
            campaign_id=campaign_id,
            at=now,
            limit=PAGE_SIZE,
            contacted_offset=eligible_offset,
            skipped_offset=left_offset,
        )
        eligible, eligible_total = result.contacted, result.eligible
        left_out, left_total = result.skipped, result.matched - result.eligible
    else:
        result = preview_campaign(db, campaign_id=campaign_id, at=now, limit=0)
        (left_total, left_out), (eligible_total, eligible) = (
            preview_accounts(
                db,
                campaign_id=campaign_id,
                at=now,
                eligible=wanted,
                search=search,
                offset=offset,
                limit=PAGE_SIZE,
            )
            for wanted, offset in ((False, left_offset), (True, eligible_offset))
        )
    campaign = get_campaign(db, campaign_id=campaign_id)
    client = db.get_one(Client, campaign.client_id)
    rules = [
        RuleCount(rule_name(rule, locale), rule_explanation(rule, locale), count)
        for rule, count in result.excluded.items()
    ]
    chart = bar_chart(
        [
            (
                translate(locale, _("Would be contacted")),
                result.eligible,
                number(result.eligible, locale),
            )
        ]
        + [(r.name, r.accounts, number(r.accounts, locale)) for r in rules],
        title=translate(locale, _("Accounts per rule")),
    )
    return render(
        request,
        "manager/campaign_preview.html",
        user=user,
        preview=result,
        campaign=campaign_out(db, campaign),
        client=client,
        rules=rules,
        chart=chart,
        search=search,
        eligible=eligible,
        eligible_total=eligible_total,
        page=page,
        left_out=left_out,
        left_total=left_total,
        left_page=left_page,
        page_size=PAGE_SIZE,
        channels=CHANNELS,
        rule_name=lambda code: rule_name(code, locale),
        history=campaign_history(db, campaign_id=campaign_id),
    )


@router.get("/campaigns/{campaign_id}/eligible.csv")
def eligible_csv(
    request: Request, db: SessionDep, user: ManagerUser, campaign_id: DbId
) -> Response:
    """Everyone the campaign would contact now, as a spreadsheet-safe CSV in your language."""
    locale = page_locale(request)
    campaign = get_campaign(db, campaign_id=campaign_id)
    client = db.get_one(Client, campaign.client_id)
    search = str(request.query_params.get("q") or "")[:80]
    _total, rows = preview_accounts(
        db, campaign_id=campaign_id, at=utcnow(), search=search, limit=None
    )
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow([translate(locale, header) for header in CSV_HEADERS])
    for row in rows:
        writer.writerow(
            [
                row.account_ref,
                row.debtor,
                row.days_overdue,
                money(row.balance, client.currency, locale),
                (row.step or 0) + 1,
                translate(locale, CHANNELS.get(row.channel or "", "")) if row.channel else "",
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="campaign-{campaign.id}.csv"'},
    )
