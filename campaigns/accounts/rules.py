"""The contact rules by name and purpose, as a manager or a creditor reads a refusal."""

from campaigns.compliance import Rule
from campaigns.i18n import _, translate

RULE_NAMES: dict[str, str] = {
    Rule.ACCOUNT_STATUS: _("Account not open"),
    Rule.ZERO_BALANCE: _("Nothing owed"),
    Rule.OVER_90_DAYS: _("Over 90 days overdue"),
    Rule.NOT_YET_DUE: _("Not overdue yet"),
    Rule.OPEN_DISPUTE: _("Open dispute"),
    Rule.PROMISE_IN_FORCE: _("Promise or plan in force"),
    Rule.DO_NOT_CONTACT: _("Do-not-contact list"),
    Rule.INVALID_CONTACT_POINT: _("Unusable contact point"),
    Rule.OPTED_OUT: _("Opted out"),
    Rule.NO_CONSENT_WHATSAPP: _("No WhatsApp opt-in"),
    Rule.NO_CONSENT: _("No consent"),
    Rule.DAY_NOT_ALLOWED: _("Day without contact"),
    Rule.HOLIDAY: _("Public holiday"),
    Rule.OUTSIDE_HOURS: _("Outside contact hours"),
}
RULE_PURPOSES: dict[str, str] = {
    Rule.ACCOUNT_STATUS: _("Paid, escalated and closed accounts are not contacted."),
    Rule.ZERO_BALANCE: _("An account with no balance has nothing to collect."),
    Rule.OVER_90_DAYS: _("Only accounts 1 to 90 days overdue are contacted."),
    Rule.NOT_YET_DUE: _("Contact starts the day after the due date."),
    Rule.OPEN_DISPUTE: _("While the debtor disputes the debt, contact waits for its resolution."),
    Rule.PROMISE_IN_FORCE: _(
        "While a promise or a payment plan is in good standing, the debtor is not asked again."
    ),
    Rule.DO_NOT_CONTACT: _("The debtor, the number or the address is on a do-not-contact list."),
    Rule.INVALID_CONTACT_POINT: _(
        "The number or address is missing, marked invalid, or cannot receive that channel."
    ),
    Rule.OPTED_OUT: _("The debtor asked not to be contacted on that channel."),
    Rule.NO_CONSENT_WHATSAPP: _("WhatsApp needs the debtor's recorded opt-in."),
    Rule.NO_CONSENT: _("This channel needs the debtor's recorded consent."),
    Rule.DAY_NOT_ALLOWED: _("The law of the debtor's country allows no contact on that day."),
    Rule.HOLIDAY: _("No contact on the public holidays of the debtor's country."),
    Rule.OUTSIDE_HOURS: _("Contact only within the legal hours in every zone the debtor may be."),
}
CAP_NAME = _("Contact frequency cap ({cap})")
CAP_PURPOSE = _("The law caps how often a debtor may be contacted; the cap was reached.")


def rule_name(rule: str, locale: str | None) -> str:
    """A rule's short name in the reader's language."""
    if rule.startswith("cap:"):
        return translate(locale, CAP_NAME, cap=rule.removeprefix("cap:"))
    return translate(locale, RULE_NAMES.get(rule, rule))


def rule_purpose(rule: str, locale: str | None) -> str:
    """What a rule protects, in the reader's language."""
    if rule.startswith("cap:"):
        return translate(locale, CAP_PURPOSE)
    message = RULE_PURPOSES.get(rule)
    return translate(locale, message) if message else ""
