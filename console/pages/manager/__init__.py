"""Manager pages: creditors, portfolio uploads, campaigns (editor, preview, start/pause), users."""

from fastapi import APIRouter

from console.pages.manager import (
    campaigns,
    creditor_settings,
    creditors,
    portfolios,
    uploads,
    users,
)

router = APIRouter(include_in_schema=False)
for module in (creditors, creditor_settings, portfolios, uploads, campaigns, users):
    router.include_router(module.router)
