"""The manager's creditor settings, users and uploads pages in the browser, in Spanish and
English: every flow a manager runs without a terminal, with a screenshot of each page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Account, AccountStatus, Client, DoNotContact, Payment, Role, User
from tests.browser.conftest import shot, sign_in
from tests.factories import make_account, make_client, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _english(page: Page) -> None:
    page.locator("#lang-select").select_option("en")
    page.wait_for_load_state()


def test_a_manager_sets_up_a_creditor_in_spanish_and_reads_it_in_english(
    session: Session, app_url: str, page: Page
) -> None:
    client = make_client(session, name="Cablevisión Norte")
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    session.commit()
    sign_in(page, "gerente")
    creditor_row = page.get_by_role("row").filter(has_text="Cablevisión Norte")
    creditor_row.get_by_role("link", name="Configuración").click()
    expect(
        page.get_by_role("heading", name=re.compile("Configuración del acreedor"))
    ).to_be_visible()
    expect(page.locator("#hours")).to_contain_text("07:00–22:00")

    page.get_by_label("Identificador de llamada").fill("55 5000 0100")
    page.get_by_label("Liga de pago").fill("http://pagos.example.mx/")
    page.get_by_label("Domingo: Cerrado todo el día").check()
    page.get_by_label("Frases prohibidas").fill("promoción navideña")
    page.get_by_role("button", name="Guardar la configuración").click()
    expect(page.locator("#error-payment_link_template")).to_contain_text("https://")
    shot(page, "manager-creditor-settings-error")

    page.get_by_label("Liga de pago").fill("https://pagos.example.mx/{account_ref}")
    page.get_by_label("Domingo: Cerrado todo el día").check()
    page.get_by_role("button", name="Guardar la configuración").click()
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("Identificador de llamada")
    expect(page.locator("#history")).to_contain_text("gerente")
    expect(page.get_by_label("Domingo: Cerrado todo el día")).to_be_checked()
    shot(page, "manager-creditor-settings")

    _english(page)
    expect(page.get_by_role("heading", name=re.compile("Creditor settings"))).to_be_visible()
    expect(page.locator("#hours")).to_contain_text("The law allows")
    expect(page.locator("#history")).to_contain_text("Caller ID")
    shot(page, "manager-creditor-settings-english")
    session.rollback()
    saved = session.scalars(select(Client).where(Client.name == "Cablevisión Norte")).one()
    assert saved.caller_id == "+525550000100"
    assert saved.compliance_overrides == {"hours": {"sun": None}}


def test_a_manager_resets_a_password_and_disables_a_user(
    session: Session, app_url: str, page: Page, browser: Browser
) -> None:
    client = make_client(session, name="Cablevisión Norte")
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    make_user(session, username="agente1", access=[client])
    make_user(session, username="agente2", access=[client])
    session.commit()
    sign_in(page, "gerente")
    page.get_by_role("link", name="Usuarios").click()
    expect(page.locator("#people")).to_contain_text("Nunca")
    shot(page, "manager-users-list")
    page.get_by_role("link", name="Editar agente1").click()
    page.get_by_role("button", name="Restablecer la contraseña").click()
    temporary = page.locator("#temporary-password").inner_text()
    assert len(temporary) >= 12
    shot(page, "manager-user-reset-password")

    page.goto("/manager/users")
    page.get_by_role("link", name="Editar agente2").click()
    page.get_by_role("button", name="Deshabilitar (cierra su sesión de inmediato)").click()
    expect(page.locator("#user-active")).to_have_text("Deshabilitado")
    shot(page, "manager-user-disabled")

    other = browser.new_context(base_url=app_url, locale="es-MX")
    agent = other.new_page()
    sign_in(agent, "agente1", temporary)
    expect(agent).to_have_url(re.compile(r"/account/password$"))
    agent.get_by_label("Contraseña actual").fill(temporary)
    agent.get_by_label("Contraseña nueva", exact=True).fill("1234567890")
    agent.get_by_label("Repita la contraseña nueva").fill("1234567890")
    agent.get_by_role("button", name="Guardar la contraseña nueva").click()
    expect(agent.locator("#password-error")).to_contain_text("más comunes")
    shot(agent, "account-password-change")
    agent.get_by_label("Contraseña actual").fill(temporary)
    agent.get_by_label("Contraseña nueva", exact=True).fill("pino-azul-del-norte")
    agent.get_by_label("Repita la contraseña nueva").fill("pino-azul-del-norte")
    agent.get_by_role("button", name="Guardar la contraseña nueva").click()
    expect(agent).to_have_url(re.compile(r"/agent$"))
    other.close()

    page.goto("/manager/users")
    _english(page)
    expect(page.locator("#people")).to_contain_text("Last sign-in")
    expect(page.locator("#people")).to_contain_text("Disabled")
    shot(page, "manager-users-english")
    session.rollback()
    agente2 = session.scalars(select(User).where(User.username == "agente2")).one()
    assert agente2.is_active is False


def test_a_manager_uploads_payments_a_do_not_contact_list_and_withdrawals(
    session: Session, app_url: str, page: Page
) -> None:
    client = make_client(session, name="Cablevisión Norte")
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    make_account(session, client=client, ref="CV-1", balance="2500.00", phone="+525512345601")
    make_account(session, client=client, ref="CV-2", balance="900.00", phone="+525512345602")
    make_account(session, client=client, ref="CV-3", balance="900.00", phone="+525512345603")
    session.commit()
    sign_in(page, "gerente")
    page.get_by_role("link", name="Cargas").click()

    payments = (
        "Cuenta,Monto,Fecha,Folio\r\n"
        'CV-1,"2,5 mil pesos",20/11/2026,F-1\r\n'
        "CV-9,10,20/11/2026,F-2\r\n"
    )
    page.get_by_label("Archivo").first.set_input_files(
        {"name": "pagos.csv", "mimeType": "text/csv", "buffer": payments.encode()}
    )
    page.locator("form[action='/manager/uploads/payments'] button").click()
    expect(page.locator("#upload-summary")).to_contain_text("Pagos registrados")
    expect(page.locator("#rejects")).to_contain_text("No existe la cuenta CV-9")
    shot(page, "manager-upload-payments")
    with page.expect_download() as download_info:
        page.locator("#rejects-link").click()
    rejects = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert rejects.startswith("Fila,Columna,Valor,Motivo,Resultado")

    page.locator("#dnc-file").set_input_files(
        {"name": "no.csv", "mimeType": "text/csv", "buffer": b"Telefono\r\n55 1234 5602\r\n"}
    )
    page.locator("form[action='/manager/uploads/do-not-contact'] button").click()
    expect(page.locator("#upload-summary")).to_contain_text("Agregados a la lista")
    shot(page, "manager-upload-do-not-contact")

    _english(page)
    page.locator("#withdrawals-file").set_input_files(
        {"name": "ret.csv", "mimeType": "text/csv", "buffer": b"Account number\r\nCV-3\r\nCV-8\r\n"}
    )
    page.locator("form[action='/manager/uploads/withdrawals'] button").click()
    expect(page.locator("#upload-summary")).to_contain_text("Accounts withdrawn")
    expect(page.locator("#rejects")).to_contain_text("Row")
    shot(page, "manager-upload-withdrawals-english")

    session.rollback()
    assert [str(p.amount) for p in session.scalars(select(Payment))] == ["2500.00"]
    assert session.scalars(select(DoNotContact.value)).all() == ["+525512345602"]
    withdrawn = session.scalars(select(Account).where(Account.account_ref == "CV-3")).one()
    assert withdrawn.status == AccountStatus.CLOSED
