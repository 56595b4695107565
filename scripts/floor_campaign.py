"""The benchmark's campaign: a creditor where it is midday, its agents, a supervisor, a portfolio
and the history a campaign has in mid-shift. Used by `bench_dialer_sandbox.py`.
"""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from floor_agents import WRAP

ACCOUNTS = 5000
MACHINE_SHARE = 0.15  # of calls placed, as in the simulator's default
RING_TIMEOUT = 25
# Seconds until a debtor or machine answers, and from answering to the debtor hanging up.
RING: dict[str, float] = {"min": 3, "max": 24, "mode": 8}
TALK: dict[str, float] = {"min": 15, "max": 180, "mode": 30}


def midday_zone() -> str:
    """A fixed-offset zone where it is now 10:00-14:00, inside the MX contact window."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def triangular(rng: random.Random, spec: dict[str, float]) -> float:
    return rng.triangular(spec["min"], spec["max"], spec["mode"])


def seed_campaign(
    mode: str, agents: int, answer_rate: float, seed: int
) -> tuple[int, list[int], int]:
    """Creditor, campaign, agents, supervisor, portfolio and the campaign's recent history."""
    from campaigns.db import session_scope
    from campaigns.models import (
        Account,
        Attempt,
        AttemptStatus,
        Campaign,
        CampaignAgent,
        CampaignStatus,
        Channel,
        Client,
        ComplianceProfile,
        ContactKind,
        ContactPoint,
        Debtor,
        LineType,
        Outcome,
        Role,
        User,
        UserClientAccess,
    )

    rng = random.Random(seed)
    zone = midday_zone()
    now = datetime.now(UTC)
    with session_scope() as session:
        client = Client(
            name="Cable Bench",
            country="MX",
            timezone=zone,
            currency="MXN",
            locale="es_MX",
            compliance_profile=ComplianceProfile.MX,
            callback_number="+525555550100",
            created_at=now,
        )
        session.add(client)
        session.flush()
        campaign = Campaign(
            client_id=client.id,
            name=f"Bench {mode}",
            status=CampaignStatus.ACTIVE,
            dialing_mode=mode,
            max_lines=200,
            steps=[{"day": 0, "channel": "voice"}],
            created_at=now,
        )
        session.add(campaign)
        people = [
            User(
                username=f"agente{n}",
                full_name=f"Agente {n}",
                password_hash="-",
                role=Role.AGENT,
                created_at=now,
            )
            for n in range(agents)
        ]
        supervisor = User(
            username="supervisora",
            full_name="Supervisora",
            password_hash="-",
            role=Role.SUPERVISOR,
            created_at=now,
        )
        session.add_all([*people, supervisor])
        session.flush()
        session.add_all(CampaignAgent(campaign_id=campaign.id, user_id=u.id) for u in people)
        session.add(UserClientAccess(user_id=supervisor.id, client_id=client.id))
        debtors = [
            Debtor(
                client_id=client.id, name=f"Deudor {n}", country="MX", timezone=zone, created_at=now
            )
            for n in range(ACCOUNTS)
        ]
        session.add_all(debtors)
        session.flush()
        points = [
            ContactPoint(
                client_id=client.id,
                debtor_id=d.id,
                kind=ContactKind.PHONE,
                value=f"+5255{10_000_000 + n * 97:08d}"[:-2] + "99",
                line_type=LineType.MOBILE,
                created_at=now,
            )
            for n, d in enumerate(debtors)
        ]
        accounts = [
            Account(
                client_id=client.id,
                debtor_id=d.id,
                account_ref=f"B-{n:05d}",
                original_balance=Decimal("850.00"),
                balance=Decimal("850.00"),
                currency="MXN",
                due_date=date.today() - timedelta(days=rng.randint(5, 80)),
                created_at=now,
            )
            for n, d in enumerate(debtors)
        ]
        session.add_all([*points, *accounts])
        session.flush()
        # The last two hours: 400 calls from the same world, the first hour of the shift.
        for n in range(400):
            placed = now - timedelta(seconds=rng.uniform(3600, 7200))
            roll = rng.random()
            kind = "human" if roll < answer_rate else "machine" if roll < answer_rate + 0.15 else ""
            attempt = Attempt(
                client_id=client.id,
                account_id=accounts[n].id,
                campaign_id=campaign.id,
                contact_point_id=points[n].id,
                channel=Channel.VOICE,
                status=AttemptStatus.COMPLETED if kind else AttemptStatus.NO_ANSWER,
                answered_by=kind or None,
                agent_id=people[n % agents].id if kind == "human" else None,
                created_at=placed,
                dispatched_at=placed,
            )
            if kind:
                attempt.answered_at = placed + timedelta(seconds=triangular(rng, RING) + 3)
                talk = triangular(rng, TALK) if kind == "human" else 15
                attempt.duration_seconds = round(talk)
                attempt.ended_at = attempt.answered_at + timedelta(seconds=talk)
            else:
                attempt.ended_at = placed + timedelta(seconds=RING_TIMEOUT)
            session.add(attempt)
            session.flush()
            if kind == "human":
                session.add(
                    Outcome(
                        client_id=client.id,
                        account_id=attempt.account_id,
                        attempt_id=attempt.id,
                        agent_id=attempt.agent_id,
                        disposition="refuses",
                        created_at=attempt.ended_at + timedelta(seconds=rng.triangular(*WRAP)),
                    )
                )
        # Yesterday's part of the 30-day abandon window: 300 live answers, 3 abandoned.
        for n in range(300):
            yesterday = now - timedelta(days=1, seconds=n * 10)
            session.add(
                Attempt(
                    client_id=client.id,
                    account_id=accounts[400 + n].id,
                    campaign_id=campaign.id,
                    contact_point_id=points[400 + n].id,
                    channel=Channel.VOICE,
                    status=AttemptStatus.COMPLETED,
                    answered_by="human",
                    abandoned=n < 3,
                    created_at=yesterday,
                    dispatched_at=yesterday,
                    answered_at=yesterday + timedelta(seconds=8),
                    ended_at=yesterday + timedelta(seconds=90),
                    duration_seconds=82,
                )
            )
        session.flush()
        return campaign.id, [u.id for u in people], supervisor.id
