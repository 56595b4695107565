"""What the contact check said about an attempt: the holds and refusals on the way, and why it
was allowed when it went out."""

from campaigns.accounts.account_file import AccountFile
from campaigns.accounts.evidence.table import local, utc
from campaigns.compliance import effective_profile
from campaigns.compliance.windows import local_time
from campaigns.i18n import _, translate
from campaigns.models import Attempt, AttemptEvent
from campaigns.scheduler.rules_explained import rule_explanation, rule_name


def send_check(attempt: Attempt, events: list[AttemptEvent], file: AccountFile, locale: str) -> str:
    """What the contact check said when this attempt was about to go out."""
    notes = []
    for event in events:
        rule = str(event.data.get("rule", "")) if event.data else ""
        if event.status.startswith("held:"):
            rule = event.status.removeprefix("held:")
            notes.append(
                translate(
                    locale,
                    _("Held at {at} by rule: {rule}"),
                    at=utc(event.occurred_at),
                    rule=rule_name(rule, locale),
                )
            )
        elif rule:
            notes.append(
                translate(
                    locale,
                    _("Refused at {at} by rule: {rule} ({purpose})"),
                    at=utc(event.occurred_at),
                    rule=rule_name(rule, locale),
                    purpose=rule_explanation(rule, locale),
                )
            )
    if attempt.dispatched_at is not None:
        profile = effective_profile(file.client)
        sent_local = local_time(attempt.dispatched_at, file.zones[0])
        hours = profile.hours_on(sent_local.weekday())
        window = f"{hours.start:%H:%M}-{hours.end:%H:%M}" if hours else ""
        notes.append(
            translate(
                locale,
                _(
                    "Allowed at sending ({at}): account open and in scope, contact point usable "
                    "with consent, no hold, frequency caps not reached, {local} inside the "
                    "contact hours {window} ({profile} profile)"
                ),
                at=utc(attempt.dispatched_at),
                local=local(file.zones, attempt.dispatched_at),
                window=window,
                profile=str(file.client.compliance_profile),
            )
        )
    return " | ".join(notes)
