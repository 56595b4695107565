"""The wallboard counts the BPO's operating day, not the UTC one."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from campaigns.models import Attempt, AttemptStatus, Channel, Role
from console.supervision import supervisor_view
from tests.factories import make_account, make_campaign, make_client, make_user


def test_at_one_utc_the_wallboard_still_counts_the_afternoon(session: Session) -> None:
    client = make_client(session)
    campaign = make_campaign(session, client=client)
    account = make_account(session, client=client)
    supervisor = make_user(session, username="supervisora", role=Role.SUPERVISOR, access=[client])
    for hour in (15, 20, 23):  # 09:00, 14:00 and 17:00 in Mexico City on 30 November
        session.add(
            Attempt(
                client_id=client.id,
                account_id=account.id,
                campaign_id=campaign.id,
                channel=Channel.SMS,
                status=AttemptStatus.DELIVERED,
                created_at=datetime(2026, 11, 30, hour, 0, tzinfo=UTC),
            )
        )
    session.commit()

    evening = supervisor_view(supervisor.id, datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    assert [(c["campaign_id"], c["attempts"]) for c in evening["campaigns"]] == [(campaign.id, 3)]
    next_morning = supervisor_view(supervisor.id, datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    assert [c["attempts"] for c in next_morning["campaigns"]] == [0]
