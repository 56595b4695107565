"""Every rule a campaign's selection reports, as a manager reads it: a name and an explanation.

The selection's `rule` column carries stable codes (`outside_hours`, `cap:co_daily`); pages,
exports and the CLI show these words instead, translated where they are shown.
"""

from dataclasses import dataclass

from campaigns.i18n import _, translate


@dataclass(frozen=True)
class RuleText:
    """A rule's short name and the sentence that explains it (both msgids)."""

    name: str
    explanation: str


RULES: dict[str, RuleText] = {
    "account_status": RuleText(
        _("Account not in collection"),
        _("The account is paid, escalated or closed, so it is not contacted."),
    ),
    "over_90_days": RuleText(
        _("More than 90 days overdue"),
        _("Accounts past 90 days overdue are escalated, not contacted by campaigns."),
    ),
    "not_yet_due": RuleText(
        _("Not overdue yet"), _("The account is contacted from its first day overdue.")
    ),
    "zero_balance": RuleText(
        _("Balance is zero"), _("Nothing is owed, so the account is not contacted.")
    ),
    "open_dispute": RuleText(
        _("Open dispute"), _("The debtor disputes the debt; contact waits until it is resolved.")
    ),
    "promise_in_force": RuleText(
        _("Promise to pay or payment plan in force"),
        _("The debtor agreed to pay; contact waits until the agreement falls due."),
    ),
    "in_flight": RuleText(
        _("An attempt is already in flight"),
        _("A call or message of this campaign is in progress for the account."),
    ),
    "retry_wait": RuleText(
        _("Waiting before the next retry"),
        _("The last try did not reach the debtor; the retry rules set when to try again."),
    ),
    "step_not_due": RuleText(
        _("Next step not due yet"),
        _("The account's next step is planned for a later day of the campaign."),
    ),
    "steps_done": RuleText(
        _("Every step of the campaign is done"),
        _("The account went through every step and no recycling rule brings it back."),
    ),
    "recycle_wait": RuleText(
        _("Steps done; waiting for the recycling delay"),
        _("The account will repeat a step once the recycling delay of its last result passes."),
    ),
    "do_not_contact": RuleText(
        _("On the do-not-contact list"),
        _("The debtor or the phone asked not to be contacted; the law forbids contacting them."),
    ),
    "invalid_contact_point": RuleText(
        _("No valid contact point for the channel"),
        _("There is no phone that can receive this step's channel (missing, invalid or landline)."),
    ),
    "opted_out": RuleText(
        _("Opted out of the channel"),
        _("The debtor replied to stop messages or calls on this channel."),
    ),
    "no_consent_whatsapp": RuleText(
        _("No WhatsApp opt-in"),
        _("WhatsApp needs the debtor's recorded opt-in before the first message."),
    ),
    "no_consent": RuleText(
        _("No recorded consent for the channel"),
        _("This country requires recorded consent before contacting on this channel."),
    ),
    "day_not_allowed": RuleText(
        _("No contact on this day of the week"),
        _("The law or the creditor does not allow contact today in the debtor's time zone."),
    ),
    "holiday": RuleText(
        _("Public holiday in the debtor's country"),
        _("No collection contact is made on a public holiday in the debtor's country."),
    ),
    "outside_hours": RuleText(
        _("Outside the debtor's contact hours"),
        _("It is too early or too late where the debtor lives; the account waits for the window."),
    ),
    "debtor_preference": RuleText(
        _("Outside the channels or hours the debtor accepts"),
        _("The debtor chose, on the self-service page, when and how they accept contact."),
    ),
}
# The law's frequency caps by name (a creditor's own extra caps show the name it gave them).
CAP_NAMES: dict[str, str] = {
    "co_daily": _("one contact a day (Colombia)"),
    "co_weekly": _("one conversation a week (Colombia)"),
    "cl_calls": _("one call a week (Chile)"),
    "cl_messages": _("two messages a week, two days apart (Chile)"),
    "us_calls": _("seven calls in seven days (United States)"),
    "us_after_conversation": _("a week's pause after a conversation (United States)"),
}
CAP = RuleText(
    _("Frequency cap {cap} reached"),
    _("The debtor was already contacted as often as the law allows in this period."),
)
UNKNOWN = RuleText(_("Other rule ({rule})"), _("A rule without a description yet."))


def rule_name(rule: str, locale: str | None) -> str:
    """A rule code as a manager reads it, in their language."""
    if rule.startswith("cap:"):
        name = rule.removeprefix("cap:")
        cap = translate(locale, CAP_NAMES[name]) if name in CAP_NAMES else name
        return translate(locale, CAP.name, cap=cap)
    return (
        translate(locale, RULES[rule].name)
        if rule in RULES
        else translate(locale, UNKNOWN.name, rule=rule)
    )


def rule_explanation(rule: str, locale: str | None) -> str:
    """Why a rule leaves an account out, in the reader's language."""
    text = CAP if rule.startswith("cap:") else RULES.get(rule, UNKNOWN)
    return translate(locale, text.explanation)
