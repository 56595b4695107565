"""Server-rendered pages: sign-in, agent console, wallboard, manager pages, client viewer."""

from fastapi import APIRouter

from console.pages import account, agent, auth, manager, supervisor, viewer

router = APIRouter(include_in_schema=False)
for module in (auth, account, agent, supervisor, manager, viewer):
    router.include_router(module.router)
