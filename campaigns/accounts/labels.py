"""Stored values (statuses, channels, dispositions, purposes) as a reader reads them."""

from campaigns.i18n import _, translate

LABELS: dict[str, str] = {
    # channels
    "voice": _("Call"),
    "email": _("E-mail"),
    # attempt statuses
    "pending": _("Pending"),
    "dispatching": _("Sending"),
    "queued": _("Queued"),
    "ringing": _("Ringing"),
    "in-progress": _("Connected"),
    "sent": _("Sent"),
    "completed": _("Completed"),
    "delivered": _("Delivered"),
    "busy": _("Busy"),
    "no-answer": _("No answer"),
    "failed": _("Failed"),
    "undelivered": _("Undelivered"),
    "canceled": _("Canceled"),
    "refused": _("Refused by compliance"),
    # purposes
    "collection": _("Collection"),
    "reminder": _("Reminder"),
    "thanks": _("Thanks"),
    # dispositions
    "promise_to_pay": _("Promise to pay"),
    "payment_plan": _("Payment plan"),
    "paid_already": _("Paid already"),
    "dispute": _("Dispute"),
    "callback": _("Callback requested"),
    "wrong_number": _("Wrong number"),
    "third_party": _("Third party"),
    "refuses": _("Refuses"),
    "deceased": _("Deceased"),
    "language_barrier": _("Language barrier"),
    "no_answer": _("No answer"),
    "machine": _("Answering machine"),
    "do_not_contact": _("Do not contact"),
    "unrecorded": _("Not recorded"),
    # account, agreement and dispute statuses
    "active": _("Active"),
    "promised": _("Promised"),
    "plan": _("Payment plan"),
    "disputed": _("Disputed"),
    "paid": _("Paid"),
    "escalated": _("Escalated"),
    "closed": _("Closed"),
    "kept": _("Kept"),
    "broken": _("Broken"),
    "cancelled": _("Cancelled"),
    "missed": _("Missed"),
    "open": _("Open dispute"),
    "resolved": _("Resolved"),
    # what an inbound message was read as
    "reply": _("Reply"),
    "opt_out": _("Opt-out request"),
    "opt_in": _("Opt-in request"),
    # where a refusal was decided
    "scheduler": _("Campaign scheduler"),
    "dispatch": _("At sending"),
    "preview": _("Campaign preview"),
    "agreement_confirmation": _("Agreement confirmation"),
    "installment_reminder": _("Instalment reminder"),
    "promise_reminder": _("Promise reminder"),
    "payment_thanks": _("Thanks for a payment"),
}
# Names that read the same in every language: shown as they are.
AS_IS = {"sms": "SMS", "whatsapp": "WhatsApp"}


def label(value: object, locale: str | None) -> str:
    """A stored value in the reader's language (unknown values as they are)."""
    text = "" if value is None else str(value)
    if text in AS_IS:
        return AS_IS[text]
    message = LABELS.get(text)
    return translate(locale, message) if message else text
