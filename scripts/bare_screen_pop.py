"""The floor of the screen-pop benchmark: a bare FastAPI POST -> Redis -> websocket frame.

One process of it: a POST /pop?agent=N publishes a frame of the given size on Redis channel
`bare:N`; every process listens to `bare:*` and writes the frame to agent N's socket if it
holds it. Nothing else: no database, no session, no state.

    python scripts/bare_screen_pop.py --port 8001 --redis-url redis://... --frame-bytes 6000
"""

import argparse
import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import uvicorn
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from redis.asyncio import Redis


def create_app(redis_url: str, frame_bytes: int) -> FastAPI:
    sockets: dict[int, WebSocket] = {}
    redis = Redis.from_url(redis_url)

    async def listen() -> None:
        async with redis.pubsub() as pubsub:
            await pubsub.psubscribe("bare:*")
            async for message in pubsub.listen():
                if message["type"] == "pmessage":
                    agent = int(message["channel"].decode().split(":", 1)[1])
                    socket = sockets.get(agent)
                    if socket is not None:
                        await socket.send_text(message["data"].decode())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(listen())
        yield
        task.cancel()
        await redis.aclose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/auth/me")
    async def alive() -> Response:
        return Response(status_code=401)

    @app.post("/pop")
    async def pop(agent: int) -> Response:
        frame = json.dumps({"type": "offer", "attempt_id": agent, "screen": "x" * frame_bytes})
        await redis.publish(f"bare:{agent}", frame)
        return Response(status_code=204)

    @app.websocket("/ws/{agent}")
    async def agent_socket(websocket: WebSocket, agent: int) -> None:
        await websocket.accept()
        sockets[agent] = websocket
        await websocket.send_text(json.dumps({"type": "state", "state": "ready"}))
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect:
            sockets.pop(agent, None)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--frame-bytes", type=int, default=6000)
    args = parser.parse_args()
    app = create_app(args.redis_url, args.frame_bytes)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
