"""Manager pages: one creditor's settings (policy, numbers, senders, templates, compliance,
scripts, targets) with the law's limits beside them, and the history of every version."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from campaigns.agreements.negotiation_scripts import script_kinds
from campaigns.client_settings import (
    SettingsInvalid,
    parse_settings_form,
    settings_history,
    update_client_settings,
)
from campaigns.clients import client_to_change
from campaigns.compliance.override_form import (
    CAP_NAMES,
    CHANNEL_NAMES,
    PROFILE_NAMES,
    WEEKDAY_NAMES,
    override_form,
)
from campaigns.compliance.profiles import WEEKDAYS
from campaigns.i18n import LOCALE_NAMES, _, translate
from campaigns.models import Channel, Client, User, utcnow
from console.deps import DbId, ManagerUser, PostedForm, SessionDep
from console.pages.common import PageRoute, back_to, page_locale, render

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)

FIELD_LABELS = {
    "name": _("Name"),
    "country": _("Country (ISO code)"),
    "currency": _("Currency (ISO code)"),
    "timezone": _("Time zone"),
    "locale": _("Language of messages to debtors"),
    "compliance_profile": _("Compliance profile"),
    "max_promise_days": _("Promise days"),
    "early_payment_discount_pct": _("Early-payment discount (percent)"),
    "min_down_payment_pct": _("Minimum down payment (percent)"),
    "max_installments": _("Maximum instalments"),
    "callback_number": _("Callback number"),
    "caller_id": _("Caller ID"),
    "sms_sender": _("SMS sender"),
    "whatsapp_sender": _("WhatsApp sender"),
    "whatsapp_templates": _("Approved WhatsApp templates"),
    "payment_link_template": _("Payment link"),
    "compliance_overrides": _("Compliance: the creditor's stricter rules"),
    "extra_forbidden_phrases": _("Forbidden phrases"),
    "product_scripts": _("Script per product"),
    "recovery_target_pct": _("Monthly recovery target (percent)"),
    "kept_rate_target_pct": _("Promises kept target (percent)"),
    "inbound_callback_offer_seconds": _("Seconds before offering a callback to inbound callers"),
}


def form_of(client: Client) -> dict[str, str]:
    """The creditor's settings as the form's text fields."""
    scripts = client.product_scripts or {}
    values = {
        field: "" if getattr(client, field) is None else str(getattr(client, field))
        for field in FIELD_LABELS
        if field not in ("whatsapp_templates", "compliance_overrides", "extra_forbidden_phrases")
    }
    values["whatsapp_templates"] = "\n".join(
        f"{name} = {sid}" for name, sid in (client.whatsapp_templates or {}).items()
    )
    values["extra_forbidden_phrases"] = "\n".join(client.extra_forbidden_phrases or [])
    values["product_scripts"] = "\n".join(
        f"{product} = {script}" for product, script in (scripts.get("products") or {}).items()
    )
    values["default_script"] = str(scripts.get("default") or "")
    return values


def shown(field: str, value: Any, locale: str) -> str:
    """A stored setting as words for the history (no JSON keys, nothing in English)."""
    if value is None or value == "" or value == {} or value == []:
        return "—"
    if field == "compliance_profile" and value in PROFILE_NAMES:
        return translate(locale, PROFILE_NAMES[value])
    if field == "locale" and value in LOCALE_NAMES:
        return translate(locale, LOCALE_NAMES[value])
    if field == "compliance_overrides" and isinstance(value, dict):
        return _overrides_in_words(value, locale)
    if field == "product_scripts" and isinstance(value, dict):
        parts = [f"{product} → {script}" for product, script in value.get("products", {}).items()]
        if value.get("default"):
            parts.append(f"{translate(locale, _('Other products'))} → {value['default']}")
        return "; ".join(parts)
    if isinstance(value, dict):
        return "; ".join(f"{key} = {item}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _overrides_in_words(overrides: dict[str, Any], locale: str) -> str:
    parts = []
    names = dict(zip(WEEKDAYS, WEEKDAY_NAMES, strict=True))
    for day, window in (overrides.get("hours") or {}).items():
        when = "–".join(window) if window else translate(locale, _("no contact"))
        parts.append(f"{translate(locale, names.get(day, day))}: {when}")
    for cap, limit in (overrides.get("caps") or {}).items():
        parts.append(f"{translate(locale, CAP_NAMES.get(cap, cap))}: {limit}")
    if overrides.get("holidays_block"):
        parts.append(translate(locale, _("No contact on public holidays")))
    channels = [
        translate(locale, CHANNEL_NAMES[Channel(c)])
        for c in overrides.get("consent_required") or []
    ]
    if channels:
        parts.append(f"{translate(locale, _('Opt-in required'))}: {', '.join(channels)}")
    for phrase in overrides.get("extra_phrases") or []:
        parts.append(f"{translate(locale, _('Forbidden phrases'))}: {phrase}")
    if overrides.get("extra_caps"):
        parts.append(translate(locale, _("Extra contact limits (set with the command line)")))
    return "; ".join(parts) or "—"


def _page(
    request: Request,
    db: Session,
    user: User,
    client: Client,
    *,
    form: dict[str, str],
    consent: list[str] | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    compliance = override_form(client.compliance_profile, client.compliance_overrides)
    return render(
        request,
        "manager/creditor_settings.html",
        user=user,
        client=client,
        form=form,
        compliance=compliance,
        consent=consent if consent is not None else [str(c) for c in compliance.consent],
        channels=[(str(c), CHANNEL_NAMES[c]) for c in Channel],
        profiles=PROFILE_NAMES,
        locales=LOCALE_NAMES,
        scripts=script_kinds(),
        errors=errors or {},
        saved=saved,
        history=settings_history(db, client_id=client.id),
        labels_of=FIELD_LABELS,
        shown=lambda field, value: shown(field, value, page_locale(request)),
        status_code=status_code,
    )


@router.get("/creditors/{client_id}")
def creditor_settings(
    request: Request, db: SessionDep, user: ManagerUser, client_id: DbId
) -> Response:
    """Every setting of one creditor, with the law's limits and the history of changes."""
    client = client_to_change(db, client_id=client_id)
    saved = request.query_params.get("saved") == "1"
    return _page(request, db, user, client, form=form_of(client), saved=saved)


@router.post("/creditors/{client_id}")
def save_creditor_settings(
    request: Request, db: SessionDep, user: ManagerUser, client_id: DbId, form: PostedForm
) -> Response:
    """Check and save the settings; a new version, used from each campaign's next tick."""
    client = client_to_change(db, client_id=client_id)
    texts = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    consent = [str(c) for c in form.getlist("consent_required")]
    try:
        values = parse_settings_form(client, texts, {"consent_required": consent})
        update_client_settings(db, client_id=client.id, values=values, by=user, now=utcnow())
    except SettingsInvalid as error:
        db.rollback()
        locale = page_locale(request)
        client = client_to_change(db, client_id=client_id)
        return _page(
            request,
            db,
            user,
            client,
            form=texts,
            consent=consent,
            errors={field: problem.render(locale) for field, problem in error.errors.items()},
            status_code=422,
        )
    db.commit()
    return back_to(f"/manager/creditors/{client.id}?saved=1")
