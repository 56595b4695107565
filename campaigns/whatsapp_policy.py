"""WhatsApp only as the creditor's own billing reminder, as WhatsApp's Business policy requires.

WhatsApp prohibits debt-collection messaging. Acuerdo therefore sends WhatsApp only from the
creditor's configured sender, only to contact points with recorded WhatsApp opt-in, and only as an
approved utility template (a ContentSid the creditor registered); free text is allowed only inside
the 24-hour window after the debtor's last WhatsApp message.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.errors import Invalid
from campaigns.i18n import _
from campaigns.models import Channel, ChannelPermission, Client, ContactPoint, InboundMessage

SESSION_WINDOW = timedelta(hours=24)


class WhatsAppNotAllowed(Invalid):
    """A WhatsApp message the policy forbids."""


def template_sid(client: Client, template_key: str | None) -> str:
    """The ContentSid of one of the creditor's approved utility templates."""
    if not client.whatsapp_sender:
        raise WhatsAppNotAllowed(
            _("{creditor} has no WhatsApp sender configured; WhatsApp cannot be used."),
            creditor=client.name,
        )
    templates = client.whatsapp_templates or {}
    if not template_key or template_key not in templates:
        raise WhatsAppNotAllowed(
            _(
                "WhatsApp may only carry the creditor's approved billing-reminder templates "
                "({known}); debt-collection messages are prohibited by WhatsApp."
            ),
            known=", ".join(sorted(templates)) or "-",
        )
    return str(templates[template_key])


def has_opt_in(session: Session, *, contact_point: ContactPoint) -> bool:
    """Whether the debtor gave WhatsApp opt-in on this number and has not withdrawn it."""
    row = session.execute(
        select(ChannelPermission.opted_in_at, ChannelPermission.opted_out_at).where(
            ChannelPermission.contact_point_id == contact_point.id,
            ChannelPermission.channel == Channel.WHATSAPP,
        )
    ).first()
    return row is not None and row.opted_in_at is not None and row.opted_out_at is None


def inside_session_window(session: Session, *, contact_point: ContactPoint, now: datetime) -> bool:
    """Whether the debtor wrote on WhatsApp in the last 24 hours (free text allowed)."""
    last = session.scalar(
        select(func.max(InboundMessage.created_at)).where(
            InboundMessage.contact_point_id == contact_point.id,
            InboundMessage.channel == Channel.WHATSAPP,
        )
    )
    return last is not None and now - last < SESSION_WINDOW


def check_message(
    session: Session,
    *,
    client: Client,
    contact_point: ContactPoint,
    template_key: str | None,
    free_text: bool,
    now: datetime,
) -> str | None:
    """Refuse a WhatsApp message the policy forbids; return its ContentSid (None for free text)."""
    if not has_opt_in(session, contact_point=contact_point):
        raise WhatsAppNotAllowed(
            _("This number has no WhatsApp opt-in on record; WhatsApp cannot be used.")
        )
    if free_text:
        if not client.whatsapp_sender:
            raise WhatsAppNotAllowed(
                _("{creditor} has no WhatsApp sender configured; WhatsApp cannot be used."),
                creditor=client.name,
            )
        if not inside_session_window(session, contact_point=contact_point, now=now):
            raise WhatsAppNotAllowed(
                _(
                    "Free-text WhatsApp is only allowed within 24 hours of the debtor's last "
                    "message; use an approved template."
                )
            )
        return None
    return template_sid(client, template_key)
