"""The web application: the composition root wiring routers, the hub and error rendering."""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from starlette.exceptions import HTTPException

import frontend
from campaigns.errors import AcuerdoError
from campaigns.i18n import SUPPORTED_LOCALES, _, translate, translations
from campaigns.log_privacy import install_log_privacy
from campaigns.models import utcnow
from campaigns.redis_conn import get_redis, redis_url
from campaigns.startup_heap import freeze_startup_heap
from console import call_cards, ws
from console.api.campaigns import router as campaigns_router
from console.api.payments import router as payments_router
from console.api.portfolios import router as portfolios_router
from console.api.recordings import router as recordings_router
from console.api.voice import router as voice_router
from console.auth.api import router as auth_router
from console.deps import request_locale
from console.edge.errors import EDGE_ERRORS, http_refusal, validation_refusal
from console.edge.limits import BodyLimit
from console.edge.origin_check import OriginCheck
from console.edge.text import clean_input
from console.edge.webhook_health import WebhookHealth
from console.hub import Hub
from console.inbound_queue import InboundQueue
from console.pages import router as pages_router
from console.resilience import forever, stop_task
from console.routing import Routing
from telephony.client import warm_twilio_client
from telephony.webhooks import create_router as twilio_router

log = logging.getLogger(__name__)
STATIC_DIR = Path(frontend.__file__).parent / "static"
SWEEP_SECONDS = 1.0
WARM_WAIT_SECONDS = 5.0  # start-up waits this long at most for the warm-up (warm_cards)
WARM_UP_PATH = "/.warm-up"  # matches no route (warm_routes)
OUTAGES = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


async def render_error(request: Request, error: Exception) -> JSONResponse:
    """Render a domain error in the reader's language."""
    headers: Mapping[str, str] | None = getattr(error, "headers", None)
    if isinstance(error, RequestValidationError):
        error = validation_refusal(error)
    elif isinstance(error, HTTPException):
        headers = error.headers
        error = http_refusal(error)
    assert isinstance(error, AcuerdoError)
    return JSONResponse(
        {"error": error.render(request_locale(request))},
        status_code=error.status_code,
        headers=headers,
    )


async def _sweep_forever(hub: Hub) -> None:
    """Once a second, one web process (whichever holds the lock) expires presence and wrap-ups."""

    async def step() -> None:
        if await hub.redis.set("acuerdo:sweeper", 1, nx=True, px=int(SWEEP_SECONDS * 900)):
            await ws.sweep(hub, time.time())

    await forever("presence and wrap-up sweep", step, SWEEP_SECONDS)


async def warm_caches(redis: Redis) -> None:
    """At start-up: before the first request the routing script is loaded and the conference
    client imported (all an answered call whose card was built at the dial needs); then
    `warm_cards` warms the scripts, templates and formats and builds the cards of the calls in
    flight (for answers that find no card). A failure only leaves them cold."""
    try:
        await call_cards.load_script_sha(redis)
        await asyncio.to_thread(warm_twilio_client)
    except RedisError as error:
        log.warning("routing script not loaded at start-up (%s)", type(error).__name__)


async def warm_routes(app: FastAPI) -> None:
    """Before serving: walk every route once, in-process, with a request that matches none.
    FastAPI builds each route's dependencies and validators on the first request that walks it
    (0.2 s for ours, with the GIL held), and the not-found page loads the catalogs; otherwise
    the first answered call after start-up pays for both."""
    for locale in SUPPORTED_LOCALES:
        await asyncio.to_thread(translations, locale)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        await client.get(WARM_UP_PATH)


async def warm_cards() -> None:
    """Warm the screen builder and build the missing cards of the calls in flight."""
    try:
        built = await asyncio.to_thread(call_cards.warm, get_redis(), utcnow())
        if built:
            log.info("call cards built at start-up: %d", built)
    except (RedisError, SQLAlchemyError) as error:
        log.warning("caches not warmed at start-up (%s)", type(error).__name__)


async def unavailable(request: Request, error: Exception) -> JSONResponse:
    """The database or Redis is away: 503, so Twilio and browsers try again."""
    log.warning("%s %s: %s", request.method, request.url.path, type(error).__name__)
    message = translate(request_locale(request), _("Service briefly unavailable; try again."))
    return JSONResponse({"error": message}, status_code=503, headers={"Retry-After": "5"})


def create_app() -> FastAPI:
    """Build the Acuerdo web application."""
    install_log_privacy()
    routing = Routing()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = Redis.from_url(redis_url())
        hub = Hub(redis)
        await hub.start()
        routing.attach(redis)
        await warm_caches(redis)
        # Serve once warm, so the first calls after start-up are as fast as the rest (a full
        # screen build while the first answers arrive holds the GIL for up to a second); a slow
        # database does not hold start-up longer than WARM_WAIT_SECONDS (warming goes on).
        warming = asyncio.create_task(warm_cards())
        await asyncio.wait({warming}, timeout=WARM_WAIT_SECONDS)
        await warm_routes(app)
        # Full collections would otherwise walk all of it while the first calls are routed.
        freeze_startup_heap()
        app.state.hub = hub
        sweeper = asyncio.create_task(_sweep_forever(hub))
        yield
        await stop_task(warming, "warming the call cards", timeout=1)
        await stop_task(sweeper, "presence and wrap-up sweep")
        await hub.stop()
        await redis.aclose()

    app = FastAPI(title="Acuerdo", version="0.1.0", lifespan=lifespan)
    app.add_middleware(OriginCheck)
    app.add_middleware(WebhookHealth)
    app.add_middleware(BodyLimit)
    app.add_exception_handler(AcuerdoError, render_error)
    app.add_exception_handler(RequestValidationError, render_error)
    app.add_exception_handler(HTTPException, render_error)
    for outage in OUTAGES:
        app.add_exception_handler(outage, unavailable)
    # Twilio's webhooks first: a request is matched against the routes in order, and they are
    # most of the requests (three or four per call or message).
    app.include_router(twilio_router(routing, InboundQueue(routing)))
    checked = [Depends(clean_input)]
    for router in (
        auth_router,
        payments_router,
        portfolios_router,
        voice_router,
        campaigns_router,
        recordings_router,
    ):
        app.include_router(router, dependencies=checked, responses=EDGE_ERRORS)
    app.include_router(ws.router)
    app.include_router(pages_router, dependencies=checked)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
