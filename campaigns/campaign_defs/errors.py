"""The errors of campaign definitions: not found, invalid (naming the field), state conflict."""

from campaigns.compliance import TemplateRejected
from campaigns.errors import Conflict, Invalid, NotFound
from campaigns.i18n import _, translate


class CampaignNotFound(NotFound):
    """No campaign with that id or name (or not one the reader may see)."""


class CampaignInvalid(Invalid):
    """A campaign definition that breaks a rule; the message names the field."""


class CampaignStateConflict(Conflict):
    """A lifecycle change the campaign's current status does not allow."""


class TextRefused(CampaignInvalid):
    """A template or script step refused by the compliance check, named with where it is."""

    def __init__(self, where: str, inner: TemplateRejected) -> None:
        super().__init__(_("{where} is refused: {reason}"), where=where, reason=str(inner))
        self.inner = inner
        self.findings = inner.findings

    def render(self, locale: str) -> str:
        """The message in the reader's language, the inner reason translated too."""
        return translate(
            locale, self.message, where=self.params["where"], reason=self.inner.render(locale)
        )
