"""Screen-pop latency: from a signed "answered" webhook to the offer frame on the agent's socket.

Starts one or two `acuerdo serve` processes on 127.0.0.1 sharing the database and Redis, connects
N agents over real websockets (spread over the processes), puts them all ready, then posts Twilio's
signed voice-answer webhook for one call per agent at a steady rate, always to the first process
(so with two processes half the agents receive their call through Redis from the other
process), and measures the time until each agent's socket receives the offer. Prints p50 and p99.

    python scripts/bench_screen_pop.py [--agents 50 200 500] [--processes 1 2]
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from local_ports import free_port


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run_case(agents: int, processes: int, rate: float) -> tuple[float, float, int]:
    import httpx
    import websockets
    from twilio.request_validator import RequestValidator

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
    from campaigns.redis_conn import get_redis
    from campaigns.settings import get_settings
    from console.auth.sessions import create_session
    from console.demo.seed import ensure_creditors

    ports = [free_port() for _ in range(processes)]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    env = dict(os.environ)
    env["ACUERDO_ALLOWED_ORIGINS"] = json.dumps(urls)
    env["ACUERDO_TWILIO_MODE"] = "sandbox"
    env["ACUERDO_SANDBOX_URL"] = "http://127.0.0.1:9"
    servers = []
    for port, url in zip(ports, urls, strict=True):
        servers.append(
            subprocess.Popen(
                [sys.executable, "-m", "console", "serve", "--port", str(port)],
                env={**env, "ACUERDO_PUBLIC_BASE_URL": url},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        async with httpx.AsyncClient() as http:
            for url in urls:
                for _ in range(100):
                    try:
                        await http.get(f"{url}/auth/me")
                        break
                    except httpx.HTTPError:
                        await asyncio.sleep(0.2)
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
            attempt_ids, cookies, agent_ids = [], [], []
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
        redis = get_redis()
        cookies = [create_session(redis, user_id=agent_id) for agent_id in agent_ids]

        received: dict[int, float] = {}
        ready = asyncio.Event()
        count_ready = 0

        async def agent(index: int) -> None:
            nonlocal count_ready
            url = urls[index % processes]
            async with opening:
                ws = await websockets.connect(
                    url.replace("http", "ws") + "/ws/agent",
                    origin=url,
                    additional_headers={"Cookie": f"acuerdo_session={cookies[index]}"},
                    max_queue=None,
                    open_timeout=60,
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
                        beating.cancel()
                        return

        opening = asyncio.Semaphore(20)
        tasks = [asyncio.create_task(agent(i)) for i in range(agents)]
        ready_started = time.perf_counter()
        await asyncio.wait_for(ready.wait(), timeout=600)
        print(f"  {agents} agents ready in {time.perf_counter() - ready_started:.1f} s", flush=True)
        validator = RequestValidator(get_settings().auth_token)
        sent: dict[int, float] = {}

        async def answer(http: "httpx.AsyncClient", attempt_id: int) -> None:
            path = f"/twilio/voice/answer?attempt={attempt_id}"
            params = {
                "CallSid": f"CA{attempt_id:032x}",
                "AnsweredBy": "human",
                "CallStatus": "in-progress",
            }
            signature = validator.compute_signature(urls[0] + path, params)
            sent[attempt_id] = time.perf_counter()
            await http.post(
                urls[0] + path,
                content=urlencode(params),
                timeout=60,
                headers={
                    "X-Twilio-Signature": signature,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )

        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100)) as http:
            posts = []
            for attempt_id in attempt_ids:
                posts.append(asyncio.create_task(answer(http, attempt_id)))
                await asyncio.sleep(1 / rate)
            await asyncio.gather(*posts)
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
        latencies = [(received[a] - sent[a]) * 1000 for a in attempt_ids if a in received]
        return percentile(latencies, 0.5), percentile(latencies, 0.99), len(latencies)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rate", type=float, default=10.0, help="answered calls per second")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="", help="a Redis database it may empty")
    args = parser.parse_args()
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
    print(f"answered calls arrive at {args.rate:g}/s\n")
    print("| agents | server processes | calls | screen pop p50 ms | p99 ms |")
    print("|---|---|---|---|---|")
    try:
        for processes in args.processes:
            for agents in args.agents:
                p50, p99, n = asyncio.run(run_case(agents, processes, args.rate))
                print(f"| {agents} | {processes} | {n} | {p50:.0f} | {p99:.0f} |", flush=True)
    finally:
        if not args.redis_url:
            stop_embedded_redis(var)


if __name__ == "__main__":
    main()
