"""Do-not-contact lists: phones or documents never to be contacted, for one creditor or (admins
only) for every creditor of the BPO. Pending attempts and callbacks to them are cancelled at once;
the scheduler and the send-time check refuse them from then on."""

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements.contact import cancel_pending_contact
from campaigns.clients import client_to_change
from campaigns.errors import Forbidden, Invalid
from campaigns.i18n import _
from campaigns.list_uploads.summary import ListUploadSummary, Row
from campaigns.models import Account, AuditEvent, ContactPoint, Debtor, DoNotContact
from campaigns.portfolio_import.headers import NATIONAL_ID, PHONE
from campaigns.portfolio_import.rejects import rejects_csv
from campaigns.portfolio_import.rows import Problem
from campaigns.portfolio_import.values import ValueProblem, parse_phone
from campaigns.tabular import Column, map_columns, read_table
from campaigns.tenancy import session_viewer

log = logging.getLogger(__name__)

REASON = Column("reason", ("motivo", "razon", "comentario", "observaciones", "reason", "note"))
COLUMNS = (PHONE, NATIONAL_ID, REASON)
SOURCE = "do-not-contact list"


def import_do_not_contact(
    session: Session,
    *,
    client_id: int | None,
    filename: str,
    content: bytes,
    by_id: int | None,
    by_label: str,
    locale: str,
    now: datetime,
) -> ListUploadSummary:
    """Add a file of phones and/or documents to the do-not-contact list of a creditor (or of the
    whole BPO when client_id is None: administrators only)."""
    viewer = session_viewer(session)
    if client_id is None:
        if viewer is not None and viewer.client_ids is not None:
            raise Forbidden(_("Only an administrator can add to the list of the whole BPO."))
        region = "MX"
    else:
        region = client_to_change(session, client_id=client_id).country
    table = read_table(content, filename=filename)
    columns = map_columns(table.headers, COLUMNS)
    if columns.first("phone") is None and columns.first("national_id") is None:
        raise Invalid(
            _("The file needs a phone column or a document column (telefono, documento, rfc…).")
        )
    problems: list[Problem] = []
    applied = already = 0
    account_ids: set[int] = set()
    cancelled = 0
    for number, cells in table.rows:
        row = Row(number, cells, columns, table.headers)
        reason = row.cell("reason")[:200] or SOURCE
        phone, document = row.cell("phone"), "".join(row.cell("national_id").split()).upper()
        if not phone and not document:
            row.problem("phone", _("The row has neither a phone nor a document."))
        value = None
        if phone:
            try:
                value = parse_phone(phone, region=region).e164
            except ValueProblem as error:
                row.problem("phone", error.message, **error.params)
        debtors: list[Debtor] = []
        if document:
            query = select(Debtor).where(Debtor.national_id == document)
            if client_id is not None:
                query = query.where(Debtor.client_id == client_id)
            debtors = list(session.scalars(query))
            if not debtors:
                row.problem(
                    "national_id",
                    _("No debtor with document {value}; check it against the portfolio."),
                    value=document,
                )
        if row.problems:
            problems.extend(row.problems)
            continue
        added = False
        if value is not None:
            added |= _list(session, client_id=client_id, value=value, reason=reason, now=now)
            points = session.execute(
                select(ContactPoint.id, Account.id)
                .join(Account, Account.debtor_id == ContactPoint.debtor_id)
                .where(ContactPoint.value == value)
                .where(*([Account.client_id == client_id] if client_id is not None else []))
            ).all()
            for point_id, account_id in points:
                account_ids.add(account_id)
                cancelled += cancel_pending_contact(
                    session,
                    account_id=account_id,
                    contact_point_id=point_id,
                    now=now,
                    reason="do not contact",
                )[0]
        for debtor in debtors:
            added |= _list(
                session, client_id=client_id, debtor_id=debtor.id, reason=reason, now=now
            )
            ids = list(session.scalars(select(Account.id).where(Account.debtor_id == debtor.id)))
            account_ids.update(ids)
            cancelled += cancel_pending_contact(
                session, account_ids=ids, now=now, reason="do not contact"
            )[0]
        if added:
            applied += 1
        else:
            already += 1
    summary = ListUploadSummary(
        filename=filename,
        rows_read=len(table.rows),
        applied=applied,
        already=already,
        rejected=len({p.row for p in problems}),
        accounts_affected=len(account_ids),
        attempts_cancelled=cancelled,
        rejects_csv=rejects_csv(problems, locale) if problems else "",
        unused_columns=columns.unused,
    )
    session.add(
        AuditEvent(
            client_id=client_id,
            actor_id=by_id,
            actor_label=by_label,
            action="do_not_contact.imported",
            entity_type="do_not_contact",
            entity_id=None,
            data={
                "filename": filename,
                "scope": "client" if client_id else "bpo",
                **summary.as_json(),
            },
            created_at=now,
        )
    )
    session.flush()
    log.info(
        "do-not-contact list: %s rows, %s added, %s rejected",
        summary.rows_read,
        applied,
        summary.rejected,
    )
    return summary


def _list(
    session: Session,
    *,
    client_id: int | None,
    reason: str,
    now: datetime,
    value: str | None = None,
    debtor_id: int | None = None,
) -> bool:
    """Add one entry unless the same list already has it; whether it was added."""
    same_list = (
        DoNotContact.client_id.is_(None)
        if client_id is None
        else DoNotContact.client_id == client_id
    )
    match = (
        DoNotContact.value == value if value is not None else DoNotContact.debtor_id == debtor_id
    )
    if session.scalar(select(DoNotContact.id).where(same_list, match)) is not None:
        return False
    session.add(
        DoNotContact(
            client_id=client_id,
            value=value,
            debtor_id=debtor_id,
            reason=reason,
            source=SOURCE,
            created_at=now,
        )
    )
    session.flush()
    return True
