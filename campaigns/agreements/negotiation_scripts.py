"""Ready-made negotiation scripts (scripts/*.yaml): steps with branches, rendered per account.

A script is checked when loaded: every branch leads to a step, every outcome is a disposition,
and every text renders with the account and negotiation fields and passes the wording check
(`campaigns.compliance.validate_template`).
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from campaigns.agreements.negotiation import NegotiationOptions, Policy, negotiation_options
from campaigns.compliance import SAMPLE_FIELDS, render_template, validate_template
from campaigns.errors import Invalid, NotFound
from campaigns.i18n import _
from campaigns.local_formats import greeting, long_date, money
from campaigns.models import Account, Client, Disposition
from campaigns.settings import get_settings

SCRIPTS_DIR = Path(__file__).parent / "scripts"

NEGOTIATION_FIELDS: dict[str, str] = {
    "latest_date": _("Last date a promise or first payment may fall on"),
    "min_down_payment": _("Smallest down payment the creditor accepts"),
    "max_installments": _("Most instalments the creditor accepts"),
    "plan_installment_amount": _("Instalment amount of the longest plan"),
}
SCRIPT_SAMPLE_FIELDS: dict[str, Any] = {
    **SAMPLE_FIELDS,
    "latest_date": "8 de diciembre de 2026",
    "min_down_payment": "$240.00",
    "max_installments": 6,
    "plan_installment_amount": "$160.00",
}


class ScriptNotFound(NotFound):
    """No ready-made script of that kind."""


class ScriptInvalid(Invalid):
    """A script whose structure is broken."""


@dataclass(frozen=True)
class Branch:
    """A way forward from a step: what the agent heard, and the step it leads to."""

    label: str
    next: str


@dataclass(frozen=True)
class Step:
    """One step of a script."""

    id: str
    title: str
    text: str
    branches: tuple[Branch, ...]
    outcome: Disposition | None


@dataclass(frozen=True)
class Script:
    """A negotiation script: its steps by id and the first one."""

    kind: str
    title: str
    locale: str
    start: str
    steps: dict[str, Step]


def script_kinds() -> list[str]:
    """The kinds of ready-made scripts (cable, internet, phone)."""
    return sorted(path.stem for path in SCRIPTS_DIR.glob("*.yaml"))


@lru_cache(maxsize=16)
def load_script(kind: str) -> Script:
    """The ready-made script of a kind, checked for structure and wording."""
    path = SCRIPTS_DIR / f"{kind}.yaml"
    if kind not in script_kinds():
        raise ScriptNotFound(
            _("No script of kind {kind}; available: {kinds}."),
            kind=kind,
            kinds=", ".join(script_kinds()),
        )
    return parse_script(yaml.safe_load(path.read_text(encoding="utf-8")))


def parse_script(data: dict[str, Any]) -> Script:
    """A script from its YAML data; refused when a branch, outcome or text is wrong."""
    steps: dict[str, Step] = {}
    for step_id, raw in (data.get("steps") or {}).items():
        outcome = raw.get("outcome")
        if outcome is not None and outcome not in set(Disposition):
            raise ScriptInvalid(
                _("Step {step} records an unknown outcome {outcome}."),
                step=step_id,
                outcome=outcome,
            )
        branches = tuple(Branch(str(b["label"]), str(b["next"])) for b in raw.get("branches", []))
        steps[step_id] = Step(
            id=step_id,
            title=str(raw.get("title", step_id)),
            text=str(raw["text"]),
            branches=branches,
            outcome=Disposition(outcome) if outcome else None,
        )
    start = str(data.get("start", ""))
    if start not in steps:
        raise ScriptInvalid(
            _("The script starts at {step}, which is not one of its steps."), step=start
        )
    for step in steps.values():
        for branch in step.branches:
            if branch.next not in steps:
                raise ScriptInvalid(
                    _("Step {step} leads to {next}, which is not one of its steps."),
                    step=step.id,
                    next=branch.next,
                )
        for text in (step.title, step.text, *(b.label for b in step.branches)):
            validate_template(text, sample_fields=SCRIPT_SAMPLE_FIELDS)
    return Script(
        kind=str(data.get("kind", "")),
        title=str(data.get("title", "")),
        locale=str(data.get("locale", "es_MX")),
        start=start,
        steps=steps,
    )


def script_fields(
    account: Account,
    client: Client,
    *,
    today: date,
    now: datetime,
    agent_name: str = "",
    options: NegotiationOptions | None = None,
) -> dict[str, Any]:
    """The fields a script renders with, for one account today, amounts in the reader's style.

    The greeting follows the debtor's local time of day at `now`.
    """
    locale = client.locale
    options = options or negotiation_options(
        Policy.of(client), balance=account.balance, currency=account.currency, today=today
    )
    longest = options.plans[-1] if options.plans else None
    name = account.debtor.name

    def fmt(amount: Any) -> str:
        return money(amount, account.currency, locale)

    return {
        "name": name,
        "first_name": name.split()[0] if name.split() else "",
        "greeting": greeting(now, account.debtor.timezone, locale),
        "balance": fmt(account.balance),
        "balance_amount": account.balance,
        "currency": account.currency,
        "due_date": long_date(account.due_date, locale),
        "days_overdue": account.days_overdue(today),
        "creditor": client.name,
        "agency": get_settings().agency_name,
        "agent_name": agent_name,
        "callback_number": client.callback_number or "",
        "account_ref_last4": account.account_ref[-4:],
        "product": account.product or "",
        "promise_date": long_date(options.latest_date, locale),
        "promise_amount": fmt(options.discounted_balance),
        "installment_number": 1,
        "installment_amount": fmt(longest.installment_amount) if longest else "",
        "discount_amount": fmt(options.discount_amount),
        "discounted_balance": fmt(options.discounted_balance),
        "payment_link": "",
        "self_service_link": "",
        "opt_out_text": "",
        "latest_date": long_date(options.latest_date, locale),
        "min_down_payment": fmt(options.min_down_payment),
        "max_installments": longest.installments if longest else 0,
        "plan_installment_amount": fmt(longest.installment_amount) if longest else "",
    }


@dataclass(frozen=True)
class RenderedStep:
    """A step as the agent reads it."""

    id: str
    title: str
    text: str
    branches: tuple[Branch, ...]
    outcome: Disposition | None


def render_step(script: Script, step_id: str, fields: dict[str, Any]) -> RenderedStep:
    """One step rendered with an account's fields."""
    step = script.steps.get(step_id)
    if step is None:
        raise ScriptNotFound(_("The script has no step {step}."), step=step_id)
    return RenderedStep(
        id=step.id,
        title=render_template(step.title, fields),
        text=" ".join(render_template(step.text, fields).split()),
        branches=tuple(Branch(render_template(b.label, fields), b.next) for b in step.branches),
        outcome=step.outcome,
    )
