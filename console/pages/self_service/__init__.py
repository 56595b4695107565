"""The debtors' self-service page: public (no staff sign-in), server-rendered, no JavaScript.

`/s/{token}` is the signed link from a reminder. Before verification it shows only the masked
name and the creditor; the last digits of the document open a short signed session (a cookie
limited to /s/) and the page then shows the balance, the offers and the actions. Every action is
a form post answered with a redirect (POST/redirect/GET). A forged, expired or other-purpose link
gets one answer, 404, whatever was wrong with it. Every route counts against the address's
request limit.
"""

from fastapi import APIRouter, Depends

from console.pages.common import PageRoute
from console.pages.self_service import actions, visit
from console.pages.self_service.access import SESSION_COOKIE, TooManyRequests, rate_limit

router = APIRouter(
    prefix="/s",
    route_class=PageRoute,
    include_in_schema=False,
    dependencies=[Depends(rate_limit)],
)
router.include_router(visit.router)
router.include_router(actions.router)

__all__ = ["SESSION_COOKIE", "TooManyRequests", "rate_limit", "router"]
