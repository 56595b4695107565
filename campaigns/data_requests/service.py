"""Filing, listing and answering data-subject requests; opposition stops contact at once."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements.contact import cancel_pending_contact
from campaigns.agreements.notes import check_notes
from campaigns.audit import record
from campaigns.data_requests.deadlines import RequestKind, business_days_left, due_on, law_for
from campaigns.errors import Conflict, Invalid, NotFound
from campaigns.i18n import _
from campaigns.models import Account, Client, DataSubjectRequest, Debtor, DoNotContact

OPEN = "open"
ANSWERED = "answered"
MAX_TEXT = 2000
OPPOSITION_REASON = "data-subject opposition"


@dataclass(frozen=True)
class RequestRow:
    """A request as a manager's list shows it."""

    request: DataSubjectRequest
    debtor_name: str
    account_ref: str | None
    creditor: str
    days_left: int

    @property
    def overdue(self) -> bool:
        """Still open after its statutory date."""
        return self.request.status == OPEN and self.days_left < 0


def file_request(
    session: Session,
    *,
    account: Account,
    kind: RequestKind,
    details: str,
    source: str,
    now: datetime,
    actor_id: int | None = None,
) -> DataSubjectRequest:
    """Record a request with its statutory due date; an opposition stops contact for the
    creditor that holds the data (a do-not-contact entry for the debtor) in the same
    transaction."""
    if len(details) > MAX_TEXT:
        raise Invalid(_("Write at most {count} characters."), count=MAX_TEXT)
    text = check_notes(details.strip()) if details.strip() else ""
    client = session.get_one(Client, account.client_id)
    debtor = session.get_one(Debtor, account.debtor_id)
    received = now.astimezone(ZoneInfo(client.timezone)).date()
    law = law_for(client.country)
    row = DataSubjectRequest(
        client_id=account.client_id,
        debtor_id=debtor.id,
        account_id=account.id,
        kind=kind,
        law=law,
        details=text,
        source=source,
        status=OPEN,
        received_on=received,
        due_on=due_on(received, law=law, kind=kind, country=client.country),
        answer="",
        created_at=now,
    )
    session.add(row)
    session.flush()
    if kind == RequestKind.OPPOSITION:
        _stop_contact(session, debtor=debtor, source=source, now=now)
    record(
        session,
        action="data_request.filed",
        entity=row,
        actor_id=actor_id,
        actor_label=source,
        at=now,
        data={"kind": str(kind), "law": str(law), "due_on": row.due_on.isoformat()},
    )
    return row


def _stop_contact(session: Session, *, debtor: Debtor, source: str, now: datetime) -> None:
    listed = session.scalar(
        select(DoNotContact.id).where(
            DoNotContact.client_id == debtor.client_id, DoNotContact.debtor_id == debtor.id
        )
    )
    if listed is None:
        session.add(
            DoNotContact(
                client_id=debtor.client_id,
                debtor_id=debtor.id,
                reason=OPPOSITION_REASON,
                source=source[:80],
                created_at=now,
            )
        )
    account_ids = session.scalars(select(Account.id).where(Account.debtor_id == debtor.id)).all()
    cancel_pending_contact(session, account_ids=account_ids, now=now, reason=OPPOSITION_REASON)


def answer_request(
    session: Session, *, request_id: int, answer: str, user_id: int, now: datetime
) -> DataSubjectRequest:
    """Mark a request answered, with what the creditor answered."""
    row = session.get(DataSubjectRequest, request_id)
    if row is None:
        raise NotFound(_("No data request with id {id}."), id=request_id)
    if row.status != OPEN:
        raise Conflict(_("This request was already answered."))
    if not answer.strip() or len(answer) > MAX_TEXT:
        raise Invalid(_("Write the answer (at most {count} characters)."), count=MAX_TEXT)
    row.answer = check_notes(answer.strip())
    row.status = ANSWERED
    row.answered_at = now
    row.answered_by_id = user_id
    record(
        session,
        action="data_request.answered",
        entity=row,
        actor_id=user_id,
        actor_label=f"manager:{user_id}",
        at=now,
        data={"kind": row.kind},
    )
    return row


def list_requests(session: Session, *, today: date, open_only: bool = False) -> list[RequestRow]:
    """Requests the session may see, the nearest due first, with business days left."""
    query = (
        select(DataSubjectRequest, Debtor.name, Account.account_ref, Client.name, Client.country)
        .join(Debtor, Debtor.id == DataSubjectRequest.debtor_id)
        .join(Client, Client.id == DataSubjectRequest.client_id)
        .outerjoin(Account, Account.id == DataSubjectRequest.account_id)
        .order_by(DataSubjectRequest.status.desc(), DataSubjectRequest.due_on)
    )
    if open_only:
        query = query.where(DataSubjectRequest.status == OPEN)
    return [
        RequestRow(row, name, ref, creditor, business_days_left(today, row.due_on, country))
        for row, name, ref, creditor, country in session.execute(query).all()
    ]


def debtor_requests(session: Session, *, debtor_id: int) -> list[DataSubjectRequest]:
    """One debtor's requests, newest first."""
    return list(
        session.scalars(
            select(DataSubjectRequest)
            .where(DataSubjectRequest.debtor_id == debtor_id)
            .order_by(DataSubjectRequest.created_at.desc())
        )
    )
