"""Finding the call or message an earlier, interrupted run of an attempt created at the provider.

A run that died (or lost the provider's answer) after committing `dispatching` may or may not have
reached Twilio. The retry asks Twilio for the records its request would have created and adopts
one only if it is this attempt's: same recipient and sender, created after the attempt was marked
dispatching, the same text for a message, and not already the record of another attempt (another
creditor may text or call the same debtor from the same number at the same time). The status
callbacks carry the attempt id, so a record they already tied to the attempt is taken as is.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from twilio.rest import Client as TwilioClient

from campaigns.models import Channel
from telephony.dispatch import Outbound

RECONCILE_MARGIN = timedelta(seconds=5)
LOOKUP_LIMIT = 50

Taken = Callable[[Iterable[str]], set[str]]


def find_own(client: TwilioClient, outbound: Outbound, taken: Taken) -> tuple[str, str] | None:
    """This attempt's call or message at the provider (sid, status), if its request went through."""
    assert outbound.reconcile_since is not None
    if outbound.provider_sid:
        return outbound.provider_sid, "reconciled"
    since = outbound.reconcile_since - RECONCILE_MARGIN
    records: list[Any]
    if outbound.channel == Channel.VOICE:
        records = client.calls.list(to=outbound.to, from_=outbound.sender, limit=LOOKUP_LIMIT)
    else:
        records = client.messages.list(to=outbound.to, from_=outbound.sender, limit=LOOKUP_LIMIT)
    candidates = [r for r in records if _matches(r, outbound, since)]
    owned = taken(str(r.sid) for r in candidates)
    mine = [r for r in candidates if str(r.sid) not in owned]
    if not mine:
        return None
    first = min(mine, key=lambda r: r.date_created)
    return str(first.sid), str(first.status)


def _matches(record: Any, outbound: Outbound, since: datetime) -> bool:
    created = record.date_created
    if created is None or created < since:
        return False
    sender = getattr(record, "from_", None) or getattr(record, "_from", None)
    if str(record.to) != outbound.to or str(sender) != outbound.sender:
        return False
    if outbound.channel != Channel.VOICE and outbound.body is not None:
        return str(record.body) == outbound.body
    return True
