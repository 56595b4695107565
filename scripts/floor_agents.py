"""Simulated agents and a supervisor working a shift over the console's real websockets.

Each agent goes ready, takes the offer when a debtor answers, and when the debtor hangs up wraps
up for a while (triangular `WRAP` seconds) and saves a `refuses` outcome, as the browser console
would. The supervisor's socket records the dialing loop's pacing decisions. Used by
`bench_dialer_sandbox.py`.
"""

import asyncio
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

WRAP = (5.0, 20.0, 8.0)  # the agents' wrap-up: triangular min, max, mode


@dataclass
class Shift:
    """What one run's agents lived through, from their sockets."""

    timelines: dict[int, list[tuple[float, str]]] = field(default_factory=dict)
    pacing: list[str] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def seconds_in(self, start: float, end: float) -> dict[str, float]:
        """Agent-seconds per state between start and end, over all agents."""
        totals: dict[str, float] = {}
        for timeline in self.timelines.values():
            for (at, state), (following, _) in zip(
                timeline, [*timeline[1:], (end, "")], strict=True
            ):
                spent = min(following, end) - max(at, start)
                if spent > 0:
                    totals[state] = totals.get(state, 0.0) + spent
        return totals


async def work_shift(
    url: str, cookies: list[str], supervisor: str, seconds: float, seed: int
) -> Shift:
    """Agents and a supervisor on real websockets for `seconds`."""
    import websockets

    shift = Shift()
    origin = {"origin": url}
    ws_url = url.replace("http", "ws")

    async def agent(index: int, cookie: str) -> None:
        rng = random.Random(f"{seed}-{index}")
        timeline = shift.timelines.setdefault(index, [])
        async with websockets.connect(
            f"{ws_url}/ws/agent",
            additional_headers={"Cookie": f"acuerdo_session={cookie}"},
            max_queue=None,
            **origin,  # type: ignore[arg-type]
        ) as ws:

            async def wrap_up(attempt_id: int) -> None:
                await asyncio.sleep(rng.triangular(*WRAP))
                outcome = {"disposition": "refuses", "notes": ""}
                await ws.send(
                    json.dumps(
                        {
                            "type": "submit_outcome",
                            "attempt_id": attempt_id,
                            "key": str(uuid.uuid4()),
                            "outcome": outcome,
                        }
                    )
                )

            async def heartbeat() -> None:
                while True:
                    await ws.send(json.dumps({"type": "heartbeat"}))
                    await asyncio.sleep(10)

            tasks = {asyncio.create_task(heartbeat())}
            await ws.send(json.dumps({"type": "set_state", "state": "ready"}))
            async for raw in ws:
                message = json.loads(raw)
                kind, now = message["type"], time.time()
                if kind == "state":
                    timeline.append((now, message["state"]))
                elif kind == "offer":
                    timeline.append((now, "on_call"))
                elif kind == "wrap_up":
                    timeline.append((now, "wrap_up"))
                    task = asyncio.create_task(wrap_up(message["attempt_id"]))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                elif kind == "error":
                    shift.errors.append(message)

    async def watch() -> None:
        async with websockets.connect(
            f"{ws_url}/ws/supervisor",
            additional_headers={"Cookie": f"acuerdo_session={supervisor}"},
            max_queue=None,
            **origin,  # type: ignore[arg-type]
        ) as ws:
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "pacing":
                    shift.pacing.append(message["mode"])
                    shift.reasons[message["reason"].split(":")[0]] += 1

    tasks = [asyncio.create_task(agent(i, c)) for i, c in enumerate(cookies)]
    tasks.append(asyncio.create_task(watch()))
    await asyncio.sleep(seconds)
    for task in tasks:
        if task.done() and task.exception():
            raise task.exception()  # type: ignore[misc]
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return shift
