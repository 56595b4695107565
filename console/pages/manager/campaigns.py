"""Manager pages: the campaigns list, the editor, the preview, and start and pause."""

from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

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
from campaigns.clients import list_clients
from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import _
from campaigns.models import Client, User, utcnow
from campaigns.scheduler import preview_campaign
from console.deps import DbId, ManagerUser, PostedForm, SessionDep, form_id
from console.pages.common import PageRoute, back_to, page_locale, render

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)

EDITOR_FIELDS = ("filter", "steps", "retry_rules", "script", "templates")


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
            "wrap_up_seconds": "",
            "wrap_up_max_seconds": "",
            "wrap_up_default_disposition": "",
        },
        texts=_editor_texts(default),
    )


@router.get("/campaigns/{campaign_id}")
def edit_campaign(
    request: Request, db: SessionDep, user: ManagerUser, campaign_id: DbId
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
        values={
            **data,
            "caller_id": data.get("caller_id") or "",
            "wrap_up_seconds": data.get("wrap_up_seconds") or "",
            "wrap_up_max_seconds": data.get("wrap_up_max_seconds") or "",
            "wrap_up_default_disposition": data.get("wrap_up_default_disposition") or "",
            "status": str(campaign.status),
        },
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
def save_campaign(
    request: Request, db: SessionDep, user: ManagerUser, form: PostedForm
) -> Response:
    """Check and store the definition; the check's messages are shown next to their fields."""
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
            "wrap_up_seconds",
            "wrap_up_max_seconds",
            "wrap_up_default_disposition",
        )
    }
    texts = {key: str(form.get(key) or "") for key in EDITOR_FIELDS}
    campaign_id = form_id(values["campaign_id"], field="campaign_id")
    locale = page_locale(request)
    data: dict[str, Any] = {
        "name": values["name"],
        "client": values["client"],
        "dialing_mode": values["dialing_mode"],
        "priority": values["priority"] or 0,
        "max_lines": values["max_lines"] or 50,
        "caller_id": values["caller_id"] or None,
        "wrap_up_seconds": values["wrap_up_seconds"] or None,
        "wrap_up_max_seconds": values["wrap_up_max_seconds"] or None,
        "wrap_up_default_disposition": values["wrap_up_default_disposition"] or None,
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
def preview(request: Request, db: SessionDep, user: ManagerUser, campaign_id: DbId) -> Response:
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
def start(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> Response:
    """Start or resume a campaign."""
    start_campaign(db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow())
    return back_to("/manager/campaigns")


@router.post("/campaigns/{campaign_id}/pause")
def pause(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> Response:
    """Pause a campaign."""
    pause_campaign(db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow())
    return back_to("/manager/campaigns")
