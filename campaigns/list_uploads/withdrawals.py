"""Withdrawals: accounts the creditor takes back. Each leaves every campaign at once: it is
closed (the scheduler matches only open accounts and the send-time check refuses closed ones),
and its pending attempts and callbacks are cancelled."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns import audit
from campaigns.agreements.contact import cancel_pending_contact, set_status
from campaigns.agreements.payments.headers import ACCOUNT_REF
from campaigns.clients import client_to_change
from campaigns.i18n import _
from campaigns.list_uploads.do_not_contact import REASON
from campaigns.list_uploads.summary import ListUploadSummary, Row
from campaigns.models import Account, AccountStatus
from campaigns.portfolio_import.rejects import rejects_csv
from campaigns.portfolio_import.rows import Problem
from campaigns.tabular import ColumnMap, map_columns, read_table, require_columns

COLUMNS = (ACCOUNT_REF, REASON)
FINISHED = frozenset({AccountStatus.CLOSED, AccountStatus.PAID})


def import_withdrawals(
    session: Session,
    *,
    client_id: int,
    filename: str,
    content: bytes,
    by_id: int | None,
    by_label: str,
    locale: str,
    now: datetime,
) -> ListUploadSummary:
    """Close the accounts a creditor withdraws and stop every contact with them."""
    client = client_to_change(session, client_id=client_id)
    table = read_table(content, filename=filename)
    columns = map_columns(table.headers, COLUMNS)
    require_columns(columns, COLUMNS)
    refs = {row.cell("account_ref") for row in _rows(table.rows, columns, table.headers)}
    accounts = {
        a.account_ref: a
        for a in session.scalars(
            select(Account).where(Account.client_id == client.id, Account.account_ref.in_(refs))
        )
    }
    problems: list[Problem] = []
    applied = already = cancelled = 0
    seen: set[str] = set()
    for row in _rows(table.rows, columns, table.headers):
        ref = row.cell("account_ref")
        account = accounts.get(ref)
        if not ref:
            row.problem("account_ref", _("The account number is blank."))
        elif account is None:
            row.problem(
                "account_ref",
                _("No account {ref} for this creditor; check the number against the portfolio."),
                ref=ref,
            )
        if row.problems or account is None:
            problems.extend(row.problems)
            continue
        if ref in seen or account.status in FINISHED:
            already += 1
            continue
        seen.add(ref)
        before = str(account.status)
        set_status(account, AccountStatus.CLOSED, now)
        cancelled += cancel_pending_contact(
            session, account_id=account.id, now=now, reason="withdrawn by the creditor"
        )[0]
        audit.record(
            session,
            action="account.withdrawn",
            entity=account,
            actor_id=by_id,
            actor_label=by_label,
            at=now,
            data={"filename": filename, "before": before, "reason": row.cell("reason")[:200]},
        )
        applied += 1
    session.flush()
    return ListUploadSummary(
        filename=filename,
        rows_read=len(table.rows),
        applied=applied,
        already=already,
        rejected=len({p.row for p in problems}),
        accounts_affected=applied,
        attempts_cancelled=cancelled,
        rejects_csv=rejects_csv(problems, locale) if problems else "",
        unused_columns=columns.unused,
    )


def _rows(rows: list[tuple[int, list[str]]], columns: ColumnMap, headers: list[str]) -> list[Row]:
    return [Row(number, cells, columns, headers) for number, cells in rows]
