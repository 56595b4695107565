"""The errors of campaign definitions: not found, invalid (naming the field), state conflict."""

from typing import Any, NamedTuple

from campaigns.compliance import TemplateRejected
from campaigns.errors import Conflict, Invalid, NotFound
from campaigns.i18n import _, translate


class CampaignNotFound(NotFound):
    """No campaign with that id or name (or not one the reader may see)."""


class CampaignInvalid(Invalid):
    """A campaign definition that breaks a rule; the message names the field."""


STATUS_WORDS = {
    "draft": _("Draft"),
    "active": _("Active"),
    "paused": _("Paused"),
    "finished": _("Finished"),
}


class CampaignStateConflict(Conflict):
    """A lifecycle change the campaign's current status does not allow."""

    def render(self, locale: str) -> str:
        """The message in the reader's language, the statuses as words, not codes."""
        params = {
            key: translate(locale, STATUS_WORDS[str(value)])
            if key in ("status", "target") and str(value) in STATUS_WORDS
            else value
            for key, value in self.params.items()
        }
        return translate(locale, self.message, **params)


class TextRefused(CampaignInvalid):
    """A template or script step refused by the compliance check, named with where it is."""

    def __init__(self, where: str, inner: TemplateRejected) -> None:
        super().__init__(
            _("{where} is refused: {reason}"), where=where, reason=str(inner), field=where
        )
        self.inner = inner
        self.findings = inner.findings

    def render(self, locale: str) -> str:
        """The message in the reader's language, the inner reason translated too."""
        return translate(
            locale, self.message, where=self.params["where"], reason=self.inner.render(locale)
        )


class Problem(NamedTuple):
    """One field of a definition that does not have the expected shape: where, what (a msgid)."""

    field: str
    message: str
    params: dict[str, Any]


NOT_VALID = _("This value is not valid.")
# Pydantic's error types, in words a manager reads (translated where shown).
PROBLEMS: dict[str, str] = {
    "missing": _("This is required."),
    "string_too_short": _("This is required."),
    "too_short": _("Add at least one."),
    "greater_than_equal": _("Must be {ge} or more."),
    "less_than_equal": _("Must be {le} or less."),
    "int_parsing": _("Enter a whole number."),
    "int_type": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "decimal_parsing": _("Enter an amount such as 1500.00."),
    "decimal_type": _("Enter an amount such as 1500.00."),
    "literal_error": _("Choose one of the listed values."),
    "enum": _("Choose one of the listed values."),
    "extra_forbidden": _("This is not a field of a campaign."),
    "string_too_long": _("This is too long."),
}


class DefinitionInvalid(CampaignInvalid):
    """A definition whose shape is wrong; each problem names its field (`filter.max_balance`)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            _("The campaign definition is not valid: {problems}"),
            problems="; ".join(f"{p.field}: {p.message.format(**p.params)}" for p in problems),
            field=problems[0].field if problems else "-",
        )
        self.problems = problems

    def field_message(self, problem: Problem, locale: str) -> str:
        """One problem in the reader's language."""
        return translate(locale, problem.message, **problem.params)

    def render(self, locale: str) -> str:
        """Every problem in the reader's language."""
        return translate(
            locale,
            self.message,
            problems="; ".join(
                f"{p.field}: {self.field_message(p, locale)}" for p in self.problems
            ),
        )
