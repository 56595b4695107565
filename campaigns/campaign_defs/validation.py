"""Checking a campaign definition on save: the file format, the filter, the steps, the texts."""

import re
from typing import Any

from pydantic import ValidationError

from campaigns import whatsapp_policy
from campaigns.campaign_defs.errors import (
    NOT_VALID,
    PROBLEMS,
    CampaignInvalid,
    DefinitionInvalid,
    Problem,
    TextRefused,
)
from campaigns.campaign_defs.schemas import CampaignIn
from campaigns.compliance import (
    MAX_DAYS_OVERDUE,
    MIN_DAYS_OVERDUE,
    TemplateRejected,
    check_text,
    effective_profile,
    validate_template,
)
from campaigns.compliance.templates import raise_for_findings
from campaigns.errors import AcuerdoError
from campaigns.i18n import _
from campaigns.models import AccountStatus, Client

SELECTABLE_STATUSES = (
    AccountStatus.ACTIVE,
    AccountStatus.PROMISED,
    AccountStatus.PLAN,
    AccountStatus.DISPUTED,
)
AGING_BUCKETS: dict[str, tuple[int, int]] = {"1-30": (1, 30), "31-60": (31, 60), "61-90": (61, 90)}
_PHONE = re.compile(r"^\+[1-9]\d{7,14}$")


def parse_definition(data: Any) -> CampaignIn:
    """A campaign file's content as a definition, or a 422 naming each field that is wrong."""
    try:
        return CampaignIn.model_validate(data)
    except ValidationError as error:
        raise DefinitionInvalid(
            [
                Problem(
                    ".".join(str(p) for p in e["loc"]) or "-",
                    PROBLEMS.get(e["type"], NOT_VALID),
                    {k: v for k, v in (e.get("ctx") or {}).items() if k in ("ge", "le")},
                )
                for e in error.errors()
            ]
        ) from error


def forbidden_phrases_of(client: Client) -> tuple[str, ...]:
    """The phrases this creditor forbids beyond the law's: its compliance overrides' and its
    own list of extra forbidden phrases."""
    extra = tuple(str(p) for p in client.extra_forbidden_phrases or () if str(p).strip())
    return effective_profile(client).extra_phrases + extra


def validate_definition(client: Client, definition: CampaignIn) -> None:
    """Refuse (422, naming the field) a definition that breaks a rule of campaigns or compliance."""
    _validate_filter(definition)
    _validate_steps(client, definition)
    phrases = forbidden_phrases_of(client)
    for name, source in definition.templates.items():
        _validate_text(source, phrases, f"templates.{name}")
    step_ids = {step.id for step in definition.script.steps}
    if len(step_ids) != len(definition.script.steps):
        raise CampaignInvalid(_("Script step ids must be unique."), field="script")
    if definition.script.start is not None and definition.script.start not in step_ids:
        raise CampaignInvalid(
            _("The script starts at {step}, which is not one of its steps."),
            step=definition.script.start,
            field="script.start",
        )
    for step in definition.script.steps:
        _validate_text(step.text, phrases, f"script.{step.id}")
        for branch in step.branches:
            findings = check_text(branch.label, extra_phrases=phrases)
            if findings:
                try:
                    raise_for_findings(findings)
                except TemplateRejected as error:
                    raise TextRefused(f"script.{step.id}", error) from error
            if branch.next not in step_ids:
                raise CampaignInvalid(
                    _("Script step {step} branches to {next}, which is not one of its steps."),
                    step=step.id,
                    next=branch.next,
                    field=f"script.{step.id}",
                )
    if definition.caller_id is not None and not _PHONE.match(definition.caller_id):
        raise CampaignInvalid(
            _("The caller ID {number} is not an E.164 number such as +525550000100."),
            number=definition.caller_id,
            field="caller_id",
        )


def _validate_text(source: str, phrases: tuple[str, ...], where: str) -> None:
    try:
        validate_template(source, extra_phrases=phrases)
    except TemplateRejected as error:
        raise TextRefused(where, error) from error


def _validate_filter(definition: CampaignIn) -> None:
    rules = definition.filter
    for field, value in (
        ("filter.min_days_overdue", rules.min_days_overdue),
        ("filter.max_days_overdue", rules.max_days_overdue),
    ):
        if not MIN_DAYS_OVERDUE <= value <= MAX_DAYS_OVERDUE:
            raise CampaignInvalid(
                _(
                    "{field} is {value}, but only accounts {low}-{high} days overdue can be "
                    "contacted; accounts past {high} days are escalated."
                ),
                field=field,
                value=value,
                low=MIN_DAYS_OVERDUE,
                high=MAX_DAYS_OVERDUE,
            )
    if rules.min_days_overdue > rules.max_days_overdue:
        raise CampaignInvalid(
            _("filter.min_days_overdue ({low}) is above filter.max_days_overdue ({high})."),
            low=rules.min_days_overdue,
            high=rules.max_days_overdue,
            field="filter.min_days_overdue",
        )
    for bound in (rules.min_balance, rules.max_balance):
        if bound is not None and bound < 0:
            raise CampaignInvalid(
                _("Balance bounds cannot be negative."), field="filter.min_balance"
            )
    if (
        rules.min_balance is not None
        and rules.max_balance is not None
        and rules.min_balance > rules.max_balance
    ):
        raise CampaignInvalid(
            _("filter.min_balance is above filter.max_balance."), field="filter.min_balance"
        )
    for bucket in rules.aging_buckets:
        if bucket not in AGING_BUCKETS:
            raise CampaignInvalid(
                _("Unknown aging bucket {bucket}; use {known}."),
                bucket=bucket,
                known=", ".join(AGING_BUCKETS),
                field="filter.aging_buckets",
            )
    if not rules.statuses:
        raise CampaignInvalid(
            _("filter.statuses needs at least one account status."), field="filter.statuses"
        )
    for status in rules.statuses:
        if status not in SELECTABLE_STATUSES:
            raise CampaignInvalid(
                _("Accounts with status {status} are never contacted; choose among {known}."),
                status=status,
                known=", ".join(SELECTABLE_STATUSES),
                field="filter.statuses",
            )


def _validate_steps(client: Client, definition: CampaignIn) -> None:
    steps = definition.steps
    if steps[0].day != 0:
        raise CampaignInvalid(_("The first step must be on day 0."), field="steps.0")
    for index, (before, after) in enumerate(zip(steps, steps[1:], strict=False), start=1):
        if after.day < before.day:
            raise CampaignInvalid(
                _("Step {index} is on day {day}, before the step that precedes it."),
                index=index,
                day=after.day,
                field=f"steps.{index}",
            )
    for index, step in enumerate(steps):
        if step.channel == "sms" and step.template not in definition.templates:
            raise CampaignInvalid(
                _("SMS step {index} needs a template named in templates (it names {name})."),
                index=index,
                name=step.template or "-",
                field=f"steps.{index}",
            )
        if step.channel == "whatsapp":
            try:
                whatsapp_policy.template_sid(client, step.template)
            except AcuerdoError as error:
                error.params.setdefault("field", f"steps.{index}")
                raise
    recycled = definition.recycling.step
    if recycled is not None and recycled >= len(steps):
        raise CampaignInvalid(
            _("Recycling repeats step {index}, but the campaign has {count} steps (0 to {last})."),
            index=recycled,
            count=len(steps),
            last=len(steps) - 1,
            field="recycling.step",
        )
