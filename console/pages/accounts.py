"""Account pages: search, the account with its whole history, actions, and the evidence pack.

Staff of a creditor (agents, supervisors, managers; admins everywhere) and the creditor's own
client viewers find and open its accounts; the identity is masked until a manager or admin
reveals it, and each reveal is audited. Supervisors and managers act on the account; staff who
may open it can schedule a callback. The evidence pack is for managers, admins and the
creditor's own client viewers.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from campaigns.accounts.account_file import account_file
from campaigns.accounts.actions import (
    ActionRefused,
    Actor,
    add_do_not_contact,
    correct_phone,
    open_dispute,
    resolve_dispute,
    reveal_identity,
    schedule_callback,
)
from campaigns.accounts.conversation import (
    conversation,
    inbox,
    mark_read,
    send_answer,
    unread_count,
    whatsapp_window_open,
)
from campaigns.accounts.evidence import build_evidence_pack, evidence_zip
from campaigns.accounts.search import search_accounts
from campaigns.errors import AcuerdoError
from campaigns.i18n import _
from campaigns.models import Channel, Role, User, utcnow
from campaigns.scheduler.rules_explained import rule_explanation, rule_name
from console.deps import DbId, PostedForm, SessionDep, form_id, require_roles
from console.pages.common import PageRoute, back_to, page_locale, render
from console.screen import mask_name, mask_tail

router = APIRouter(prefix="/accounts", route_class=PageRoute, include_in_schema=False)
StaffUser = Annotated[User, Depends(require_roles(Role.AGENT, Role.SUPERVISOR, Role.MANAGER))]
ReaderUser = Annotated[
    User,
    Depends(require_roles(Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.CLIENT_VIEWER)),
]
ActingUser = Annotated[User, Depends(require_roles(Role.SUPERVISOR, Role.MANAGER))]
RevealingUser = Annotated[User, Depends(require_roles(Role.MANAGER))]
EvidenceUser = Annotated[User, Depends(require_roles(Role.MANAGER, Role.CLIENT_VIEWER))]
MAX_QUERY = 120


def _actor(user: User) -> Actor:
    return Actor(user.id, user.username)


@router.get("")
def search_page(request: Request, db: SessionDep, user: ReaderUser, q: str = "") -> Response:
    """Find an account by reference, name, document or phone."""
    query = q.strip()[:MAX_QUERY]
    hits = search_accounts(db, query=query) if query else []
    return render(
        request,
        "accounts/search.html",
        user=user,
        query=query,
        hits=hits,
        searched=bool(query),
        mask_name=mask_name,
        mask_tail=mask_tail,
    )


@router.get("/inbox")
def inbox_page(request: Request, db: SessionDep, user: StaffUser) -> Response:
    """Accounts whose debtors replied and nobody has read yet, the longest waiting first."""
    return render(
        request,
        "accounts/inbox.html",
        user=user,
        rows=inbox(db),
        unread=unread_count(db),
        mask_name=mask_name,
    )


def _account_page(
    request: Request,
    db: Any,
    user: User,
    account_id: int,
    *,
    revealed: bool = False,
    errors: dict[str, str] | None = None,
    notice: str = "",
) -> Response:
    now = utcnow()
    file = account_file(db, account_id=account_id, now=now)
    locale = page_locale(request)
    phones = [pf.point for pf in file.points if pf.point.kind == "phone" and not pf.point.invalid]
    return render(
        request,
        "accounts/account.html",
        user=user,
        file=file,
        revealed=revealed,
        may_reveal=Role(user.role) in (Role.MANAGER, Role.ADMIN),
        may_act=Role(user.role) in (Role.SUPERVISOR, Role.MANAGER, Role.ADMIN),
        may_callback=Role(user.role) != Role.CLIENT_VIEWER,
        may_pack=Role(user.role) in (Role.MANAGER, Role.ADMIN, Role.CLIENT_VIEWER),
        errors=errors or {},
        notice=notice,
        debtor_name=file.debtor.name if revealed else mask_name(file.debtor.name),
        document=file.debtor.national_id if revealed else mask_tail(file.debtor.national_id),
        shown_value=(lambda v: v) if revealed else (lambda v: mask_tail(v, 4)),
        rule_name=lambda rule: rule_name(rule, locale),
        rule_purpose=lambda rule: rule_explanation(rule, locale),
        debtor_zone=file.zones[0],
        lines=conversation(db, account_id=account_id),
        window_open={
            p.id: whatsapp_window_open(db, contact_point_id=p.id, now=now) for p in phones
        },
        templates=sorted((file.client.whatsapp_templates or {}).keys()),
        status_code=422 if errors else 200,
    )


@router.get("/{account_id}")
def account_page(request: Request, db: SessionDep, user: ReaderUser, account_id: DbId) -> Response:
    """One account: masked identity, balance, aging, contact points, timeline, agreements."""
    return _account_page(request, db, user, account_id, notice=request.query_params.get("done", ""))


@router.post("/{account_id}/reveal")
def reveal(request: Request, db: SessionDep, user: RevealingUser, account_id: DbId) -> Response:
    """Show the debtor's full identity; the reveal is audited."""
    reveal_identity(db, account_id=account_id, actor=_actor(user), now=utcnow())
    db.commit()
    return _account_page(request, db, user, account_id, revealed=True)


def _acted(
    request: Request,
    db: Session,
    user: User,
    account_id: int,
    form_name: str,
    action: Callable[..., object],
    **fields: Any,
) -> Response:
    """Run `action(db, account_id=, actor=, now=, **fields)` for the user: redirect back with
    `done`, or the account page with the error under the form (422)."""
    try:
        action(db, account_id=account_id, actor=_actor(user), now=utcnow(), **fields)
    except AcuerdoError as error:
        db.rollback()
        message = error.render(page_locale(request))
        return _account_page(request, db, user, account_id, errors={form_name: message})
    db.commit()
    return back_to(f"/accounts/{account_id}?done={form_name}")


@router.post("/{account_id}/do-not-contact")
def do_not_contact(
    request: Request, db: SessionDep, user: ActingUser, account_id: DbId, form: PostedForm
) -> Response:
    """Mark the debtor, or one of its numbers, as not to be contacted."""
    point_id = form_id(str(form.get("contact_point_id") or ""), field="contact_point_id")
    return _acted(
        request,
        db,
        user,
        account_id,
        "do_not_contact",
        add_do_not_contact,
        contact_point_id=point_id,
        reason=str(form.get("reason") or ""),
    )


@router.post("/{account_id}/phones/{point_id}")
def correct(
    request: Request,
    db: SessionDep,
    user: ActingUser,
    account_id: DbId,
    point_id: DbId,
    form: PostedForm,
) -> Response:
    """Correct a phone: the new number is added, the old one kept as invalid."""
    return _acted(
        request,
        db,
        user,
        account_id,
        f"phone_{point_id}",
        correct_phone,
        contact_point_id=point_id,
        value=str(form.get("phone") or ""),
    )


def _debtor_moment(text: str, zone: str) -> datetime:
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise ActionRefused(_("Choose the date and time of the callback.")) from error
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(zone))
    return local.astimezone(ZoneInfo("UTC"))


@router.post("/{account_id}/callbacks")
def callback(
    request: Request, db: SessionDep, user: StaffUser, account_id: DbId, form: PostedForm
) -> Response:
    """Schedule a call back at a time the contact rules allow (the debtor's local time)."""
    point_id = form_id(str(form.get("contact_point_id") or ""), field="contact_point_id")

    def schedule(db: Session, *, account_id: int, actor: Actor, now: datetime) -> None:
        if point_id is None:
            raise ActionRefused(_("Choose the phone to call back."))
        zone = account_file(db, account_id=account_id, now=now).zones[0]
        schedule_callback(
            db,
            account_id=account_id,
            contact_point_id=point_id,
            due_at=_debtor_moment(str(form.get("due_at") or ""), zone),
            owner_agent_id=user.id if Role(user.role) == Role.AGENT else None,
            actor=actor,
            now=now,
        )

    return _acted(request, db, user, account_id, "callback", schedule)


@router.post("/{account_id}/disputes")
def dispute(
    request: Request, db: SessionDep, user: ActingUser, account_id: DbId, form: PostedForm
) -> Response:
    """Open a dispute: contact holds until it is resolved."""
    reason = str(form.get("reason") or "")
    return _acted(request, db, user, account_id, "dispute", open_dispute, reason=reason)


@router.post("/{account_id}/disputes/{dispute_id}/resolve")
def resolve(
    request: Request,
    db: SessionDep,
    user: ActingUser,
    account_id: DbId,
    dispute_id: DbId,
    form: PostedForm,
) -> Response:
    """Resolve a dispute with a note."""
    return _acted(
        request,
        db,
        user,
        account_id,
        f"resolve_{dispute_id}",
        resolve_dispute,
        dispute_id=dispute_id,
        note=str(form.get("note") or ""),
    )


@router.post("/{account_id}/answers")
def answer(
    request: Request, db: SessionDep, user: StaffUser, account_id: DbId, form: PostedForm
) -> Response:
    """Answer the debtor by SMS or WhatsApp; the worker sends it once the checks allow."""
    point_id = form_id(str(form.get("contact_point_id") or ""), field="contact_point_id")
    channel_text = str(form.get("channel") or "")

    def send(db: Session, *, account_id: int, actor: Actor, now: datetime) -> None:
        if point_id is None or channel_text not in (Channel.SMS, Channel.WHATSAPP):
            raise ActionRefused(_("Choose the phone and the channel of the answer."))
        send_answer(
            db,
            account_id=account_id,
            contact_point_id=point_id,
            channel=Channel(channel_text),
            text=str(form.get("text") or ""),
            template_key=str(form.get("template") or "") or None,
            actor=actor,
            now=now,
        )

    return _acted(request, db, user, account_id, "answer", send)


@router.post("/{account_id}/read")
def read(request: Request, db: SessionDep, user: StaffUser, account_id: DbId) -> Response:
    """Mark the debtor's replies read without answering."""
    return _acted(request, db, user, account_id, "read", mark_read)


@router.get("/{account_id}/evidence.zip")
def evidence(request: Request, db: SessionDep, user: EvidenceUser, account_id: DbId) -> Response:
    """The account's evidence pack (HTML report and CSVs in a zip); its making is audited."""
    locale = page_locale(request)
    pack = build_evidence_pack(
        db, account_id=account_id, locale=locale, actor=_actor(user), now=utcnow()
    )
    ref = "".join(c if c.isalnum() or c in "-_" else "_" for c in pack.account_ref)
    db.commit()
    return Response(
        evidence_zip(pack, locale),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="evidence-{ref}.zip"',
            "Cache-Control": "no-store",
        },
    )
