"""Note Twilio webhooks' 5xx answers, and the successes after them, for `acuerdo doctor`."""

import logging
import time

from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console.doctor import record_webhook

log = logging.getLogger(__name__)
WEBHOOK_PREFIX = "/twilio/"


class WebhookHealth:
    """A plain ASGI middleware (see OriginCheck): it reads the status the app answers with."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.success_noted_at = 0.0
        self.failed_since = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(WEBHOOK_PREFIX):
            await self.app(scope, receive, send)
            return
        status = 500

        async def noting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noting_send)
        except Exception:
            await self._note(scope, ok=False)
            raise
        await self._note(scope, ok=status < 500)

    async def _note(self, scope: Scope, *, ok: bool) -> None:
        now = time.time()
        note_success = ok and (self.failed_since or now - self.success_noted_at > 1)
        if ok and not note_success:
            return
        try:
            await record_webhook(
                scope["app"].state.hub.redis, ok=ok, now=now, note_success=note_success
            )
        except (RedisError, OSError) as error:
            log.warning("could not note a webhook result: %s", type(error).__name__)
            return
        if ok:
            self.success_noted_at, self.failed_since = now, False
        else:
            self.failed_since = True
