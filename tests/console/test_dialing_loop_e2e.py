"""The dialing loop with every part real: `acuerdo scheduler` paces three campaigns that share one
team of agents, an rq worker places the calls in the carrier sandbox, answered debtors are routed
over websockets to agents who save an outcome and are ready again for the next call."""

import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from campaigns.models import Attempt, Channel, Outcome, Role
from campaigns.wallboard import service_levels
from tests.agent_socket import go_ready, open_socket, sign_in
from tests.factories import (
    make_account,
    make_campaign,
    make_client,
    make_user,
    zone_where_it_is_midday,
)
from tests.processes import eventually, kill_worker, process_env, start_worker, web_server
from tests.telephony.conftest import SandboxServer

pytestmark = pytest.mark.slow
DEBTORS = 12
HEARTBEAT_SECONDS = 5
PACE = {"ACUERDO_CALLS_PER_SECOND": "5", "ACUERDO_RING_TIMEOUT_SECONDS": "6"}


@contextmanager
def scheduler(url: str) -> Iterator[None]:
    """`acuerdo scheduler`: the tick and the dialing loop, as production runs it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "scheduler", "--interval", "2"],
        env=process_env(url, **PACE),
    )
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


class Agent(threading.Thread):
    """A console that keeps its presence, takes every offer and saves `refuses` as soon as the
    debtor hangs up."""

    def __init__(self, socket: ClientConnection) -> None:
        super().__init__(daemon=True)
        self.socket = socket
        self.offers: list[int] = []
        self.saved: list[int] = []
        self.errors: list[dict[str, object]] = []

    def run(self) -> None:
        beat = 0.0
        try:
            while True:
                if time.monotonic() - beat > HEARTBEAT_SECONDS:
                    self.socket.send(json.dumps({"type": "heartbeat"}))
                    beat = time.monotonic()
                try:
                    message = json.loads(self.socket.recv(timeout=1))
                except TimeoutError:
                    continue
                if message["type"] == "offer":
                    self.offers.append(message["attempt_id"])
                elif message["type"] == "wrap_up":
                    self._save(message["attempt_id"])
                elif message["type"] == "outcome_ack":
                    self.saved.append(int(message["outcome_id"]))
                elif message["type"] == "error":
                    self.errors.append(message)
        except ConnectionClosed:
            return

    def _save(self, attempt_id: int) -> None:
        outcome = {"disposition": "refuses", "notes": ""}
        self.socket.send(
            json.dumps(
                {
                    "type": "submit_outcome",
                    "attempt_id": attempt_id,
                    "key": str(uuid.uuid4()),
                    "outcome": outcome,
                }
            )
        )


def test_campaigns_sharing_a_team_route_every_answered_debtor_and_never_abandon(
    session: Session, sandbox: SandboxServer
) -> None:
    sandbox.reset(
        {
            "speed": 1,
            "answer_probability_by_hour": {h: 0.7 for h in range(24)},
            "machine_rate": 0,
            "busy_rate": 0,
            "failed_rate": 0,
            "ring_seconds": {"min": 1, "max": 3},
            # Machine detection hears the greeting for longer than the 2 seconds an agent has.
            "amd_seconds": {"min": 2.5, "max": 3},
            "talk_seconds": {"min": 6, "max": 9},
            "numbers": [],
        }
    )
    zone = zone_where_it_is_midday()
    client = make_client(session, timezone=zone)
    team = [
        make_user(session, username=f"agente{n}", role=Role.AGENT, access=[client])
        for n in range(3)
    ]
    # Two progressive campaigns and a predictive one (which a team of 3 runs progressively),
    # each over its own product: each would dial for every ready agent if the loop did not split
    # them. agente2 works all three, agente0 and agente1 two each; the predictive campaign has
    # the higher priority, the progressive ones share what it leaves (fair share).
    products = ("Paquete A", "Paquete B", "Paquete C")
    teams = ([team[0], team[2]], [team[0], team[1], team[2]], [team[1], team[2]])
    campaigns = [
        make_campaign(session, client=client, name=f"Campaña {n}", agents=members, mode=mode)
        for n, (mode, members) in enumerate(
            zip(("progressive", "progressive", "predictive"), teams, strict=True)
        )
    ]
    campaigns[2].priority = 2
    for campaign, product in zip(campaigns, products, strict=True):
        campaign.account_filter = {"products": [product]}
    for n in range(DEBTORS):
        account = make_account(session, client=client, phone=f"+5255123{n:05d}", timezone=zone)
        account.product = products[n % len(products)]
    session.commit()

    with web_server(**PACE) as url, ExitStack() as stack:
        sockets = [
            stack.enter_context(open_socket(url, sign_in(url, agent.username))) for agent in team
        ]
        agents = [Agent(socket) for socket in sockets]
        for socket in sockets:
            go_ready(socket)
        for agent in agents:
            agent.start()
        worker = start_worker(url, burst=False, **PACE)
        try:
            with scheduler(url):

                def every_debtor_called_and_over() -> bool:
                    session.rollback()
                    calls = session.scalars(
                        select(Attempt).where(Attempt.channel == Channel.VOICE)
                    ).all()
                    placed = {c.account_id for c in calls}
                    return len(placed) == DEBTORS and all(c.ended_at for c in calls)

                eventually(every_debtor_called_and_over, timeout=120)
                eventually(
                    lambda: (
                        sum(len(a.saved) for a in agents)
                        == session.scalar(select(func.count(Outcome.id)))
                    ),
                    timeout=20,
                )
        finally:
            kill_worker(worker)

    session.rollback()
    calls = session.scalars(
        select(Attempt).where(Attempt.campaign_id.in_([c.id for c in campaigns]))
    ).all()
    assert len({c.campaign_id for c in calls}) > 1, "the team worked several campaigns"
    answered = [c for c in calls if c.answered_by == "human"]
    assert len(answered) >= 3, "the world answers 70% of calls"
    assert not [c.id for c in answered if c.abandoned or c.agent_id is None]
    offered = {attempt for agent in agents for attempt in agent.offers}
    assert offered == {c.id for c in answered}
    for agent, user in zip(agents, team, strict=True):
        assert set(agent.offers) == {c.id for c in answered if c.agent_id == user.id}
        assert not agent.errors
    for call in answered:
        members = teams[[c.id for c in campaigns].index(call.campaign_id)]
        assert call.agent_id in {m.id for m in members}, "routed within the call's campaign"
    outcomes = session.scalars(select(Outcome)).all()
    assert sorted(o.attempt_id for o in outcomes) == sorted(c.id for c in answered)
    assert all(o.agent_id == session.get_one(Attempt, o.attempt_id).agent_id for o in outcomes)
    debtor_calls = [c for c in sandbox.calls() if not c["to"].startswith("client:")]
    assert len(debtor_calls) == len(calls), "each attempt placed exactly one call"
    # Every debtor reached an agent within 2 s of the greeting (the pick-up was 2.5-3 s before).
    first = min(c.created_at for c in calls)
    levels = service_levels(session, first, max(c.ended_at for c in calls if c.ended_at))
    assert levels == {c: 1.0 for c in {call.campaign_id for call in answered}}
