"""Ask the provider about calls and messages whose last status callback never arrived.

Each fetched status goes through the webhooks' own forward-only path, so a callback that
arrives later is stored once and changes nothing. An attempt asked about is not asked again
until `reconcile_after_seconds` pass (a long call in progress is fetched once per bound).
"""

import logging
from datetime import datetime

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client as TwilioClient

from campaigns.db import read_scope, session_scope
from campaigns.models import Channel
from campaigns.redis_conn import get_redis
from campaigns.settings import get_settings
from telephony import recovery
from telephony.client import twilio_client
from telephony.recovery import ProviderState, Unconfirmed
from telephony.status_updates import StatusChange

log = logging.getLogger(__name__)
NOT_FOUND = 404


def _checked_key(attempt_id: int) -> str:
    return f"acuerdo:reconciled:{attempt_id}"


def recently_checked(attempt_ids: list[int]) -> set[int]:
    """Attempts the sweep asked the provider about within the bound."""
    if not attempt_ids:
        return set()
    pipe = get_redis().pipeline(transaction=False)
    for attempt_id in attempt_ids:
        pipe.exists(_checked_key(attempt_id))
    return {a for a, seen in zip(attempt_ids, pipe.execute(), strict=True) if seen}


def _fetch(client: TwilioClient, item: Unconfirmed) -> ProviderState:
    if item.channel == Channel.VOICE:
        call = client.calls(item.sid).fetch()
        duration = str(call.duration or "")
        return ProviderState(
            status=str(call.status),
            ended_at=call.end_time,
            duration_seconds=int(duration) if duration.isdigit() else None,
            answered_by=str(call.answered_by) if call.answered_by else None,
        )
    message = client.messages(item.sid).fetch()
    return ProviderState(
        status=str(message.status),
        error_code=int(message.error_code) if message.error_code else None,
    )


def reconcile_one(client: TwilioClient, item: Unconfirmed, now: datetime) -> StatusChange | None:
    """Fetch one attempt's call or message and apply what the provider says."""
    try:
        found = _fetch(client, item)
    except TwilioRestException as error:
        if error.status != NOT_FOUND:
            raise
        with session_scope() as session:
            recovery.forget_unknown(session, item=item, now=now)
        return None
    with session_scope() as session:
        change = recovery.apply_provider_state(session, item=item, found=found, now=now)
    get_redis().set(
        _checked_key(item.attempt_id), 1, ex=max(1, get_settings().reconcile_after_seconds)
    )
    return change


def reconcile_unconfirmed(now: datetime) -> list[StatusChange]:
    """Reconcile every unconfirmed attempt not asked about recently; the changes applied."""
    with read_scope() as session:
        items = recovery.unconfirmed(session, now=now, limit=1000)
    checked = recently_checked([item.attempt_id for item in items])
    client = twilio_client()
    changes = []
    for item in items:
        if item.attempt_id in checked:
            continue
        try:
            change = reconcile_one(client, item, now)
        except (TwilioException, requests.RequestException) as error:
            log.warning("could not reconcile attempt %s: %s", item.attempt_id, error)
            continue
        if change is not None:
            log.info("attempt %s reconciled to %s", change.attempt_id, change.status)
            changes.append(change)
    return changes
