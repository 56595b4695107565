"""Do-not-contact lists by document, for one creditor or the whole BPO, and withdrawals: the
accounts they name stop being contacted; the others are untouched."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.list_uploads import import_do_not_contact, import_withdrawals
from campaigns.models import Debtor, DoNotContact
from tests.campaigns.test_scheduler_eligibility import NOW, account, make_campaign, rules
from tests.factories import make_client


def _with_document(session: Session, debtor_id: int, document: str) -> None:
    session.get_one(Debtor, debtor_id).national_id = document
    session.flush()


def test_a_bpo_wide_list_by_document_reaches_every_creditor(session: Session) -> None:
    cable = make_client(session, name="Cable")
    phone = make_client(session, name="Telefonía")
    a = account(session, cable, "A")
    b = account(session, phone, "B")
    c = account(session, phone, "C")
    _with_document(session, a.debtor_id, "PEJJ800101HDFRRN09")
    _with_document(session, b.debtor_id, "PEJJ800101HDFRRN09")
    _with_document(session, c.debtor_id, "OTRO800101HDFRRN01")
    cable_campaign = make_campaign(session, cable, steps=[{"day": 0, "channel": "voice"}])
    phone_campaign = make_campaign(session, phone, steps=[{"day": 0, "channel": "voice"}])

    summary = import_do_not_contact(
        session,
        client_id=None,
        filename="lista.csv",
        content=b"RFC;Motivo\r\npejj 800101 hdfrrn09;queja\r\nNADIE000;\r\n",
        by_id=None,
        by_label="admin",
        locale="es_MX",
        now=NOW,
    )
    assert (summary.applied, summary.rejected, summary.accounts_affected) == (1, 1, 2)
    assert "No hay un deudor con documento NADIE000" in summary.rejects_csv
    entries = session.scalars(select(DoNotContact)).all()
    assert {(e.client_id, e.debtor_id) for e in entries} == {
        (None, a.debtor_id),
        (None, b.debtor_id),
    }
    assert rules(session, cable_campaign, NOW)["A"] == "do_not_contact"
    assert rules(session, phone_campaign, NOW) == {"B": "do_not_contact", "C": None}

    again = import_do_not_contact(
        session,
        client_id=None,
        filename="lista.csv",
        content=b"RFC\r\nPEJJ800101HDFRRN09\r\n",
        by_id=None,
        by_label="admin",
        locale="en",
        now=NOW,
    )
    assert (again.applied, again.already) == (0, 1)


def test_withdrawing_twice_counts_the_second_as_already_done(session: Session) -> None:
    client = make_client(session)
    account(session, client, "A")
    campaign = make_campaign(session, client, steps=[{"day": 0, "channel": "voice"}])
    first = import_withdrawals(
        session,
        client_id=client.id,
        filename="retiros.xlsx.csv",
        content=b"cuenta\r\nA\r\nA\r\n",
        by_id=None,
        by_label="gerente",
        locale="en",
        now=NOW,
    )
    assert (first.applied, first.already, first.rejected) == (1, 1, 0)
    assert rules(session, campaign, NOW) == {}
