"""Reports in the browser: a manager picks a month and a creditor, sees a chart beside its table
and downloads the report as CSV and XLSX; a creditor's viewer sees its own figures and targets,
and is refused another creditor's reports."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from campaigns.models import Role
from tests.browser.conftest import shot, sign_in
from tests.factories import make_account, make_campaign, make_client, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def creditors(session: Session) -> dict[str, int]:
    mine = make_client(session, name="Cablevisión Norte")
    mine.recovery_target_pct = Decimal("25.00")
    mine.kept_rate_target_pct = Decimal("50.00")
    other = make_client(session, name="Red Veloz Internet")
    make_account(session, client=mine, balance="1200.00", ref="CV-1", days_overdue=10)
    make_account(session, client=mine, balance="800.00", ref="CV-2", days_overdue=45)
    make_account(session, client=other, balance="999.00", ref="RV-1", phone="+525512340002")
    make_campaign(session, client=mine, name="Mora temprana")
    make_campaign(session, client=other, name="Campaña Veloz")
    make_user(session, username="gerente", role=Role.MANAGER, access=[mine, other])
    make_user(session, username="cliente", role=Role.CLIENT_VIEWER, client=mine)
    session.commit()
    return {"mine": mine.id, "other": other.id}


def test_manager_sees_a_chart_and_downloads_the_report(
    creditors: dict[str, int], app_url: str, page: Page
) -> None:
    sign_in(page, "gerente")
    page.get_by_role("link", name="Reportes").click()
    expect(page).to_have_url(re.compile(r"/reports$"))
    page.get_by_label("Desde").fill("2026-11-01")
    page.get_by_label("Hasta").fill("2026-11-30")
    page.get_by_label("Acreedor").select_option(label="Cablevisión Norte")
    page.get_by_role("button", name="Mostrar").click()
    expect(page).to_have_url(re.compile(rf"client_id={creditors['mine']}"))
    expect(page.locator("#report-heading")).to_contain_text("30 nov 2026")

    aging = page.locator("#section-aging")
    chart = aging.get_by_role("img").first
    expect(chart).to_be_visible()
    assert chart.locator("rect[height]").count() >= 2  # the two buckets as bars
    bar_titles = chart.locator("g.series rect title").all_text_contents()
    assert any("$1,200.00" in t for t in bar_titles) and any("$800.00" in t for t in bar_titles)
    expect(aging.locator("table")).to_contain_text("$1,200.00")
    expect(aging.locator("table")).to_contain_text("$800.00")
    assert "Red Veloz" not in aging.inner_text()
    shot(page, "reports-portfolio")

    with page.expect_download() as csv_download:
        page.locator("#download-csv").click()
    assert csv_download.value.suggested_filename == "acuerdo-portfolio-2026-11-01-2026-11-30.csv"
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "1200.00" in cells and "800.00" in cells and "999.00" not in cells
    assert "Saldo" in cells  # headers in the reader's language

    with page.expect_download() as xlsx_download:
        page.locator("#download-xlsx").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    assert len(book.sheetnames) == page.locator("section.report-section").count()
    amounts = [c.value for ws in book for row in ws.iter_rows() for c in row]
    assert 1200 in amounts and 800 in amounts and 999 not in amounts

    page.locator('.report-menu a[href*="report=funnel"]').click()
    expect(page).to_have_url(re.compile(r"report=funnel"))
    expect(page.get_by_label("Acreedor")).to_have_value(str(creditors["mine"]))
    shot(page, "reports-funnel")


def test_a_creditor_sees_its_targets_and_not_another_creditors_reports(
    creditors: dict[str, int], app_url: str, page: Page
) -> None:
    sign_in(page, "cliente")
    page.goto(f"/viewer/{creditors['mine']}?month=2026-11")
    targets = page.locator("#section-targets")
    expect(targets).to_be_visible()
    with page.expect_download() as targets_csv:
        page.locator("#targets-csv").click()
    assert (
        targets_csv.value.suggested_filename == f"acuerdo-targets-{creditors['mine']}-2026-11.csv"
    )
    shot(page, "viewer-targets")

    page.get_by_role("link", name="Reportes", exact=True).click()
    expect(page.get_by_label("Acreedor")).to_contain_text("Cablevisión Norte")
    expect(page.get_by_label("Acreedor")).not_to_contain_text("Red Veloz")
    expect(page.locator("body")).not_to_contain_text("Campaña Veloz")

    page.get_by_label("Idioma").select_option("en")
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    expect(page.locator("#download-xlsx")).to_have_text("Download XLSX")
    shot(page, "reports-english")

    response = page.goto(f"/reports?client_id={creditors['other']}&date_from=2026-11-01")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_be_visible()
    assert "Red Veloz" not in page.content() and "999" not in page.content()
    shot(page, "reports-other-creditor-refused")
    download = page.request.get(f"/reports/export.xlsx?client_id={creditors['other']}")
    assert download.status == 404
    refused = page.goto(f"/viewer/{creditors['other']}/targets.csv?month=2026-11")
    assert refused is not None and refused.status in (403, 404)
