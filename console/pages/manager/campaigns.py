"""Manager pages: the campaigns list, the builder, the preview, and the lifecycle (start, pause,
finish, duplicate), with export and import of a campaign as a file."""

import io
import json
from typing import Annotated, Any, NamedTuple

import yaml
from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUpload

from campaigns.campaign_builder import builder_choices, check_live_text, count_matching
from campaigns.campaign_defs import (
    AGING_BUCKETS,
    SELECTABLE_STATUSES,
    campaign_history,
    campaign_out,
    create_campaign,
    duplicate_campaign,
    finish_campaign,
    get_campaign,
    list_campaigns,
    parse_definition,
    pause_campaign,
    start_campaign,
    to_definition,
    update_campaign,
)
from campaigns.campaign_defs.errors import DefinitionInvalid
from campaigns.clients import get_client_by_name, list_clients
from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import _, translate
from campaigns.models import Client, User, utcnow
from campaigns.safe_export import SafeCsvWriter
from campaigns.scheduler import preview_campaign
from campaigns.scheduler.preview import preview_accounts
from campaigns.scheduler.rules_explained import rule_explanation, rule_name
from console.charts import bar_chart
from console.deps import DbId, ManagerUser, PostedForm, SessionDep, form_id
from console.i18n_templates import money, number
from console.pages.common import PageRoute, back_to, page_locale, render
from console.pages.manager.campaign_form import (
    RECYCLE_RESULTS,
    RETRY_RESULTS,
    blank_definition,
    definition_from_form,
    filter_from_form,
    form_message,
    summary_label,
)

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50
MAX_IMPORT_BYTES = 256 * 1024
CSV_HEADERS = (
    _("Account"),
    _("Debtor"),
    _("Days overdue"),
    _("Balance"),
    _("Step"),
    _("Channel"),
)
CHANNELS = {"voice": _("Call"), "sms": _("Text message (SMS)"), "whatsapp": _("WhatsApp message")}


@router.get("/campaigns")
def campaigns(request: Request, db: SessionDep, user: ManagerUser) -> Response:
    """Every campaign of the creditors you work, with its lifecycle actions."""
    return render(
        request,
        "manager/campaigns.html",
        user=user,
        campaigns=[campaign_out(db, c) for c in list_campaigns(db)],
    )


def _builder(
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
    return _builder(request, db, user, campaign_id=None, data=blank_definition(client))


def _stored(db: Session, campaign_id: int) -> tuple[dict[str, Any], str]:
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


@router.post("/campaigns/import")
def import_file(
    request: Request,
    db: SessionDep,
    user: ManagerUser,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A campaign file (YAML or JSON) opened in the builder, to check and save as a new draft."""
    upload = file
    locale = page_locale(request)
    errors: dict[str, str] = {}
    data: dict[str, Any] = blank_definition("")
    if not isinstance(upload, StarletteUpload):
        errors["general"] = translate(locale, _("Choose a YAML or JSON campaign file."))
    else:
        raw = upload.file.read(MAX_IMPORT_BYTES + 1)
        try:
            if len(raw) > MAX_IMPORT_BYTES:
                raise Invalid(
                    _("The file is larger than {size} KB."), size=MAX_IMPORT_BYTES // 1024
                )
            text = raw.decode("utf-8-sig")
            name = (upload.filename or "").lower()
            loaded = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
            if not isinstance(loaded, dict):
                raise Invalid(_("The file does not hold a campaign definition."))
            data = {**data, **loaded, "agents": loaded.get("agents") or []}
            parse_definition(data)
        except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as error:
            errors["general"] = translate(
                locale, _("The file is not valid YAML or JSON: {error}"), error=str(error)[:200]
            )
        except AcuerdoError as error:
            errors.update(_errors(error, locale))
    if not errors:
        errors["general"] = translate(
            locale, _("The file was read. Check the campaign below and save it as a draft.")
        )
    return _builder(request, db, user, campaign_id=None, data=data, errors=errors)


@router.get("/campaigns/{campaign_id}")
def edit_campaign(
    request: Request, db: SessionDep, user: ManagerUser, campaign_id: DbId
) -> Response:
    """The builder of one campaign (saving is allowed while draft or paused) and its history."""
    data, status = _stored(db, campaign_id)
    return _builder(request, db, user, campaign_id=campaign_id, data=data, status=status)


def _errors(error: AcuerdoError, locale: str) -> dict[str, str]:
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
        errors = _errors(error, locale)
    status = str(get_campaign(db, campaign_id=campaign_id).status) if campaign_id else "draft"
    return _builder(
        request,
        db,
        user,
        campaign_id=campaign_id,
        data=data,
        status=status,
        errors=errors,
        status_code=422,
    )


@router.get("/campaigns/{campaign_id}/export")
def export_file(
    db: SessionDep, user: ManagerUser, campaign_id: DbId, format: str = "yaml"
) -> Response:
    """The campaign as a file the CLI and the import read (YAML, or JSON with format=json)."""
    data, _status = _stored(db, campaign_id)
    stem = "".join(ch if ch.isalnum() else "-" for ch in data["name"]).strip("-") or "campaign"
    if format == "json":
        body, kind, suffix = (
            json.dumps(data, ensure_ascii=False, indent=2),
            "application/json",
            "json",
        )
    else:
        body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        kind, suffix = "application/yaml", "yaml"
    return Response(
        body,
        media_type=f"{kind}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}.{suffix}"'},
    )


class RuleCount(NamedTuple):
    """A rule of the preview as the page shows it."""

    name: str
    explanation: str
    accounts: int


def _page(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


@router.get("/campaigns/{campaign_id}/preview")
def preview(request: Request, db: SessionDep, user: ManagerUser, campaign_id: DbId) -> Response:
    """Who the campaign would contact now (paged and searchable), and every rule that leaves
    the others out, named and explained, with a chart of the counts."""
    locale = page_locale(request)
    params = request.query_params
    search = str(params.get("q") or "")[:80]
    page, left_page = _page(params.get("page")), _page(params.get("left_page"))
    now = utcnow()
    result = preview_campaign(db, campaign_id=campaign_id, at=now, limit=0)
    eligible_total, eligible = preview_accounts(
        db,
        campaign_id=campaign_id,
        at=now,
        search=search,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    left_total, left_out = preview_accounts(
        db,
        campaign_id=campaign_id,
        at=now,
        eligible=False,
        search=search,
        offset=(left_page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    campaign = get_campaign(db, campaign_id=campaign_id)
    client = db.get_one(Client, campaign.client_id)
    rules = [
        RuleCount(rule_name(rule, locale), rule_explanation(rule, locale), count)
        for rule, count in result.excluded.items()
    ]
    chart = bar_chart(
        [
            (
                translate(locale, _("Would be contacted")),
                result.eligible,
                number(result.eligible, locale),
            )
        ]
        + [(r.name, r.accounts, number(r.accounts, locale)) for r in rules],
        title=translate(locale, _("Accounts per rule")),
    )
    return render(
        request,
        "manager/campaign_preview.html",
        user=user,
        preview=result,
        campaign=campaign_out(db, campaign),
        client=client,
        rules=rules,
        chart=chart,
        search=search,
        eligible=eligible,
        eligible_total=eligible_total,
        page=page,
        left_out=left_out,
        left_total=left_total,
        left_page=left_page,
        page_size=PAGE_SIZE,
        channels=CHANNELS,
        rule_name=lambda code: rule_name(code, locale),
        history=campaign_history(db, campaign_id=campaign_id),
    )


@router.get("/campaigns/{campaign_id}/eligible.csv")
def eligible_csv(
    request: Request, db: SessionDep, user: ManagerUser, campaign_id: DbId
) -> Response:
    """Everyone the campaign would contact now, as a spreadsheet-safe CSV in your language."""
    locale = page_locale(request)
    campaign = get_campaign(db, campaign_id=campaign_id)
    client = db.get_one(Client, campaign.client_id)
    search = str(request.query_params.get("q") or "")[:80]
    _total, rows = preview_accounts(
        db, campaign_id=campaign_id, at=utcnow(), search=search, limit=None
    )
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow([translate(locale, header) for header in CSV_HEADERS])
    for row in rows:
        writer.writerow(
            [
                row.account_ref,
                row.debtor,
                row.days_overdue,
                money(row.balance, client.currency, locale),
                (row.step or 0) + 1,
                translate(locale, CHANNELS.get(row.channel or "", "")) if row.channel else "",
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="campaign-{campaign.id}.csv"'},
    )


@router.post("/campaigns/{campaign_id}/start")
def start(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> Response:
    """Start or resume a campaign."""
    start_campaign(db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow())
    return back_to(f"/manager/campaigns/{campaign_id}/preview")


@router.post("/campaigns/{campaign_id}/pause")
def pause(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> Response:
    """Pause a campaign."""
    pause_campaign(db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow())
    return back_to(f"/manager/campaigns/{campaign_id}/preview")


@router.post("/campaigns/{campaign_id}/finish")
def finish(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> Response:
    """End a campaign for good."""
    finish_campaign(
        db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow()
    )
    return back_to(f"/manager/campaigns/{campaign_id}/preview")


@router.post("/campaigns/{campaign_id}/duplicate")
def duplicate(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> Response:
    """A draft copy of the campaign, opened in the builder."""
    copy = duplicate_campaign(
        db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow()
    )
    db.flush()
    return back_to(f"/manager/campaigns/{copy.id}")
