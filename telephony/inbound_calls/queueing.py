"""The console's queue of inbound calls, as the telephony webhooks see it."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Turn:
    """A waiting call's place in line, how long it has waited, and its TwiML once an agent
    took it."""

    position: int
    waited_seconds: float
    twiml: str | None


class InboundQueue(Protocol):
    """Inbound callers waiting for the creditor's agents (console/inbound_queue.py)."""

    async def join(self, attempt_id: int, client_id: int) -> None:
        """Put the call at the end of its creditor's line."""

    async def turn(self, attempt_id: int, client_id: int) -> Turn:
        """The call's place in line, bridged to an agent when it is its turn and one is ready."""

    async def leave(self, attempt_id: int) -> None:
        """Take the call out of its line."""
