"""Errors of the agreements domain: each says what was wrong and what to do about it."""

from campaigns.errors import Conflict, Invalid, NotFound


class AgreementError(Invalid):
    """An outcome or agreement that breaks the creditor's policy (422)."""


class PromiseDateOutOfPolicy(AgreementError):
    """A promise or first payment date outside the days the creditor allows."""


class PromiseAmountOutOfPolicy(AgreementError):
    """A promised amount below the discounted balance or above the balance."""


class DownPaymentOutOfPolicy(AgreementError):
    """A plan's down payment below the creditor's minimum, or the whole balance."""


class InstallmentsOutOfPolicy(AgreementError):
    """A plan with fewer than one or more instalments than the creditor allows."""


class CardNumberInNotes(AgreementError):
    """Notes that contain a payment card number."""


class ContactPointRequired(AgreementError):
    """An outcome about a number (wrong number, do not contact) without the number."""


class CallbackTimeInvalid(AgreementError):
    """A callback in the past, too far ahead or outside the debtor's contact hours."""


class AgentRequired(AgreementError):
    """A personal callback without the agent who owns it."""


class AttemptMismatch(AgreementError):
    """The attempt given is not an attempt of the account."""


class AccountNotOpen(Conflict):
    """An agreement on an account that is paid, closed or escalated (409)."""


class OutcomeAlreadyRecorded(Conflict):
    """The attempt already has another outcome (409)."""


class AgreementNotFound(NotFound):
    """No account, attempt or agent with that id (404)."""
