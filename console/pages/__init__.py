"""Server-rendered pages: sign-in, agent console, wallboard, manager pages, client viewer,
reports."""

from fastapi import APIRouter

from console.pages import agent, auth, manager, reports, supervisor, viewer

router = APIRouter(include_in_schema=False)
for module in (auth, agent, supervisor, manager, viewer, reports):
    router.include_router(module.router)
