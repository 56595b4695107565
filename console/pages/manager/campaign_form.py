"""The campaign builder's form: the posted fields as a campaign definition (the same shape as a
campaign file, checked by the same `parse_definition` and `validate_definition`), and a stored
definition as the values the form shows.

Lists are posted as repeated fields in page order (`step_day`, `step_channel`, ...); each script
step carries a `script_key` that names its branch fields (`branch_label_<key>`), so steps and
branches can be added, moved and removed in the page and still arrive as a plain form post.
"""

from typing import Any, get_args

from starlette.datastructures import FormData

from campaigns.campaign_defs.errors import CampaignStateConflict, TextRefused
from campaigns.campaign_defs.recycling import resolve as resolve_recycling
from campaigns.campaign_defs.schemas import (
    RecycleResult,
    Recycling,
    RetryResult,
    default_retry_rules,
)
from campaigns.errors import AcuerdoError
from campaigns.i18n import _, translate

RETRY_RESULTS: tuple[str, ...] = get_args(RetryResult)
RECYCLE_RESULTS: tuple[str, ...] = get_args(RecycleResult)
CHANNELS = {"voice": _("Call"), "sms": _("Text message (SMS)"), "whatsapp": _("WhatsApp message")}
TOP_FIELDS = (
    "name",
    "client",
    "priority",
    "dialing_mode",
    "max_lines",
    "caller_id",
    "wrap_up_seconds",
    "wrap_up_max_seconds",
    "wrap_up_default_disposition",
)
FILTER_NUMBERS = ("min_days_overdue", "max_days_overdue", "min_balance", "max_balance")
FILTER_LISTS = ("products", "regions", "aging_buckets", "statuses")


def _text(form: FormData, key: str) -> str:
    return str(form.get(key) or "").strip()


def _texts(form: FormData, key: str) -> list[str]:
    return [str(value).strip() for value in form.getlist(key)]


def _set(target: dict[str, Any], key: str, value: str) -> None:
    if value:
        target[key] = value


def filter_from_form(form: FormData) -> dict[str, Any]:
    """The filter part of the form (the live count reads it too)."""
    rules: dict[str, Any] = {}
    for key in FILTER_NUMBERS:
        _set(rules, key, _text(form, key))
    for key in FILTER_LISTS:
        rules[key] = [value for value in _texts(form, key) if value]
    return rules


def _steps(form: FormData) -> list[dict[str, Any]]:
    steps = []
    rows = zip(
        _texts(form, "step_day"),
        _texts(form, "step_channel"),
        _texts(form, "step_template"),
        strict=False,
    )
    for day, channel, template in rows:
        if not day and not template and not channel:
            continue
        step: dict[str, Any] = {"day": day, "channel": channel}
        if template:
            step["template"] = template
        steps.append(step)
    return steps


def _pairs(form: FormData, prefix: str, results: tuple[str, ...], keys: tuple[str, str]) -> Any:
    table: dict[str, dict[str, str]] = {}
    for result in results:
        first = _text(form, f"{prefix}_{result}_{keys[0]}")
        second = _text(form, f"{prefix}_{result}_{keys[1]}")
        if first or second:
            table[result] = {keys[0]: first, keys[1]: second}
    return table


def _script(form: FormData) -> dict[str, Any]:
    steps = []
    rows = zip(
        _texts(form, "script_key"),
        _texts(form, "script_id"),
        _texts(form, "script_text"),
        strict=False,
    )
    for key, step_id, text in rows:
        branches = [
            {"label": label, "next": target}
            for label, target in zip(
                _texts(form, f"branch_label_{key}"),
                _texts(form, f"branch_next_{key}"),
                strict=False,
            )
            if label or target
        ]
        if step_id or text or branches:
            steps.append({"id": step_id, "text": text, "branches": branches})
    script: dict[str, Any] = {"steps": steps}
    _set(script, "start", _text(form, "script_start"))
    return script


def definition_from_form(form: FormData) -> dict[str, Any]:
    """The posted form as a campaign definition (as a file would hold it, values as typed)."""
    data: dict[str, Any] = {}
    for key in TOP_FIELDS:
        _set(data, key, _text(form, key))
    data.setdefault("name", "")
    data["record_calls"] = _text(form, "record_calls") == "on"
    data["filter"] = filter_from_form(form)
    data["steps"] = _steps(form)
    data["retry_rules"] = _pairs(form, "retry", RETRY_RESULTS, ("wait_minutes", "max_tries"))
    recycling: dict[str, Any] = {
        "rules": _pairs(form, "recycle", RECYCLE_RESULTS, ("delay_minutes", "max_recycles"))
    }
    _set(recycling, "step", _text(form, "recycle_step"))
    data["recycling"] = recycling
    data["script"] = _script(form)
    data["templates"] = {
        name: text
        for name, text in zip(
            _texts(form, "template_name"), _texts(form, "template_text"), strict=False
        )
        if name or text
    }
    data["agents"] = [name for name in _texts(form, "agents") if name]
    data["supervisors"] = [name for name in _texts(form, "supervisors") if name]
    return data


def blank_definition(client: str) -> dict[str, Any]:
    """What a new campaign's form starts with: one call on day 0, the default retries."""
    steps = [{"day": 0, "channel": "voice"}]
    return {
        "name": "",
        "client": client,
        "priority": 0,
        "dialing_mode": "progressive",
        "max_lines": 50,
        "caller_id": "",
        "wrap_up_seconds": None,
        "wrap_up_max_seconds": None,
        "wrap_up_default_disposition": None,
        "record_calls": False,
        "filter": {"min_days_overdue": 1, "max_days_overdue": 30, "statuses": ["active"]},
        "steps": steps,
        "retry_rules": {k: r.model_dump() for k, r in default_retry_rules().items()},
        "recycling": resolve_recycling(Recycling(), steps) | {"step": None},
        "script": {"steps": []},
        "templates": {},
        "agents": [],
        "supervisors": [],
    }


# The save-time check names fields as the campaign file does (`filter.max_balance`); next to the
# form's own fields the same refusal reads in the form's words.
FIELD_LABELS = {
    "name": _("Name"),
    "client": _("Creditor"),
    "priority": _("Priority (0-100)"),
    "dialing_mode": _("Dialing mode for calls"),
    "max_lines": _("Maximum simultaneous lines"),
    "caller_id": _("Caller ID"),
    "wrap_up_seconds": _("Wrap-up seconds after each call (empty: default)"),
    "wrap_up_max_seconds": _("Most wrap-up seconds an agent may extend to (empty: default)"),
    "wrap_up_default_disposition": _("Recorded when the wrap-up runs out"),
    "record_calls": _("Record calls (the debtor hears the recording notice first)"),
    "filter.min_days_overdue": _("Days overdue from"),
    "filter.max_days_overdue": _("Days overdue to"),
    "filter.min_balance": _("Balance from"),
    "filter.max_balance": _("Balance to"),
    "filter.products": _("Products (none selected: all)"),
    "filter.regions": _("Regions (none selected: all)"),
    "filter.aging_buckets": _("Aging (none selected: all)"),
    "filter.statuses": _("Account status"),
    "steps": _("Steps"),
    "script": _("Script"),
    "script.start": _("First step"),
    "recycling.step": _("Step repeated when recycling"),
    "templates": _("Message templates"),
    "agents": _("Agents who work this campaign"),
    "supervisors": _("Supervisors who follow it"),
}
STEP_LABEL = _("Step {number}")
RETRIES_LABEL = _("Retries and recycling, by result")
FORM_WORDING = {
    "filter.min_balance is above filter.max_balance.": _(
        "The minimum balance is above the maximum balance."
    ),
    "filter.min_days_overdue ({low}) is above filter.max_days_overdue ({high}).": _(
        "Days overdue from ({low}) is above days overdue to ({high})."
    ),
    "filter.statuses needs at least one account status.": _("Choose at least one account status."),
    "SMS step {index} needs a template named in templates (it names {name}).": _(
        "This text message step needs one of the message templates below (it names {name})."
    ),
    "Step {index} is on day {day}, before the step that precedes it.": _(
        "This step is on day {day}, before the step above it; order the steps by day."
    ),
    "Campaign {name} is {status}; only draft or paused campaigns can be edited.": _(
        "Only draft or paused campaigns can be changed; pause it first."
    ),
}
TEMPLATE_LABEL = _("Template {name}")
SCRIPT_STEP_LABEL = _("Script step {name}")


def place_label(where: str, locale: str) -> str:
    """A definition path (`templates.aviso`, `filter.max_days_overdue`) in the form's words."""
    group, _dot, name = where.partition(".")
    if group == "templates" and name:
        return translate(locale, TEMPLATE_LABEL, name=name)
    if group == "script" and name:
        return translate(locale, SCRIPT_STEP_LABEL, name=name)
    return translate(locale, FIELD_LABELS[where]) if where in FIELD_LABELS else where


def summary_label(key: str, locale: str) -> str:
    """Which field of the form an error is about, for the list at the top ("" when general)."""
    parts = key.split(".")
    if key in FIELD_LABELS:
        return translate(locale, FIELD_LABELS[key])
    if parts[0] == "steps" and len(parts) > 1 and parts[1].isdigit():
        return translate(locale, STEP_LABEL, number=int(parts[1]) + 1)
    if parts[0] in ("retry_rules", "recycling"):
        return translate(locale, RETRIES_LABEL)
    if parts[:2] == ["script", "steps"]:
        return translate(locale, FIELD_LABELS["script"])
    if parts[0] in ("templates", "script") and len(parts) > 1:
        return place_label(".".join(parts[:2]), locale)
    return ""


def form_message(error: AcuerdoError, locale: str) -> str:
    """A save-time refusal as the form shows it next to the field."""
    if isinstance(error, TextRefused):
        return translate(
            locale,
            error.message,
            where=place_label(str(error.params["where"]), locale),
            reason=error.inner.render(locale),
        )
    if isinstance(error, CampaignStateConflict) and error.message not in FORM_WORDING:
        return error.render(locale)
    params = dict(error.params)
    if "field" in params:
        params["field"] = place_label(str(params["field"]), locale)
    return translate(locale, FORM_WORDING.get(error.message, error.message), **params)
