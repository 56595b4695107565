"""Call control through the Twilio conference that carries a bridged call.

The debtor joins `acuerdo-attempt-{id}` by TwiML; each agent's browser leg is added by the REST
API with the label `agent-{id}`, so every action below names a participant by its label (the
debtor by its call SID): hold with music, mute, removal for transfers, and ending the call.
"""

import time

import requests
from twilio.base.exceptions import TwilioException
from twilio.rest.api.v2010.account.conference.participant import ParticipantContext

from campaigns.errors import AcuerdoError
from campaigns.i18n import _
from campaigns.settings import get_settings
from telephony.client import twilio_client
from telephony.voice import conference_name
from telephony.voice_tokens import agent_identity


class CallControlFailed(AcuerdoError):
    """The carrier refused a call-control action (the call has probably just ended)."""

    status_code = 502


def agent_label(agent_id: int) -> str:
    """The participant label of an agent's leg in a call's conference."""
    return agent_identity(agent_id)


CARRIER_ERRORS = (TwilioException, requests.RequestException)
DEBTOR_POLL_SECONDS = 0.2


def _conference_sid(attempt_id: int) -> str:
    """The SID of the call's live conference (Twilio addresses a conference by SID)."""
    found = twilio_client().conferences.list(
        friendly_name=conference_name(attempt_id), status="in-progress", limit=1
    )
    if not found:
        raise CallControlFailed(_("The call has already ended."))
    return str(found[0].sid)


def _participant(attempt_id: int, who: str) -> ParticipantContext:
    return twilio_client().conferences(_conference_sid(attempt_id)).participants(who)


def _refused(error: Exception) -> CallControlFailed:
    return CallControlFailed(
        _("The phone network did not accept that; the call may have just ended.")
    )


def wait_for_debtor(*, attempt_id: int, timeout_seconds: float = 30.0) -> bool:
    """Wait until the debtor has started the call's conference (after a recording notice, the
    agent's leg is only added then, so the notice is said before the agent joins)."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            found = twilio_client().conferences.list(
                friendly_name=conference_name(attempt_id), status="in-progress", limit=1
            )
        except CARRIER_ERRORS as error:
            raise _refused(error) from error
        if found:
            return True
        time.sleep(DEBTOR_POLL_SECONDS)
    return False


def add_agent_leg(
    *, attempt_id: int, agent_id: int, caller_id: str, end_call_on_exit: bool = True
) -> str:
    """Ring an agent's browser into the call's conference; returns the leg's call SID."""
    try:
        participant = (
            twilio_client()
            .conferences(conference_name(attempt_id))
            .participants.create(
                from_=caller_id,
                to=f"client:{agent_identity(agent_id)}",
                label=agent_label(agent_id),
                early_media=True,
                end_conference_on_exit=end_call_on_exit,
                beep="false",
            )
        )
    except CARRIER_ERRORS as error:
        raise _refused(error) from error
    return str(participant.call_sid)


def set_debtor_hold(*, attempt_id: int, debtor_call_sid: str, hold: bool) -> None:
    """Put the debtor on hold (hearing the hold music) or take it off."""
    try:
        if hold:
            _participant(attempt_id, debtor_call_sid).update(
                hold=True, hold_url=get_settings().hold_music_url, hold_method="GET"
            )
        else:
            _participant(attempt_id, debtor_call_sid).update(hold=False)
    except CARRIER_ERRORS as error:
        raise _refused(error) from error


def set_agent_muted(*, attempt_id: int, agent_id: int, muted: bool) -> None:
    """Mute or unmute an agent's leg: the debtor stops or starts hearing the agent."""
    try:
        _participant(attempt_id, agent_label(agent_id)).update(muted=muted)
    except CARRIER_ERRORS as error:
        raise _refused(error) from error


def keep_call_when_agent_leaves(*, attempt_id: int, agent_id: int) -> None:
    """The agent's leg no longer ends the conference when it leaves (before a transfer)."""
    try:
        _participant(attempt_id, agent_label(agent_id)).update(end_conference_on_exit=False)
    except CARRIER_ERRORS as error:
        raise _refused(error) from error


def end_call_when_agent_leaves(*, attempt_id: int, agent_id: int) -> None:
    """The agent's leg ends the conference when it leaves (the one who now owns the call)."""
    try:
        _participant(attempt_id, agent_label(agent_id)).update(end_conference_on_exit=True)
    except CARRIER_ERRORS as error:
        raise _refused(error) from error


def remove_agent(*, attempt_id: int, agent_id: int) -> None:
    """Take an agent's leg out of the call (its browser call ends; the debtor stays)."""
    try:
        _participant(attempt_id, agent_label(agent_id)).delete()
    except CARRIER_ERRORS as error:
        raise _refused(error) from error


def end_call(*, attempt_id: int) -> None:
    """Hang up: end the conference, which ends the debtor's call and the agents' legs."""
    try:
        twilio_client().conferences(_conference_sid(attempt_id)).update(status="completed")
    except CARRIER_ERRORS as error:
        raise _refused(error) from error


def supervisor_label(supervisor_id: int) -> str:
    """The participant label of a supervisor's leg listening to, coaching or joining a call."""
    return f"supervisor-{supervisor_id}"


def _monitoring(mode: str, agent_call_sid: str) -> dict[str, object]:
    """Listen: muted; whisper: coaching the agent's leg (only the agent hears); barge: unmuted."""
    return {
        "muted": mode == "listen",
        "coaching": mode == "whisper",
        "call_sid_to_coach": agent_call_sid if mode == "whisper" else None,
    }


def monitor_call(
    *, attempt_id: int, agent_id: int, supervisor_id: int, mode: str, caller_id: str
) -> None:
    """Ring a supervisor's browser into a live call (or change how it is in): listen, whisper
    or barge, through the conference's muted and coach participants."""
    try:
        conference = twilio_client().conferences(_conference_sid(attempt_id))
        agent_call_sid = str(conference.participants(agent_label(agent_id)).fetch().call_sid)
        label = supervisor_label(supervisor_id)
        present = {p.label for p in conference.participants.list()}
        if label in present:
            conference.participants(label).update(**_monitoring(mode, agent_call_sid))
            return
        conference.participants.create(
            from_=caller_id,
            to=f"client:{agent_identity(supervisor_id)}",
            label=label,
            end_conference_on_exit=False,
            beep="false",
            **_monitoring(mode, agent_call_sid),
        )
    except CARRIER_ERRORS as error:
        raise _refused(error) from error


def stop_monitoring(*, attempt_id: int, supervisor_id: int) -> None:
    """Take the supervisor's leg out of the call."""
    try:
        _participant(attempt_id, supervisor_label(supervisor_id)).delete()
    except CARRIER_ERRORS as error:
        raise _refused(error) from error
