"""Server-rendered pages: sign-in, agent console, wallboard, manager pages, client viewer,
reports."""

from fastapi import APIRouter

from console.pages import (
    accounts,
    agent,
    auth,
    manager,
    my_password,
    reports,
    self_service,
    supervisor,
    viewer,
)

router = APIRouter(include_in_schema=False)
for module in (
    auth,
    my_password,
    agent,
    supervisor,
    manager,
    viewer,
    reports,
    accounts,
    self_service,
):
    router.include_router(module.router)
