"""Manager pages: creditors, portfolio uploads, campaigns (editor, preview, start/pause), users."""

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from campaigns import users
from campaigns.campaign_defs import (
    campaign_out,
    create_campaign,
    get_campaign,
    list_campaigns,
    parse_definition,
    pause_campaign,
    start_campaign,
    update_campaign,
)
from campaigns.campaign_defs.service import to_definition
from campaigns.clients import create_client, list_clients
from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import _
from campaigns.models import Client, ComplianceProfile, Role, User, utcnow
from campaigns.portfolio_import.service import import_portfolio
from campaigns.portfolios import get_portfolio, list_portfolios
from campaigns.scheduler import preview_campaign
from console.deps import ManagerUser, SessionDep
from console.pages.common import PageRoute, back_to, page_locale, render

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)
EDITOR_FIELDS = ("filter", "steps", "retry_rules", "script", "templates")


@router.get("")
def creditors(request: Request, db: SessionDep, user: ManagerUser) -> Response:
    """The creditors you work, with their policy, and a form to add one."""
    return _creditors_page(request, db, user)


def _creditors_page(
    request: Request, db: Session, user: User, error: str = "", form: dict[str, str] | None = None
) -> Response:
    return render(
        request,
        "manager/creditors.html",
        user=user,
        clients=list_clients(db),
        profiles=list(ComplianceProfile),
        error=error,
        form=form or {},
        status_code=422 if error else 200,
    )


@router.post("/creditors")
def add_creditor(
    request: Request,
    db: SessionDep,
    user: ManagerUser,
    name: Annotated[str, Form()],
    country: Annotated[str, Form()] = "MX",
    currency: Annotated[str, Form()] = "MXN",
    timezone: Annotated[str, Form()] = "America/Mexico_City",
    profile: Annotated[str, Form()] = "MX",
    max_promise_days: Annotated[int, Form()] = 15,
    discount: Annotated[str, Form()] = "10",
    down_payment: Annotated[str, Form()] = "20",
    max_installments: Annotated[int, Form()] = 6,
) -> Response:
    """Add a creditor with its negotiation policy."""
    form = {"name": name, "country": country, "currency": currency, "timezone": timezone}
    try:
        create_client(
            db,
            name=name.strip(),
            country=country,
            currency=currency,
            timezone=timezone,
            profile=ComplianceProfile(profile),
            max_promise_days=max_promise_days,
            early_payment_discount_pct=_percent(discount),
            min_down_payment_pct=_percent(down_payment),
            max_installments=max_installments,
        )
    except AcuerdoError as error:
        db.rollback()
        return _creditors_page(request, db, user, error.render(page_locale(request)), form)
    return back_to("/manager")


def _percent(text: str) -> Decimal:
    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation as error:
        raise Invalid(_("Percentages must be between 0 and 100.")) from error


def _portfolios_page(
    request: Request,
    db: Session,
    user: User,
    *,
    summary: Any = None,
    rejects: list[dict[str, str]] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "manager/portfolios.html",
        user=user,
        clients=list_clients(db),
        imports=list_portfolios(db),
        summary=summary,
        rejects=rejects or [],
        error=error,
        status_code=status_code,
    )


@router.get("/portfolios")
def portfolios(request: Request, db: SessionDep, user: ManagerUser) -> Response:
    """Upload a portfolio file; recent imports; the escalation export."""
    return _portfolios_page(request, db, user)


@router.post("/portfolios")
def upload(
    request: Request,
    db: SessionDep,
    user: ManagerUser,
    client_id: Annotated[int, Form()],
    file: UploadFile,
) -> Response:
    """Import the file and show its summary, the first rejects and the rejects file link."""
    try:
        summary = import_portfolio(
            db,
            client_id=client_id,
            filename=file.filename or "cartera.csv",
            content=file.file.read(),
            uploaded_by_id=user.id,
        )
    except AcuerdoError as error:
        db.rollback()
        return _portfolios_page(
            request,
            db,
            user,
            error=error.render(page_locale(request)),
            status_code=error.status_code,
        )
    stored = get_portfolio(db, portfolio_id=summary.portfolio_id)
    rejects = list(csv.DictReader(io.StringIO(stored.rejects_csv)))[:50]
    return _portfolios_page(request, db, user, summary=summary, rejects=rejects)


@router.get("/campaigns")
def campaigns(request: Request, db: SessionDep, user: ManagerUser) -> Response:
    """Every campaign of the creditors you work, with start and pause."""
    return render(
        request,
        "manager/campaigns.html",
        user=user,
        campaigns=[campaign_out(db, c) for c in list_campaigns(db)],
    )


def _editor_texts(definition: dict[str, Any]) -> dict[str, str]:
    return {
        key: yaml.safe_dump(
            definition.get(key) or ({} if key != "steps" else []),
            allow_unicode=True,
            sort_keys=False,
        )
        for key in EDITOR_FIELDS
    }


def _editor(
    request: Request,
    db: Session,
    user: User,
    *,
    campaign_id: int | None,
    values: dict[str, Any],
    texts: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "manager/campaign_edit.html",
        user=user,
        campaign_id=campaign_id,
        clients=list_clients(db),
        values=values,
        texts=texts,
        errors=errors or {},
        status_code=status_code,
    )


@router.get("/campaigns/new")
def new_campaign(request: Request, db: SessionDep, user: ManagerUser) -> Response:
    """An empty campaign editor with sensible defaults."""
    default = {
        "filter": {"min_days_overdue": 1, "max_days_overdue": 30},
        "steps": [{"day": 0, "channel": "voice"}],
        "retry_rules": {},
        "script": {},
        "templates": {},
    }
    return _editor(
        request,
        db,
        user,
        campaign_id=None,
        values={
            "name": "",
            "client": "",
            "priority": 0,
            "dialing_mode": "progressive",
            "max_lines": 50,
            "caller_id": "",
        },
        texts=_editor_texts(default),
    )


@router.get("/campaigns/{campaign_id}")
def edit_campaign(
    request: Request, db: SessionDep, user: ManagerUser, campaign_id: int
) -> Response:
    """The editor of one campaign (saving is allowed while draft or paused)."""
    campaign = get_campaign(db, campaign_id=campaign_id)
    definition = to_definition(campaign, db.get_one(Client, campaign.client_id))
    data = definition.model_dump(mode="json")
    return _editor(
        request,
        db,
        user,
        campaign_id=campaign.id,
        values={**data, "caller_id": data.get("caller_id") or "", "status": str(campaign.status)},
        texts=_editor_texts(data),
    )


def error_field(error: AcuerdoError) -> str:
    """Which part of the editor a save-time error is about."""
    where = str(error.params.get("where") or error.params.get("field") or error.message)
    for key, words in (
        ("templates", ("templates", "template")),
        ("script", ("script",)),
        ("filter", ("filter", "status", "bucket", "balance")),
        ("retry_rules", ("retry",)),
        ("steps", ("step", "day 0")),
    ):
        if any(word in where.lower() for word in words):
            return key
    return "general"


@router.post("/campaigns/save")
async def save_campaign(request: Request, db: SessionDep, user: ManagerUser) -> Response:
    """Check and store the definition; the check's messages are shown next to their fields."""
    form = await request.form()
    values = {
        key: str(form.get(key) or "")
        for key in (
            "name",
            "client",
            "priority",
            "dialing_mode",
            "max_lines",
            "caller_id",
            "campaign_id",
        )
    }
    texts = {key: str(form.get(key) or "") for key in EDITOR_FIELDS}
    campaign_id = int(values["campaign_id"]) if values["campaign_id"] else None
    locale = page_locale(request)
    data: dict[str, Any] = {
        "name": values["name"],
        "client": values["client"],
        "dialing_mode": values["dialing_mode"],
        "priority": values["priority"] or 0,
        "max_lines": values["max_lines"] or 50,
        "caller_id": values["caller_id"] or None,
    }
    errors: dict[str, str] = {}
    for key in EDITOR_FIELDS:
        try:
            parsed = yaml.safe_load(texts[key]) if texts[key].strip() else None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            errors[key] = Invalid(
                _("This is not valid YAML (line {line})."), line=(mark.line + 1) if mark else "?"
            ).render(locale)
            continue
        if parsed is not None:
            data["filter" if key == "filter" else key] = parsed
    if not errors:
        try:
            definition = parse_definition(data)
            if campaign_id is None:
                campaign = create_campaign(
                    db, definition=definition, by_id=user.id, by_label=user.username
                )
            else:
                campaign = update_campaign(
                    db,
                    campaign_id=campaign_id,
                    definition=definition,
                    by_id=user.id,
                    by_label=user.username,
                )
            return back_to(f"/manager/campaigns/{campaign.id}/preview")
        except AcuerdoError as error:
            db.rollback()
            errors[error_field(error)] = error.render(locale)
    return _editor(
        request,
        db,
        user,
        campaign_id=campaign_id,
        values=values,
        texts=texts,
        errors=errors,
        status_code=422,
    )


@router.get("/campaigns/{campaign_id}/preview")
def preview(request: Request, db: SessionDep, user: ManagerUser, campaign_id: int) -> Response:
    """Who the campaign would contact now, and the rule that leaves out each of the others."""
    result = preview_campaign(db, campaign_id=campaign_id, at=utcnow(), limit=100)
    campaign = get_campaign(db, campaign_id=campaign_id)
    client = db.get_one(Client, campaign.client_id)
    return render(
        request,
        "manager/campaign_preview.html",
        user=user,
        preview=result,
        campaign=campaign_out(db, campaign),
        client=client,
    )


@router.post("/campaigns/{campaign_id}/start")
def start(db: SessionDep, user: ManagerUser, campaign_id: int) -> Response:
    """Start or resume a campaign."""
    start_campaign(db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow())
    return back_to("/manager/campaigns")


@router.post("/campaigns/{campaign_id}/pause")
def pause(db: SessionDep, user: ManagerUser, campaign_id: int) -> Response:
    """Pause a campaign."""
    pause_campaign(db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow())
    return back_to("/manager/campaigns")


def _users_page(
    request: Request,
    db: Session,
    user: User,
    *,
    error: str = "",
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "manager/users.html",
        user=user,
        people=users.list_users(db),
        clients=list_clients(db),
        roles=list(Role),
        error=error,
        form=form or {},
        status_code=status_code,
    )


@router.get("/users")
def users_page(request: Request, db: SessionDep, user: ManagerUser) -> Response:
    """People who sign in, their roles, and a form to add one."""
    return _users_page(request, db, user)


@router.post("/users")
async def add_user(request: Request, db: SessionDep, user: ManagerUser) -> Response:
    """Add a user with a role (client viewers belong to exactly one creditor)."""
    form = await request.form()
    fields = {k: str(form.get(k) or "") for k in ("username", "full_name", "role", "locale")}
    try:
        if fields["role"] not in set(Role) or (
            fields["role"] == Role.ADMIN and user.role != Role.ADMIN
        ):
            raise Invalid(_("Choose one of the roles offered."))
        users.create_user(
            db,
            username=fields["username"].strip(),
            password=str(form.get("password") or ""),
            role=Role(fields["role"]),
            full_name=fields["full_name"].strip(),
            client_names=[str(c) for c in form.getlist("clients")],
            locale=fields["locale"] or "es_MX",
        )
    except AcuerdoError as error:
        db.rollback()
        return _users_page(
            request,
            db,
            user,
            error=error.render(page_locale(request)),
            form=fields,
            status_code=422,
        )
    return back_to("/manager/users")
