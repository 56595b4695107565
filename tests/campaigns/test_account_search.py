"""Finding an account: any writing of a phone, names without accents or case, documents and
references, and never another creditor's account."""

import pytest
from sqlalchemy.orm import Session

from campaigns.accounts.search import search_accounts
from campaigns.models import Role
from campaigns.tenancy import scope_session, viewer_for
from tests.factories import make_account, make_client, make_user


@pytest.mark.parametrize(
    "typed",
    ["+52 55 1234 5678", "55 1234 5678", "(55) 1234-5678", "044 55 1234 5678", "5215512345678"],
)
def test_any_writing_of_a_phone_finds_the_account(session: Session, typed: str) -> None:
    client = make_client(session)
    make_account(session, client=client, phone="+525512345678", ref="CV-1")
    make_account(session, client=client, phone="+525587654321", ref="CV-2", name="Otro Deudor")
    hits = search_accounts(session, query=typed)
    assert [(h.account_ref, h.matched_on) for h in hits] == [("CV-1", "phone")]


def test_names_match_without_accents_or_case(session: Session) -> None:
    client = make_client(session)
    make_account(session, client=client, name="José Ángel Núñez", ref="A-1", phone=None)
    make_account(session, client=client, name="Jose Luis Perez", ref="A-2", phone=None)
    make_account(session, client=client, name="María Núñez", ref="A-3", phone=None)

    assert [h.account_ref for h in search_accounts(session, query="jose angel nunez")] == ["A-1"]
    assert [h.account_ref for h in search_accounts(session, query="NÚÑEZ")] == ["A-1", "A-3"]
    assert {h.account_ref for h in search_accounts(session, query="  josé  ")} == {"A-1", "A-2"}
    assert search_accounts(session, query="100%") == []


def test_document_and_reference_are_found(session: Session) -> None:
    client = make_client(session)
    account = make_account(session, client=client, ref="CV-000123", phone=None)
    account.debtor.national_id = "PEGJ800101HDFRRN09"
    make_account(session, client=client, ref="CV-000999", phone=None)
    session.flush()

    by_document = search_accounts(session, query="pegj 800101 hdfrrn09")
    assert [(h.account_ref, h.matched_on) for h in by_document] == [("CV-000123", "document")]
    exact = search_accounts(session, query="cv-000123")
    assert [(h.account_ref, h.matched_on) for h in exact] == [("CV-000123", "reference")]
    prefix = search_accounts(session, query="CV-000")
    assert [h.account_ref for h in prefix] == ["CV-000123", "CV-000999"]


def test_a_reader_finds_only_accounts_of_their_creditors(session: Session) -> None:
    mine = make_client(session, name="Cablevisión Norte")
    theirs = make_client(session, name="Red Veloz")
    make_account(session, client=mine, name="Juana Pérez", ref="M-1", phone="+525512345678")
    make_account(session, client=theirs, name="Juana Pérez", ref="T-1", phone="+525512345678")
    supervisor = make_user(session, username="super", role=Role.SUPERVISOR, access=[mine])
    session.flush()
    scope_session(session, viewer_for(session, supervisor))

    assert [h.account_ref for h in search_accounts(session, query="juana perez")] == ["M-1"]
    assert [h.account_ref for h in search_accounts(session, query="55 1234 5678")] == ["M-1"]
    assert search_accounts(session, query="T-1") == []
