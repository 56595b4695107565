"""The debtors' self-service page: signed links, verification, the overview and the actions."""

from campaigns.self_service.links import (
    LINK_PATH,
    LinkRefused,
    Purpose,
    link_token,
    make_token,
    read_token,
    self_service_link,
)

__all__ = [
    "LINK_PATH",
    "LinkRefused",
    "Purpose",
    "link_token",
    "make_token",
    "read_token",
    "self_service_link",
]
