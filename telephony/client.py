"""The one place that builds a Twilio REST client: live Twilio or the carrier sandbox."""

import logging
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from campaigns.settings import Settings, get_settings

# How long a request to Twilio (or the sandbox) may wait for its answer.
REQUEST_TIMEOUT_S = 30.0
# The SDK logs every request's parameters (debtors' phone numbers, message bodies) at INFO.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


class SandboxHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """A TwilioHttpClient that sends every Twilio URL to the carrier sandbox instead."""

    def __init__(self, sandbox_url: str, timeout: float | None = REQUEST_TIMEOUT_S) -> None:
        super().__init__(timeout=timeout)
        parts = urlsplit(sandbox_url)
        self._scheme = parts.scheme or "http"
        self._netloc = parts.netloc
        self._prefix = parts.path.rstrip("/")

    def rewrite(self, url: str) -> str:
        """The sandbox URL for a Twilio URL: same path and query, the sandbox's scheme and host."""
        parts = urlsplit(url)
        return urlunsplit(
            (self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment)
        )

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Send the request to the sandbox."""
        return super().request(
            method,
            self.rewrite(url),
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )


def twilio_client(settings: Settings | None = None) -> Client:
    """The process's Twilio REST client: the carrier sandbox, or Twilio when
    ACUERDO_TWILIO_MODE=live. One per account and destination, so its HTTP connections are kept
    between jobs."""
    settings = settings or get_settings()
    return _client(
        settings.twilio_mode, settings.account_sid, settings.auth_token, settings.sandbox_url
    )


@lru_cache(maxsize=8)
def _client(mode: str, account_sid: str, auth_token: str, sandbox_url: str) -> Client:
    if mode == "live":
        return Client(
            account_sid, auth_token, http_client=TwilioHttpClient(timeout=REQUEST_TIMEOUT_S)
        )
    return Client(account_sid, auth_token, http_client=SandboxHttpClient(sandbox_url))


def warm_twilio_client() -> None:
    """Import the SDK's lazily loaded call, message and conference resources now: the first job
    would otherwise import them between its rate-limit slot and its request, bunching two calls,
    and the first answered call would import them in the web process."""
    client = twilio_client()
    _ = (client.calls, client.messages, client.conferences("warm").participants)
