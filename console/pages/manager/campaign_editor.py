"""Manager pages: the campaign builder (new, edit, save) with its live match count and text
check; a definition is checked as the campaign files are and its messages shown by their fields."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from campaigns.campaign_builder import builder_choices, check_live_text, count_matching
from campaigns.campaign_defs import (
    AGING_BUCKETS,
    SELECTABLE_STATUSES,
    campaign_history,
    create_campaign,
    get_campaign,
    parse_definition,
    to_definition,
    update_campaign,
)
from campaigns.campaign_defs.errors import DefinitionInvalid
from campaigns.clients import get_client_by_name, list_clients
from campaigns.errors import AcuerdoError
from campaigns.i18n import _, translate
from campaigns.models import Client, User, utcnow
from console.deps import DbId, ManagerUser, PostedForm, SessionDep, form_id
from console.i18n_templates import number
from console.pages.common import PageRoute, back_to, page_locale, render
from console.pages.manager.campaign_form import (
    CHANNELS,
    RECYCLE_RESULTS,
    RETRY_RESULTS,
    blank_definition,
    definition_from_form,
    filter_from_form,
    form_message,
    summary_label,
)

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)


def builder_page(
    request: Request,
    db: Session,
    user: User,
    *,
    campaign_id: int | None,
    data: dict[str, Any],
    status: str = "draft",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The builder showing `data`, its errors by field, the live count and the history."""
    clients = list_clients(db)
    client = next((c for c in clients if c.name == data.get("client")), None)
    client = client or (clients[0] if clients else None)
    if client is not None:
        data["client"] = client.name
    history = campaign_history(db, campaign_id=campaign_id) if campaign_id else []
    locale = page_locale(request)
    count = (
        count_matching(
            db, client=client, account_filter=dict(data.get("filter") or {}), now=utcnow()
        )
        if client
        else None
    )
    return render(
        request,
        "manager/campaign_edit.html",
        user=user,
        campaign_id=campaign_id,
        status=status,
        clients=clients,
        client=client,
        choices=builder_choices(db, client=client) if client else None,
        d=data,
        errors=errors or {},
        aging_buckets=list(AGING_BUCKETS),
        selectable_statuses=[str(s) for s in SELECTABLE_STATUSES],
        retry_results=RETRY_RESULTS,
        recycle_results=RECYCLE_RESULTS,
        channels=CHANNELS,
        history=history,
        summary=[
            (
                summary_label(key, locale),
                message,
                "error-" + key.replace(".", "-").replace(" ", "_"),
            )
            for key, message in (errors or {}).items()
        ],
        match_text=_count_text(count, locale),
        status_code=status_code,
    )


@router.get("/campaigns/new")
def new_campaign(request: Request, db: SessionDep, user: ManagerUser, client: str = "") -> Response:
    """An empty campaign builder for a creditor, with sensible defaults."""
    return builder_page(request, db, user, campaign_id=None, data=blank_definition(client))


def stored_definition(db: Session, campaign_id: int) -> tuple[dict[str, Any], str]:
    """The stored campaign as its file's definition, and its status."""
    campaign = get_campaign(db, campaign_id=campaign_id)
    definition = to_definition(campaign, db.get_one(Client, campaign.client_id), db)
    return definition.model_dump(mode="json"), str(campaign.status)


def _client_of(db: Session, name: str) -> Client:
    clients = list_clients(db)
    found = next((c for c in clients if c.name == name), None)
    if found is None and clients and not name:
        return clients[0]
    return found or get_client_by_name(db, name)


def _count_text(count: int | None, locale: str) -> str:
    if count is None:
        return translate(locale, _("Complete the filter to count the accounts."))
    return translate(locale, _("{count} accounts match now."), count=number(count, locale))


@router.get("/campaigns/match-count")
def match_count(request: Request, db: SessionDep, user: ManagerUser) -> JSONResponse:
    """How many of the creditor's accounts the filter being built matches (the live count)."""
    params = request.query_params
    client = _client_of(db, str(params.get("client") or ""))
    account_filter = filter_from_form(params)  # type: ignore[arg-type]
    count = count_matching(db, client=client, account_filter=account_filter, now=utcnow())
    return JSONResponse({"count": count, "text": _count_text(count, page_locale(request))})


@router.post("/campaigns/check-text")
def check_text(
    request: Request, db: SessionDep, user: ManagerUser, form: PostedForm
) -> JSONResponse:
    """A template or script text rendered for a sample account, checked for courtesy, counted."""
    client = _client_of(db, str(form.get("client") or ""))
    locale = page_locale(request)
    result = check_live_text(
        db,
        client=client,
        source=str(form.get("text") or ""),
        now=utcnow(),
        account_filter=filter_from_form(form),
    )
    length = result.length
    return JSONResponse(
        {
            "ok": result.problem is None,
            "rendered": result.rendered,
            "problem": result.problem.render(locale) if result.problem else "",
            "length": translate(
                locale,
                _("{units} characters, {encoding}: {segments} SMS segment(s) of {per} each."),
                units=length.units,
                encoding=length.encoding,
                segments=length.segments,
                per=length.per_segment,
            ),
        }
    )


@router.get("/campaigns/{campaign_id}")
def edit_campaign(
    request: Request, db: SessionDep, user: ManagerUser, campaign_id: DbId
) -> Response:
    """The builder of one campaign (saving is allowed while draft or paused) and its history."""
    data, status = stored_definition(db, campaign_id)
    return builder_page(request, db, user, campaign_id=campaign_id, data=data, status=status)


def form_errors(error: AcuerdoError, locale: str) -> dict[str, str]:
    """The error's messages by the builder's field (`general` when it names none)."""
    if isinstance(error, DefinitionInvalid):
        found: dict[str, str] = {}
        for problem in error.problems:
            found.setdefault(problem.field, error.field_message(problem, locale))
        return found
    return {str(error.params.get("field") or "general"): form_message(error, locale)}


@router.post("/campaigns/save")
def save_campaign(
    request: Request, db: SessionDep, user: ManagerUser, form: PostedForm
) -> Response:
    """Check the campaign as the campaign files are checked and store it; the check's messages
    are shown next to their fields."""
    campaign_id = form_id(str(form.get("campaign_id") or ""), field="campaign_id")
    data = definition_from_form(form)
    locale = page_locale(request)
    try:
        definition = parse_definition(data)
        if campaign_id is None:
            campaign = create_campaign(
                db, definition=definition, by_id=user.id, by_label=user.username, now=utcnow()
            )
        else:
            campaign = update_campaign(
                db,
                campaign_id=campaign_id,
                definition=definition,
                by_id=user.id,
                by_label=user.username,
                now=utcnow(),
            )
        return back_to(f"/manager/campaigns/{campaign.id}/preview")
    except AcuerdoError as error:
        if error.status_code in (403, 404):
            raise
        db.rollback()
        errors = form_errors(error, locale)
    status = str(get_campaign(db, campaign_id=campaign_id).status) if campaign_id else "draft"
    return builder_page(
        request,
        db,
        user,
        campaign_id=campaign_id,
        data=data,
        status=status,
        errors=errors,
        status_code=422,
    )
