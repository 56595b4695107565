"""Message templates and scripts: sandboxed jinja2, checked on save against fields and wording."""

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import (
    Template,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
    meta,
)
from jinja2.exceptions import SecurityError

from campaigns.compliance.template_limits import (
    LOOP_GUARD,
    LimitedEnvironment,
    TemplateLimitExceeded,
    render_limited,
)
from campaigns.compliance.text import Finding, check_text
from campaigns.errors import Invalid
from campaigns.i18n import _

TEMPLATE_FIELDS: dict[str, str] = {
    "name": _("Debtor's full name"),
    "first_name": _("Debtor's first name"),
    "greeting": _(
        "Greeting by the debtor's local time of day (Buenos días, Buenas tardes, Buenas noches)"
    ),
    "balance": _("Balance owed, formatted with its currency"),
    "balance_amount": _("Balance owed as a number"),
    "currency": _("Currency code (MXN, COP, CLP, PEN, USD)"),
    "due_date": _("Date the debt was due"),
    "days_overdue": _("Days since the due date"),
    "creditor": _("Creditor's name"),
    "agency": _("Collection agency's name"),
    "agent_name": _("Name of the agent handling the account"),
    "callback_number": _("Number the debtor can call back"),
    "account_ref_last4": _("Last four characters of the account reference"),
    "product": _("Product or service of the account"),
    "promise_date": _("Date of the promise to pay, if any"),
    "promise_amount": _("Amount promised, if any"),
    "installment_number": _("Number of the instalment due, if any"),
    "installment_amount": _("Amount of the instalment due, if any"),
    "discount_amount": _("Discount offered for early payment"),
    "discounted_balance": _("Balance after the early-payment discount"),
    "payment_link": _("Link to pay online, if the creditor has one"),
    "self_service_link": _(
        "Signed link to the debtor's self-service page (expires; see docs/self-service.md)"
    ),
    "opt_out_text": _("How to stop these messages (for example: reply BAJA)"),
}

SAMPLE_FIELDS: dict[str, Any] = {
    "name": "Juana Pérez López",
    "first_name": "Juana",
    "greeting": "Buenas tardes",
    "balance": "$1,200.00 MXN",
    "balance_amount": Decimal("1200.00"),
    "currency": "MXN",
    "due_date": date(2026, 10, 24),
    "days_overdue": 30,
    "creditor": "Cablevisión Norte",
    "agency": "Cobranza Amable",
    "agent_name": "Luis Gómez",
    "callback_number": "+52 55 5555 0100",
    "account_ref_last4": "0042",
    "product": "Internet 50 Mbps",
    "promise_date": date(2026, 12, 1),
    "promise_amount": Decimal("600.00"),
    "installment_number": 2,
    "installment_amount": Decimal("200.00"),
    "discount_amount": Decimal("120.00"),
    "discounted_balance": Decimal("1080.00"),
    "payment_link": "https://pagos.example.com/p/0042",
    "self_service_link": "https://acuerdo.example.com/s/42.1767225600.AAAAAAAAAAAAAAAAAAAAAA",
    "opt_out_text": "Responda BAJA para no recibir más mensajes.",
}


# Templates often branch on the aging bucket: each is rendered once, so no branch hides wording.
AGING_SAMPLES = (1, 30, 45, 75, 90)


class TemplateRejected(Invalid):
    """A template that does not render with the account fields or carries forbidden wording."""

    def __init__(self, message: str, /, *, findings: Iterable[Finding] = (), **params: Any) -> None:
        super().__init__(message, **params)
        self.findings = list(findings)

    def render(self, locale: str) -> str:
        """The message in the reader's language, with a courteous wording for each kind found."""
        suggestions = dict.fromkeys(s for f in self.findings if (s := f.suggestion(locale)))
        return " ".join([super().render(locale), *suggestions])


@lru_cache(maxsize=1)
def environment() -> LimitedEnvironment:
    """The one sandboxed jinja2 environment templates render in (unknown fields are errors)."""
    return LimitedEnvironment()


@lru_cache(maxsize=2048)
def compiled(source: str) -> Template:
    """A template compiled once per source text (scripts render on every screen pop)."""
    return environment().from_string(source)


def render_template(source: str, fields: Mapping[str, Any]) -> str:
    """Render a template with an account's fields in the sandbox, within the template limits."""
    return render_limited(compiled(source), fields)


def _syntax_error(error: TemplateSyntaxError) -> TemplateRejected:
    return TemplateRejected(
        _("The template has a syntax error on line {line}: {error}"),
        line=error.lineno,
        error=error.message or str(error),
    )


def validate_template(
    source: str,
    *,
    sample_fields: Mapping[str, Any] | None = None,
    extra_phrases: Iterable[str] = (),
) -> None:
    """Refuse (422) a template with a syntax error, an unknown field or a forbidden phrase."""
    fields = dict(SAMPLE_FIELDS if sample_fields is None else sample_fields)
    env = environment()
    try:
        parsed = env.parse(source)
    except TemplateSyntaxError as error:
        raise _syntax_error(error) from error
    unknown = sorted(meta.find_undeclared_variables(parsed) - fields.keys() - {LOOP_GUARD})
    if unknown:
        raise TemplateRejected(
            _("The template uses unknown fields: {fields}. Available fields: {available}."),
            fields=", ".join(unknown),
            available=", ".join(sorted(fields)),
        )
    template = compiled(source)
    variants = [fields]
    if "days_overdue" in fields:
        variants += [{**fields, "days_overdue": days} for days in AGING_SAMPLES]
    try:
        rendered = "\n".join(render_limited(template, variant) for variant in variants)
    except TemplateLimitExceeded as error:
        raise TemplateRejected(error.message, **error.params) from error
    except TemplateSyntaxError as error:
        raise _syntax_error(error) from error
    except UndefinedError as error:
        raise TemplateRejected(
            _("The template uses something the account fields do not have: {error}."),
            error=(error.message or str(error)).rstrip("."),
        ) from error
    except SecurityError as error:
        raise TemplateRejected(
            _("The template does something templates may not do: {error}."),
            error=str(error).rstrip("."),
        ) from error
    except (TemplateError, ArithmeticError, TypeError, ValueError) as error:
        raise TemplateRejected(
            _("The template cannot be rendered with sample account fields: {error}."),
            error=str(error),
        ) from error
    phrases = tuple(extra_phrases)
    findings = check_text(rendered, extra_phrases=phrases) + check_text(
        source, extra_phrases=phrases
    )
    if findings:
        raise_for_findings(findings)


def raise_for_findings(findings: list[Finding]) -> None:
    """Raise a 422 naming the forbidden phrases found in a template or script."""
    found: list[str] = []
    for finding in findings:
        if finding.found.casefold() not in (f.casefold() for f in found):
            found.append(finding.found)
    if len(found) == 1:
        raise TemplateRejected(findings[0].message, findings=findings, phrase=found[0])
    raise TemplateRejected(
        _("The text contains phrases that must not reach a debtor: {phrases}; remove them."),
        findings=findings,
        phrases=", ".join(f'"{phrase}"' for phrase in found),
    )
