"""SMS and WhatsApp like Twilio: queued, sending, sent, delivered or not, replies and opt-outs."""

import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING

from telephony.sandbox.state import API_VERSION, SimMessage, TwilioError, new_sid, utcnow
from telephony.sandbox.world import CallOutcome, SmsOutcome, is_mobile, is_valid_address
from telephony.sandbox.world import plan_message as plan

if TYPE_CHECKING:
    from telephony.sandbox.network import Network

OPT_OUT_KEYWORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN_KEYWORDS = {"START", "YES", "UNSTOP"}
ERRORS = {
    "undelivered": (30003, "Unreachable destination handset"),
    "failed": (30008, "Unknown error"),
    "window": (
        63016,
        "Failed to send freeform message because you are outside the allowed window. "
        "If you are using WhatsApp, please use a Message Template.",
    ),
}


def _render_template(net: "Network", content_sid: str, variables: str | None) -> str:
    template = net.world.templates.get(content_sid, "")
    try:
        values = json.loads(variables) if variables else {}
    except json.JSONDecodeError as error:
        raise TwilioError(400, 21656, "The ContentVariables Parameter is invalid.") from error
    if not isinstance(values, dict):
        raise TwilioError(400, 21656, "The ContentVariables Parameter is invalid.")
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: str(values.get(m.group(1), "")), template)


def create_message(net: "Network", form: dict[str, str]) -> SimMessage:
    """POST Messages.json: validate, queue the message and start its life."""
    to = form.get("To")
    from_ = form.get("From") or None
    service = form.get("MessagingServiceSid") or None
    if not to:
        raise TwilioError(400, 21604, "A 'To' phone number is required.")
    if not from_ and not service:
        raise TwilioError(400, 21603, "A 'From' phone number is required.")
    if not (form.get("Body") or form.get("ContentSid") or form.get("MediaUrl")):
        raise TwilioError(400, 21602, "Message body is required.")
    whatsapp = to.startswith("whatsapp:")
    rule = net.world.rule_for(to)
    if not is_valid_address(to) or to.startswith(("client:", "sip:")):
        raise TwilioError(400, 21211, f"Invalid 'To' Phone Number: {to}")
    if rule is not None and rule.call is CallOutcome.INVALID:
        raise TwilioError(400, 21211, f"Invalid 'To' Phone Number: {to}")
    if from_ is not None and whatsapp != from_.startswith("whatsapp:"):
        text = f"Twilio could not find a Channel with the From address {from_}"
        raise TwilioError(400, 63007, text)
    with net.store.lock:
        opted_out = to.removeprefix("whatsapp:") in net.store.sms_opted_out and not whatsapp
    if opted_out or (rule is not None and rule.call is CallOutcome.OPTED_OUT):
        raise TwilioError(400, 21610, "Attempt to send to unsubscribed recipient")
    if not whatsapp and not is_mobile(net.world, to):
        raise TwilioError(400, 21614, f"'To' number {to} is not a valid mobile number")
    body = form.get("Body", "")
    if form.get("ContentSid"):
        body = _render_template(net, form["ContentSid"], form.get("ContentVariables"))
    if from_ is None:
        sender = net.world.messaging_service_sender
        from_ = f"whatsapp:{sender}" if whatsapp else sender
    with net.store.lock:
        attempt = net.store.message_attempts.get(to, 0)
        net.store.message_attempts[to] = attempt + 1
        message = SimMessage(
            sid=new_sid("SM"),
            account_sid=net.account_sid,
            to=to,
            from_=from_,
            body=body,
            params=dict(form),
            plan=plan(net.world, to=to, attempt=attempt),
            messaging_service_sid=service,
        )
        if service:
            message.status = "accepted"
        net.store.messages[message.sid] = message
    net.spawn(run_message(net, message))
    return message


def _outside_window(net: "Network", message: SimMessage) -> bool:
    if not message.to.startswith("whatsapp:") or message.params.get("ContentSid"):
        return False
    with net.store.lock:
        last = net.store.last_inbound.get(message.to)
    window = timedelta(hours=net.world.whatsapp_window_hours)
    return last is None or utcnow() - last > window


async def _set_status(net: "Network", message: SimMessage, status: str, error: str = "") -> None:
    with net.store.lock:
        message.status = status
        message.updated = utcnow()
        if status == "sent":
            message.sent = message.updated
        if error:
            message.error_code, message.error_message = ERRORS[error]
    url = message.params.get("StatusCallback")
    if not url:
        return
    params = {
        "AccountSid": message.account_sid,
        "ApiVersion": API_VERSION,
        "From": message.from_ or "",
        "MessageSid": message.sid,
        "MessageStatus": status,
        "SmsSid": message.sid,
        "SmsStatus": status,
        "To": message.to,
    }
    if message.messaging_service_sid:
        params["MessagingServiceSid"] = message.messaging_service_sid
    if message.error_code is not None:
        params["ErrorCode"] = str(message.error_code)
    delivery = await net.request(url, params, "POST")
    with net.store.lock:
        message.callbacks.append({"kind": "status", "status": status, **delivery.as_dict()})


async def run_message(net: "Network", message: SimMessage) -> None:
    """The life of one outbound message, then perhaps the debtor's reply."""
    assert message.plan is not None
    outcome = message.plan
    if message.status == "accepted":
        await net.sleep(0.1)
        await _set_status(net, message, "queued")
    await net.sleep(outcome.sending_seconds)
    if _outside_window(net, message):
        await _set_status(net, message, "failed", "window")
        return
    await _set_status(net, message, "sending")
    await net.sleep(outcome.sent_seconds)
    if outcome.outcome is SmsOutcome.FAILED:
        await _set_status(net, message, "failed", "failed")
        return
    await _set_status(net, message, "sent")
    await net.sleep(outcome.delivery_seconds)
    if outcome.outcome is SmsOutcome.UNDELIVERED:
        await _set_status(net, message, "undelivered", "undelivered")
        return
    await _set_status(net, message, "delivered")
    if outcome.reply is not None and message.from_ is not None:
        await net.sleep(outcome.reply_seconds)
        await inbound(net, from_=message.to, to=message.from_, body=outcome.reply)


async def inbound(net: "Network", *, from_: str, to: str, body: str) -> SimMessage:
    """A debtor's message to one of our numbers: Twilio's own opt-out, then the signed webhook."""
    whatsapp = from_.startswith("whatsapp:")
    if not is_valid_address(from_) or not is_valid_address(to):
        raise TwilioError(400, 21211, f"Invalid Phone Number: {from_} / {to}")
    keyword = body.strip().upper()
    with net.store.lock:
        if whatsapp:
            net.store.last_inbound[from_] = utcnow()
        elif keyword in OPT_OUT_KEYWORDS:
            net.store.sms_opted_out.add(from_)
        elif keyword in OPT_IN_KEYWORDS:
            net.store.sms_opted_out.discard(from_)
        message = SimMessage(
            sid=new_sid("SM"),
            account_sid=net.account_sid,
            to=to,
            from_=from_,
            body=body,
            params={},
            plan=None,
            status="received",
            direction="inbound",
        )
        message.sent = message.created
        net.store.messages[message.sid] = message
    params = {
        "AccountSid": net.account_sid,
        "ApiVersion": API_VERSION,
        "Body": body,
        "From": from_,
        "MessageSid": message.sid,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsMessageSid": message.sid,
        "SmsSid": message.sid,
        "SmsStatus": "received",
        "To": to,
    }
    if whatsapp:
        params["ProfileName"] = "Deudor"
        params["WaId"] = from_.removeprefix("whatsapp:+")
    url = net.whatsapp_inbound_url if whatsapp else net.sms_inbound_url
    delivery = await net.request(url, params, "POST")
    with net.store.lock:
        message.callbacks.append({"kind": "inbound", **delivery.as_dict()})
        net.store.inbound_posts.append(delivery.as_dict())
    return message
