"""Call recording through the conference: the plan for a call, the provider's reference on the
attempt, and the audio fetched back from the provider (never a public URL).

A campaign with `record_calls` has its debtors hear the compliance profile's notice by <Say>
before they join the conference, which records from its start; the provider then posts the
recording's SID and URL to /twilio/voice/recording, stored on the attempt.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

import requests
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException

from campaigns.compliance.recording_disclosure import recording_disclosure
from campaigns.errors import AcuerdoError
from campaigns.i18n import _
from campaigns.models import Attempt, AttemptEvent, Campaign, Client
from campaigns.settings import get_settings
from telephony.client import SandboxHttpClient, twilio_client

log = logging.getLogger(__name__)
TWILIO_API = "https://api.twilio.com"
RECORDED = "recorded"


class RecordingUnavailable(AcuerdoError):
    """The provider could not give the recording's audio."""

    status_code = 502


@dataclass(frozen=True)
class RecordingPlan:
    """A recorded call: the notice said first and where the provider reports the recording."""

    disclosure: str
    status_callback: str


def recording_plan(session: Session, attempt: Attempt) -> RecordingPlan | None:
    """The recording plan of an attempt's call, or None when its campaign does not record."""
    campaign = session.get(Campaign, attempt.campaign_id) if attempt.campaign_id else None
    if campaign is None or not campaign.record_calls:
        return None
    client = session.get_one(Client, attempt.client_id)
    base = get_settings().public_base_url.rstrip("/")
    return RecordingPlan(
        disclosure=recording_disclosure(client.compliance_profile),
        status_callback=f"{base}/twilio/voice/recording?attempt={attempt.id}",
    )


def store_recording(
    session: Session,
    *,
    attempt_id: int,
    recording_sid: str,
    recording_url: str,
    status: str,
    now: datetime,
) -> bool:
    """Keep the provider's reference to a completed recording on its attempt (once)."""
    if status != "completed" or not recording_sid.startswith("RE"):
        return False
    attempt = session.get(Attempt, attempt_id, with_for_update=True)
    if attempt is None or attempt.recording_sid == recording_sid:
        return False
    attempt.recording_sid = recording_sid
    attempt.recording_url = recording_url[:300]
    session.add(
        AttemptEvent.on(
            attempt, RECORDED, now, source="twilio", data={"recording_sid": recording_sid}
        )
    )
    return True


def fetch_audio(recording_sid: str) -> bytes:
    """The recording's WAV audio, fetched from the provider with the account's credentials."""
    settings = get_settings()
    client = twilio_client()
    try:
        recording = client.recordings(recording_sid).fetch()
        url = TWILIO_API + str(recording.uri).removesuffix(".json") + ".wav"
        if isinstance(client.http_client, SandboxHttpClient):
            url = client.http_client.rewrite(url)
        response = requests.get(url, auth=(settings.account_sid, settings.auth_token), timeout=30)
        response.raise_for_status()
    except (TwilioException, requests.RequestException) as error:
        log.warning("recording %s could not be fetched: %s", recording_sid, type(error).__name__)
        raise RecordingUnavailable(
            _("The recording could not be fetched from the phone provider; try again later.")
        ) from error
    return response.content
