"""The client's real address: X-Forwarded-For is believed only from a configured trusted proxy."""

import ipaddress
from functools import cache

from starlette.requests import HTTPConnection

from campaigns.settings import get_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def is_trusted(address: str, trusted: tuple[str, ...]) -> bool:
    """Whether the address is one of the trusted proxies (addresses or networks)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in _networks(trusted))


def real_address(peer: str | None, forwarded_for: str | None, trusted: tuple[str, ...]) -> str:
    """The peer; behind trusted proxies, the rightmost X-Forwarded-For hop that is not one."""
    if not peer:
        return "unknown"
    if not forwarded_for or not is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, trusted):
            return hop[:64]
    return hops[0][:64] if hops else peer


def client_address(connection: HTTPConnection) -> str:
    """The real address of the client of this request."""
    peer = connection.client.host if connection.client else None
    trusted = tuple(get_settings().trusted_proxies)
    return real_address(peer, connection.headers.get("x-forwarded-for"), trusted)
