"""Screen-pop latency: from a signed "answered" webhook to the offer frame on the agent's socket.

For each size, one call per agent is created as the dialer leaves it (placed, not answered yet);
then one or two `acuerdo serve` processes start on 127.0.0.1 sharing the database and Redis (so
the first calls measured are the first after start-up), with a carrier sandbox that rings each
agent's leg into the call, N agents connect over real websockets
(spread over the processes) and go ready, and Twilio's signed voice-answer webhook is posted for
each call at a steady rate, always to the first process (so with two processes half the agents
receive their call through Redis from the other process). The time until each agent's socket
receives the offer is measured. Prints p50 and p99, the p99 of the first calls after start-up,
and beside them the floor measured in the same run: bare FastAPI processes
(scripts/bare_screen_pop.py) doing POST -> Redis publish -> websocket frame of the same size, with
the same agents, processes and rate; then the ratio.

    python scripts/bench_screen_pop.py [--agents 50 200 500] [--processes 1 2] [--quick]
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from local_ports import free_port

if TYPE_CHECKING:
    import httpx


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


FIRST_CALLS = 20


def create_calls(agents: int) -> tuple[list[int], list[int], list[str]]:
    """One placed call per agent, all of one campaign: (attempt ids, agent ids, call sids)."""
    from campaigns.db import session_scope
    from campaigns.models import (
        Account,
        Attempt,
        Campaign,
        CampaignAgent,
        CampaignStatus,
        Channel,
        ContactKind,
        ContactPoint,
        Debtor,
        Role,
        User,
        utcnow,
    )
    from console.demo.seed import ensure_creditors

    stamp = time.time_ns()
    with session_scope() as session:
        client = ensure_creditors(session, now=utcnow())[0][0]
        campaign = Campaign(
            client_id=client.id,
            name=f"bench-{stamp}",
            status=CampaignStatus.ACTIVE,
            created_at=utcnow(),
        )
        session.add(campaign)
        session.flush()
        attempt_ids, agent_ids, sids = [], [], []
        for n in range(agents):
            user = User(
                username=f"bench-{stamp}-{n}",
                full_name=f"Agente {n}",
                password_hash="x",
                role=Role.AGENT,
                created_at=utcnow(),
            )
            debtor = Debtor(
                client_id=client.id,
                name="Deudor Prueba",
                country="MX",
                timezone="America/Mexico_City",
                created_at=utcnow(),
            )
            session.add_all([user, debtor])
            session.flush()
            session.add(CampaignAgent(campaign_id=campaign.id, user_id=user.id))
            point = ContactPoint(
                client_id=client.id,
                debtor_id=debtor.id,
                kind=ContactKind.PHONE,
                value=f"+5255{stamp % 10**4:04d}{n:04d}",
                created_at=utcnow(),
            )
            account = Account(
                client_id=client.id,
                debtor_id=debtor.id,
                account_ref=f"SP-{stamp}-{n}",
                original_balance=500,
                balance=500,
                currency="MXN",
                due_date=date.today(),
                created_at=utcnow(),
            )
            session.add_all([point, account])
            session.flush()
            attempt = Attempt(
                client_id=client.id,
                account_id=account.id,
                campaign_id=campaign.id,
                contact_point_id=point.id,
                channel=Channel.VOICE,
                status="queued",
                provider_sid=f"CA{stamp:x}{n:08x}"[:34].ljust(34, "0"),
                created_at=utcnow(),
            )
            session.add(attempt)
            session.flush()
            attempt_ids.append(attempt.id)
            agent_ids.append(user.id)
            sids.append(attempt.provider_sid)
    return attempt_ids, agent_ids, sids


def start(commands: list[list[str]], envs: list[dict[str, str]]) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for command, env in zip(commands, envs, strict=True)
    ]


def stop(servers: list[subprocess.Popen[bytes]]) -> None:
    for server in servers:
        server.terminate()
    for server in servers:
        server.wait(timeout=30)


async def wait_up(urls: list[str], carrier: str = "") -> None:
    import httpx

    checks = [f"{url}/auth/me" for url in urls] + ([f"{carrier}/sandbox/health"] if carrier else [])
    async with httpx.AsyncClient() as http:
        for check in checks:
            for _ in range(300):
                try:
                    await http.get(check)
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.2)


async def measure(
    sockets: list[tuple[str, str, dict[str, str]]],
    post: "Callable[[httpx.AsyncClient, int], Awaitable[None]]",
    calls: list[int],
    rate: float,
) -> tuple[list[float], list[int]]:
    """Connect every agent's socket (url, origin, headers), wait until all are ready, post each
    call at `rate` (any ready agent takes it); the latency of each call's offer in the order
    posted, and the frames' sizes."""
    import httpx
    import websockets

    agents = len(sockets)
    received: dict[int, float] = {}
    sizes: list[int] = []
    ready = asyncio.Event()
    count_ready = 0
    opening = asyncio.Semaphore(20)

    async def agent(index: int) -> None:
        nonlocal count_ready
        url, origin, headers = sockets[index]
        async with opening:
            ws = await websockets.connect(
                url, origin=origin, additional_headers=headers, max_queue=None, open_timeout=60
            )
        async with ws:
            await ws.send(json.dumps({"type": "set_state", "state": "ready"}))

            async def heartbeat() -> None:
                while True:
                    await asyncio.sleep(10)
                    await ws.send(json.dumps({"type": "heartbeat"}))

            beating = asyncio.create_task(heartbeat())
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "state" and message["state"] == "ready":
                    count_ready += 1
                    if count_ready == agents:
                        ready.set()
                if message["type"] == "offer":
                    received[message["attempt_id"]] = time.perf_counter()
                    sizes.append(len(raw))
                    beating.cancel()
                    return

    tasks = [asyncio.create_task(agent(i)) for i in range(agents)]
    ready_started = time.perf_counter()
    await asyncio.wait_for(ready.wait(), timeout=600)
    print(f"  {agents} agents ready in {time.perf_counter() - ready_started:.1f} s", flush=True)
    sent: dict[int, float] = {}

    async def timed(http: httpx.AsyncClient, index: int) -> None:
        sent[calls[index]] = time.perf_counter()
        await post(http, index)

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100)) as http:
        posts = []
        for index in range(agents):
            posts.append(asyncio.create_task(timed(http, index)))
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*posts)
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
    return [(received[c] - sent[c]) * 1000 for c in calls if c in received], sizes


async def run_case(agents: int, processes: int, rate: float) -> tuple[list[float], int]:
    """The screen pop through `acuerdo serve`, started after the calls were placed."""
    from twilio.request_validator import RequestValidator

    from campaigns.redis_conn import get_redis
    from campaigns.settings import get_settings
    from console import call_cards
    from console.auth.sessions import create_session

    attempt_ids, agent_ids, sids = create_calls(agents)
    dialed = time.perf_counter()
    for attempt_id in attempt_ids:  # what `acuerdo worker` does once it placed each call
        call_cards.prepare(get_redis(), attempt_id)
    print(f"  {agents} calls dialed, screens built in {time.perf_counter() - dialed:.1f} s")
    cookies = [create_session(get_redis(), user_id=agent_id) for agent_id in agent_ids]
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(processes)]
    env = dict(os.environ)
    env["ACUERDO_ALLOWED_ORIGINS"] = json.dumps(urls)
    env["ACUERDO_TWILIO_MODE"] = "sandbox"
    carrier = f"http://127.0.0.1:{free_port()}"
    env["ACUERDO_SANDBOX_URL"] = carrier  # rings each agent's leg into the call, as Twilio would
    servers = start(
        [[sys.executable, "-m", "console", "sandbox", "--port", carrier.rsplit(":", 1)[1]]]
        + [
            [sys.executable, "-m", "console", "serve", "--port", url.rsplit(":", 1)[1]]
            for url in urls
        ],
        [env] + [{**env, "ACUERDO_PUBLIC_BASE_URL": url} for url in urls],
    )
    validator = RequestValidator(get_settings().auth_token)

    async def answer(http: "httpx.AsyncClient", index: int) -> None:
        attempt_id = attempt_ids[index]
        path = f"/twilio/voice/answer?attempt={attempt_id}"
        params = {"CallSid": sids[index], "AnsweredBy": "human", "CallStatus": "in-progress"}
        signature = validator.compute_signature(urls[0] + path, params)
        response = await http.post(
            urls[0] + path,
            content=urlencode(params),
            timeout=60,
            headers={
                "X-Twilio-Signature": signature,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        if "<Conference" not in response.text:
            print(f"  call {attempt_id} not routed: {response.status_code} {response.text[:80]}")

    try:
        await wait_up(urls, carrier)
        sockets = [
            (
                urls[i % processes].replace("http", "ws") + "/ws/agent",
                urls[i % processes],
                {"Cookie": f"acuerdo_session={cookies[i]}"},
            )
            for i in range(agents)
        ]
        latencies, sizes = await measure(sockets, answer, attempt_ids, rate)
        return latencies, int(statistics.median(sizes))
    finally:
        stop(servers)


async def run_floor(agents: int, processes: int, rate: float, frame_bytes: int) -> list[float]:
    """The bare floor: FastAPI POST -> Redis -> websocket frame of the same size."""
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(processes)]
    bare = str(Path(__file__).with_name("bare_screen_pop.py"))
    redis = os.environ["ACUERDO_REDIS_URL"]
    servers = start(
        [
            [sys.executable, bare, "--port", url.rsplit(":", 1)[1], "--redis-url", redis]
            + ["--frame-bytes", str(frame_bytes)]
            for url in urls
        ],
        [dict(os.environ) for _ in urls],
    )

    async def pop(http: "httpx.AsyncClient", index: int) -> None:
        await http.post(f"{urls[0]}/pop?agent={index}", timeout=60)

    try:
        await wait_up(urls)
        sockets = [
            (urls[i % processes].replace("http", "ws") + f"/ws/{i}", urls[i % processes], {})
            for i in range(agents)
        ]
        latencies, _ = await measure(sockets, pop, list(range(agents)), rate)
        return latencies
    finally:
        stop(servers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rate", type=float, default=10.0, help="answered calls per second")
    parser.add_argument("--quick", action="store_true", help="20 agents on 2 processes")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="", help="a Redis database it may empty")
    args = parser.parse_args()
    if args.quick:
        args.agents, args.processes = [20], [2]
    var = Path(tempfile.mkdtemp(prefix="acuerdo-bench-"))
    os.environ["ACUERDO_VAR_DIR"] = str(var)
    os.environ["ACUERDO_DATABASE_URL"] = args.database_url or f"sqlite:///{var / 'bench.db'}"
    if args.redis_url:
        os.environ["ACUERDO_REDIS_URL"] = args.redis_url
    from campaigns import migrate
    from campaigns.redis_conn import get_redis, redis_url, stop_embedded_redis

    migrate.upgrade()
    os.environ["ACUERDO_REDIS_URL"] = redis_url()
    get_redis().flushdb()
    print(f"answered calls arrive at {args.rate:g}/s; load before: {os.getloadavg()[0]:.1f}\n")
    rows = []
    try:
        for processes in args.processes:
            for agents in args.agents:
                latencies, frame = asyncio.run(run_case(agents, processes, args.rate))
                floor = asyncio.run(run_floor(agents, processes, args.rate, frame))
                rows.append((agents, processes, latencies, frame, floor, os.getloadavg()[0]))
    finally:
        if not args.redis_url:
            stop_embedded_redis(var)
    print(
        f"| agents | server processes | calls | frame bytes | screen pop p50 / p99 ms "
        f"| first {FIRST_CALLS} calls after start-up p99 ms "
        "| floor p50 / p99 ms (bare POST -> Redis -> frame) | ratio p50 / p99 | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for agents, processes, latencies, frame, floor, load in rows:
        p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        f50, f99 = percentile(floor, 0.5), percentile(floor, 0.99)
        first = percentile(latencies[:FIRST_CALLS], 0.99)
        print(
            f"| {agents} | {processes} | {len(latencies)} | {frame} | {p50:.1f} / {p99:.1f} "
            f"| {first:.1f} | {f50:.1f} / {f99:.1f} | {p50 / f50:.1f}x / {p99 / f99:.1f}x "
            f"| {load:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
