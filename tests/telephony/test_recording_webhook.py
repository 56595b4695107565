"""The recording status webhook: signed like the others, stored once on the attempt; a repeated
answer of a recorded call's bridge says the notice again before the recorded conference."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.compliance.recording_disclosure import recording_disclosure
from campaigns.models import Attempt, AttemptEvent, Client, utcnow
from telephony.voice import mark_routed
from tests.factories import make_campaign, make_user
from tests.telephony.test_webhooks import call_status, make_attempt, post_signed, web

__all__ = ["web"]
RECORDING = "RE" + "a" * 32


def recording_params(status: str = "completed") -> dict[str, str]:
    return {
        "AccountSid": "AC" + "0" * 32,
        "ConferenceSid": "CF" + "b" * 32,
        "RecordingSid": RECORDING,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/{RECORDING}",
        "RecordingStatus": status,
        "RecordingDuration": "42",
    }


def test_the_recording_is_stored_once_and_only_from_a_signed_request(
    web: TestClient, session: Session
) -> None:
    attempt = make_attempt(session)
    path = f"/twilio/voice/recording?attempt={attempt.id}"
    assert post_signed(web, path, recording_params(), token="not-the-token").status_code == 403
    assert web.post(path, data=recording_params()).status_code == 403
    assert post_signed(web, path, recording_params("in-progress")).status_code == 204
    session.rollback()
    assert session.get_one(Attempt, attempt.id).recording_sid is None

    assert post_signed(web, path, recording_params()).status_code == 204
    assert post_signed(web, path, recording_params()).status_code == 204
    session.rollback()
    stored = session.get_one(Attempt, attempt.id)
    assert stored.recording_sid == RECORDING and stored.recording_url.endswith(RECORDING)
    events = session.scalars(select(AttemptEvent).where(AttemptEvent.status == "recorded"))
    assert len(events.all()) == 1


def test_a_recorded_campaigns_bridge_says_the_notice_then_records_the_conference(
    web: TestClient, session: Session
) -> None:
    attempt = make_attempt(session)
    client = session.get_one(Client, attempt.client_id)
    campaign = make_campaign(session, client=client)
    campaign.record_calls = True
    attempt.campaign_id = campaign.id
    agent = make_user(session, username="agente7")
    mark_routed(session, attempt_id=attempt.id, agent_id=agent.id, now=utcnow())
    session.commit()
    params = call_status(attempt.provider_sid or "", "in-progress", AnsweredBy="human")
    twiml = post_signed(web, f"/twilio/voice/answer?attempt={attempt.id}", params).text
    notice = recording_disclosure(client.compliance_profile)
    assert twiml.index(notice) < twiml.index("<Dial>")
    assert 'record="record-from-start"' in twiml
    assert f"/twilio/voice/recording?attempt={attempt.id}" in twiml
