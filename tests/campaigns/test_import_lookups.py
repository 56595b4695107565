"""The import's set-based lookups: what the database holds for a batch, and nothing held after."""

import gc

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.bulk_collector import cycle_collector_paused
from campaigns.models import Account
from campaigns.portfolio_import.writing.bulk import QUERY_CHUNK, rows_matching
from tests.factories import make_account, make_client


def test_a_lookup_finds_the_batch_references_the_database_holds(session: Session) -> None:
    client = make_client(session)
    stored = {make_account(session, client=client).account_ref for _ in range(3)}
    asked = sorted(stored | {f"NEW-{i}" for i in range(2 * QUERY_CHUNK)})
    query = select(Account.account_ref).where(Account.client_id == client.id)
    assert {
        row.account_ref for row in rows_matching(session, query, Account.account_ref, asked)
    } == stored


def test_a_lookup_leaves_nothing_holding_the_batch_values(session: Session) -> None:
    """The import pauses the cyclic collector: a statement that held a batch's 20,000
    references (in a reference cycle, or in the compiled-statement cache) kept them in memory."""
    client = make_client(session)
    values = [f"REF-{i:07d}" for i in range(2 * QUERY_CHUNK)]
    query = select(Account.id).where(Account.client_id == client.id)
    with cycle_collector_paused():
        for _ in range(2):  # the first compiles the statement, the second reuses it
            assert list(rows_matching(session, query, Account.account_ref, values)) == []
        held = [
            o
            for o in gc.get_objects()
            if isinstance(o, list | tuple)
            and o is not values
            and len(o) >= QUERY_CHUNK
            and str(o[0]).startswith("REF-")
        ]
    assert held == []
