"""Manager pages: creditors, portfolio uploads, campaigns (editor, preview, start/pause), users."""

from fastapi import APIRouter

from console.pages.manager import (
    campaign_editor,
    campaign_files,
    campaign_preview,
    campaigns,
    creditor_settings,
    creditors,
    data_requests,
    portfolios,
    uploads,
    users,
)

router = APIRouter(include_in_schema=False)
for module in (
    creditors,
    creditor_settings,
    portfolios,
    uploads,
    campaigns,
    campaign_editor,
    campaign_files,
    campaign_preview,
    users,
    data_requests,
):
    router.include_router(module.router)
