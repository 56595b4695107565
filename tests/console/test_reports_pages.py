"""The Reports page and its downloads: who may open them, what a creditor's people see, and how
a wrong filter is refused."""

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from campaigns.models import Client, Portfolio, Role
from campaigns.reports import REPORTS
from console.pages.report_query import range_presets
from tests.console.conftest import sign_in
from tests.factories import CREATED_AT, make_account, make_campaign, make_client, make_user

RANGE = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


@pytest.fixture
def two_creditors(session: Session) -> dict[str, int]:
    """Creditor Alfa with its manager, supervisor, agent and viewer; creditor Bravo with its own."""
    alfa = make_client(session, name="Acreedor Alfa")
    bravo = make_client(session, name="Acreedor Bravo")
    make_account(session, client=alfa, name="Ana Visible")
    make_account(session, client=bravo, name="Beatriz Oculta", phone="+525512340002")
    alfa_campaign = make_campaign(session, client=alfa, name="Campaña Alfa")
    bravo_campaign = make_campaign(session, client=bravo, name="Campaña Bravo")
    bravo_import = Portfolio(
        client_id=bravo.id,
        filename="cartera-bravo.csv",
        as_of=date(2026, 11, 1),
        created_at=CREATED_AT,
    )
    session.add(bravo_import)
    make_user(session, username="gerente", role=Role.MANAGER, access=[alfa])
    make_user(session, username="supervisora", role=Role.SUPERVISOR, access=[alfa])
    make_user(session, username="agente", role=Role.AGENT, access=[alfa])
    bravo_agent = make_user(session, username="agente_bravo", role=Role.AGENT, access=[bravo])
    make_user(session, username="visor", role=Role.CLIENT_VIEWER, client=alfa)
    make_user(session, username="admin", role=Role.ADMIN)
    session.commit()
    return {
        "alfa": alfa.id,
        "bravo": bravo.id,
        "alfa_campaign": alfa_campaign.id,
        "bravo_campaign": bravo_campaign.id,
        "bravo_import": bravo_import.id,
        "bravo_agent": bravo_agent.id,
    }


def test_signed_out_readers_go_to_sign_in(web: TestClient) -> None:
    response = web.get("/reports", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert web.get("/reports/export.csv", follow_redirects=False).status_code == 303


def test_agents_may_not_open_reports(web: TestClient, two_creditors: dict[str, int]) -> None:
    sign_in(web, "agente")
    for path in ("/reports", "/reports/export.csv", "/reports/export.xlsx"):
        assert web.get(path, params=RANGE).status_code == 403


@pytest.mark.parametrize("username", ["gerente", "supervisora", "visor", "admin"])
def test_every_report_opens_for_the_roles_that_see_reports(
    web: TestClient, two_creditors: dict[str, int], username: str
) -> None:
    sign_in(web, username)
    for key in REPORTS:
        page = web.get("/reports", params={**RANGE, "report": key})
        assert page.status_code == 200, (key, page.text)
        assert 'href="/reports"' in page.text  # the nav link
        csv_file = web.get("/reports/export.csv", params={**RANGE, "report": key})
        assert csv_file.status_code == 200
        assert csv_file.headers["content-type"].startswith("text/csv")
        assert f"acuerdo-{key}-2026-11-01-2026-11-30.csv" in csv_file.headers["content-disposition"]
        xlsx_file = web.get("/reports/export.xlsx", params={**RANGE, "report": key})
        assert xlsx_file.status_code == 200
        assert load_workbook(io.BytesIO(xlsx_file.content)).sheetnames


def test_the_filters_offer_only_what_the_reader_may_see(
    web: TestClient, two_creditors: dict[str, int]
) -> None:
    sign_in(web, "gerente")
    page = web.get("/reports", params=RANGE).text
    assert "Acreedor Alfa" in page and "Campaña Alfa" in page and "Agente" in page
    assert "Acreedor Bravo" not in page and "Campaña Bravo" not in page
    assert "Agente_Bravo" not in page and "cartera-bravo" not in page
    admin = TestClient(web.app, base_url="https://testserver")
    sign_in(admin, "admin")
    everything = admin.get("/reports", params=RANGE).text
    assert "Acreedor Alfa" in everything and "Acreedor Bravo" in everything


@pytest.mark.parametrize("username", ["gerente", "supervisora", "visor"])
@pytest.mark.parametrize(
    ("field", "target"),
    [
        ("client_id", "bravo"),
        ("campaign_id", "bravo_campaign"),
        ("portfolio_id", "bravo_import"),
        ("agent_id", "bravo_agent"),
    ],
)
def test_another_creditors_ids_are_unknown(
    web: TestClient, two_creditors: dict[str, int], username: str, field: str, target: str
) -> None:
    sign_in(web, username)
    params = {**RANGE, field: str(two_creditors[target])}
    for path in ("/reports", "/reports/export.csv", "/reports/export.xlsx"):
        response = web.get(path, params=params)
        assert response.status_code == 404, (path, response.text)
        assert "Bravo" not in response.text


def test_a_viewer_opens_its_own_creditor_and_not_another(
    web: TestClient, two_creditors: dict[str, int]
) -> None:
    sign_in(web, "visor")
    mine = web.get("/reports", params={**RANGE, "client_id": two_creditors["alfa"]})
    assert mine.status_code == 200 and "Acreedor Alfa" in mine.text
    assert "Acreedor Bravo" not in mine.text
    for path in ("", "/targets.csv", "/targets.xlsx"):
        other = web.get(f"/viewer/{two_creditors['bravo']}{path}", params={"month": "2026-11"})
        assert other.status_code in (403, 404)
        assert "Bravo" not in other.text


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_to": "mañana"}, "date_to"),
        ({"date_from": "1999-12-31"}, "date_from"),
        ({"client_id": "0"}, "client_id"),
        ({"campaign_id": "99999999999"}, "campaign_id"),
        ({"product": "x" * 81}, "product"),
        ({"report": "Robert'); DROP"}, "report"),
    ],
)
def test_a_value_of_the_wrong_shape_is_named(
    web: TestClient, two_creditors: dict[str, int], params: dict[str, str], names: str
) -> None:
    sign_in(web, "gerente")
    response = web.get("/reports", params=params)
    assert response.status_code == 422
    assert names in response.text and "Revise estos valores" in response.text


def test_a_range_must_be_in_order_and_at_most_a_year(
    web: TestClient, two_creditors: dict[str, int]
) -> None:
    sign_in(web, "gerente")
    backwards = web.get("/reports", params={"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert backwards.status_code == 422 and "termina antes" in backwards.text
    too_long = web.get("/reports", params={"date_from": "2025-01-01", "date_to": "2026-11-01"})
    assert too_long.status_code == 422 and "366" in too_long.text
    bucket = web.get("/reports", params={**RANGE, "aging_bucket": "91-120"})
    assert bucket.status_code == 422
    unknown = web.get("/reports", params={**RANGE, "report": "payroll"})
    assert unknown.status_code == 404


def test_empty_fields_of_the_form_mean_any(web: TestClient, two_creditors: dict[str, int]) -> None:
    sign_in(web, "gerente")
    blank = {"client_id": "", "portfolio_id": "", "campaign_id": "", "agent_id": "", "product": ""}
    response = web.get("/reports", params={**RANGE, **blank, "aging_bucket": "", "region": ""})
    assert response.status_code == 200


def test_the_csv_headers_follow_the_readers_language(
    web: TestClient, two_creditors: dict[str, int]
) -> None:
    sign_in(web, "visor")
    spanish = web.get(f"/viewer/{two_creditors['alfa']}/targets.csv", params={"month": "2026-11"})
    assert spanish.status_code == 200
    header = next(csv.reader(io.StringIO(spanish.content.decode("utf-8-sig"))))
    web.post("/language", data={"locale": "en", "next": "/reports"})
    english = web.get(f"/viewer/{two_creditors['alfa']}/targets.csv", params={"month": "2026-11"})
    english_header = next(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert english_header[:2] == ["Day", "Month"] and header[:2] == ["Día", "Mes"]
    assert len(header) == len(english_header)


def test_the_usual_ranges_are_whole_months_and_ninety_days() -> None:
    presets = {label: (first, last) for label, first, last in range_presets(date(2028, 3, 15))}
    assert presets["This month"] == (date(2028, 3, 1), date(2028, 3, 15))
    assert presets["Last month"] == (date(2028, 2, 1), date(2028, 2, 29))  # a leap February
    first, last = presets["Last 90 days"]
    assert (last - first).days + 1 == 90 and first == date(2027, 12, 17)
    january = {label: (f, t) for label, f, t in range_presets(date(2027, 1, 1))}
    assert january["Last month"] == (date(2026, 12, 1), date(2026, 12, 31))


def test_a_preset_link_keeps_the_filters(web: TestClient, two_creditors: dict[str, int]) -> None:
    sign_in(web, "gerente")
    page = web.get("/reports", params={**RANGE, "client_id": two_creditors["alfa"]}).text
    assert "Mes anterior" in page
    assert (
        f"client_id={two_creditors['alfa']}" in page.split("Mes anterior")[0].rsplit("href", 1)[1]
    )


def test_a_manager_of_no_creditor_sees_empty_reports(web: TestClient, session: Session) -> None:
    make_account(session, client=make_client(session, name="Acreedor Alfa"))
    make_user(session, username="nuevo", role=Role.MANAGER)
    session.commit()
    sign_in(web, "nuevo")
    for key in REPORTS:
        page = web.get("/reports", params={**RANGE, "report": key})
        assert page.status_code == 200 and "Acreedor Alfa" not in page.text
        assert "$1,200.00" not in page.text


def test_a_hostile_import_name_comes_out_neutral_in_every_download(
    web: TestClient, session: Session, two_creditors: dict[str, int]
) -> None:
    hostile = Portfolio(
        client_id=two_creditors["alfa"],
        filename='=HYPERLINK("http://x.example")',
        as_of=date(2026, 11, 1),
        created_at=CREATED_AT,
    )
    session.add(hostile)
    session.flush()
    account = make_account(session, client=session.get_one(Client, two_creditors["alfa"]))
    account.portfolio_id = hostile.id
    session.commit()
    sign_in(web, "gerente")
    params = {**RANGE, "report": "recovery", "portfolio_id": str(hostile.id)}
    page = web.get("/reports", params=params)
    assert page.status_code == 200 and "HYPERLINK" in page.text
    cells = [
        cell
        for row in csv.reader(io.StringIO(web.get("/reports/export.csv", params=params).text))
        for cell in row
    ]
    book = load_workbook(io.BytesIO(web.get("/reports/export.xlsx", params=params).content))
    xlsx_cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row]
    for found in (cells, xlsx_cells):
        named = [c for c in found if "HYPERLINK" in c]
        assert named and all(c.startswith("'") for c in named), named


def test_the_roll_table_shows_month_and_bucket_without_a_joined_key(
    web: TestClient, two_creditors: dict[str, int]
) -> None:
    """The roll-and-cure table has its month and bucket columns, not also a raw "2026-10 1-30"
    key column (the chart still labels its bars with it)."""
    sign_in(web, "gerente")
    october = {"date_from": "2026-10-01", "date_to": "2026-10-31", "report": "portfolio"}
    page = web.get("/reports", params=october).text
    assert '<th scope="col">Tramo de mora al inicio</th>' in page
    assert '<th scope="col">Mes y tramo</th>' not in page
    assert "<td>2026-10 1-30</td>" not in page
    exported = web.get("/reports/export.csv", params=october).text
    assert "Tramo de mora al inicio" in exported
    assert "Mes y tramo" not in exported and "2026-10 1-30" not in exported
    workbook = load_workbook(io.BytesIO(web.get("/reports/export.xlsx", params=october).content))
    cells = {str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row}
    assert "Tramo de mora al inicio" in cells
    assert "Mes y tramo" not in cells and "2026-10 1-30" not in cells
