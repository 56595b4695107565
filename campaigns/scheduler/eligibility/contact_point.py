"""The contact point for the step's channel, and the rule that applies when there is none."""

from typing import Any

from sqlalchemy import and_, case, exists, literal, not_, null, or_, select
from sqlalchemy.sql.elements import ColumnElement

from campaigns.compliance import Profile, Rule
from campaigns.models import (
    Channel,
    ChannelPermission,
    Client,
    ContactKind,
    ContactPoint,
    DoNotContact,
    LineType,
)
from campaigns.scheduler.eligibility.sql import TEXT, fenced


def _opted_out() -> ColumnElement[bool]:
    return and_(
        ChannelPermission.opted_out_at.is_not(None),
        or_(
            ChannelPermission.opted_in_at.is_(None),
            ChannelPermission.opted_out_at >= ChannelPermission.opted_in_at,
        ),
    )


def _point_conditions(
    debtor_id: ColumnElement[int], client_id: int, channel: Channel, profile: Profile, depth: int
) -> list[ColumnElement[bool]]:
    """Conditions on ContactPoint for a channel, cumulative by depth (1 receivable .. 4 usable)."""
    conditions: list[ColumnElement[bool]] = [
        ContactPoint.debtor_id == debtor_id,
        ContactPoint.invalid.is_(False),
        ContactPoint.kind == ContactKind.PHONE,
    ]
    if channel != Channel.VOICE:
        conditions.append(
            or_(ContactPoint.line_type.is_(None), ContactPoint.line_type != LineType.FIXED_LINE)
        )
    permission = ChannelPermission.contact_point_id == ContactPoint.id
    if depth >= 2:
        conditions.append(
            not_(exists().where(permission, ChannelPermission.channel == channel, _opted_out()))
        )
    if depth >= 3 and channel in profile.consent_required:
        conditions.append(
            exists().where(
                permission,
                ChannelPermission.channel == channel,
                ChannelPermission.opted_in_at.is_not(None),
                not_(_opted_out()),
            )
        )
    if depth >= 4:
        conditions.append(
            not_(
                exists().where(
                    DoNotContact.value == ContactPoint.value,
                    or_(DoNotContact.client_id.is_(None), DoNotContact.client_id == client_id),
                )
            )
        )
    return conditions


def with_contact_point(
    progress: Any, client: Client, profile: Profile, channels: list[Channel]
) -> Any:
    """The accounts with the best usable contact point for their step's channel, if any."""
    c = progress.c
    best = {
        ch: select(ContactPoint.id)
        .where(*_point_conditions(c.debtor_id, client.id, ch, profile, 4))
        .order_by(ContactPoint.priority, ContactPoint.id)
        .limit(1)
        .scalar_subquery()
        for ch in channels
    }
    point = case(*((c.channel == str(ch), best[ch]) for ch in channels), else_=null())
    return fenced(select(progress, point.label("contact_point_id")), "chosen")


def reachable(c: Any, client: Client, profile: Profile, channels: list[Channel]) -> Any:
    """Whether the account has a usable contact point for its step's channel: the same
    conditions as the chosen point, so it holds exactly when `contact_point_id` is not NULL.

    The preview's counts read this rather than the chosen point because a correlated EXISTS is
    one the database may answer from a set read once (PostgreSQL hashes it when many rows ask),
    and a query that only counts then never looks the point itself up. The tick's pages read
    the point anyway, so their rule is judged from it (`with_rule(point_read=True)`).
    """
    return or_(
        *(
            and_(
                c.channel == ch.value,
                exists().where(*_point_conditions(c.debtor_id, client.id, ch, profile, 4)),
            )
            for ch in channels
        )
    )


def point_rule(c: Any, client: Client, profile: Profile, channels: list[Channel]) -> Any:
    """Why an account has no usable contact point for its step's channel (one of `channels`,
    the campaign's)."""
    by_channel = []
    for channel in channels:

        def has(depth: int, ch: Channel = channel) -> ColumnElement[bool]:
            return exists().where(*_point_conditions(c.debtor_id, client.id, ch, profile, depth))

        consent = (
            Rule.NO_CONSENT_WHATSAPP.value if channel == Channel.WHATSAPP else Rule.NO_CONSENT.value
        )
        cascade = case(
            (not_(has(1)), literal(Rule.INVALID_CONTACT_POINT.value, TEXT)),
            (not_(has(2)), literal(Rule.OPTED_OUT.value, TEXT)),
            (not_(has(3)), literal(consent, TEXT)),
            else_=literal(Rule.DO_NOT_CONTACT.value, TEXT),
        )
        by_channel.append((c.channel == channel.value, cascade))
    return case(*by_channel, else_=literal(Rule.INVALID_CONTACT_POINT.value, TEXT))
