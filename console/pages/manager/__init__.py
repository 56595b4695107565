"""Manager pages: creditors, portfolio uploads, campaigns (editor, preview, start/pause), users."""

from fastapi import APIRouter

from console.pages.manager import campaigns, creditors, data_requests, portfolios, users

router = APIRouter(include_in_schema=False)
for module in (creditors, portfolios, campaigns, users, data_requests):
    router.include_router(module.router)
