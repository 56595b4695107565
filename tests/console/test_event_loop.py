"""No coroutine endpoint blocks the event loop: it neither takes a database session nor calls
known blocking work (database sessions, domain services that take one, argon2, time.sleep).
FastAPI runs plain `def` endpoints in its threadpool; coroutine ones must hand such work to a
thread (`asyncio.to_thread`) themselves."""

import ast
import inspect
import textwrap
import time
import typing
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute

from campaigns.db import read_scope, request_session, session_scope
from campaigns.passwords import hash_password, verify_password
from console.app import create_app
from console.deps import SessionDep

BLOCKING: set[object] = {
    session_scope,
    read_scope,
    request_session,
    hash_password,
    verify_password,
    time.sleep,
    Session,
}


def _takes_a_session(func: object) -> bool:
    """A service function: its first parameter is a SQLAlchemy Session."""
    if not inspect.isfunction(func):
        return False
    try:
        hints = typing.get_type_hints(func)
    except Exception:
        return False
    parameters = list(inspect.signature(func).parameters)
    return bool(parameters) and hints.get(parameters[0]) is Session


def _resolve(node: ast.expr, namespace: dict[str, Any]) -> object:
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


def _own_calls(tree: ast.AST) -> Iterator[ast.Call]:
    """Calls made by the function itself, not by functions defined inside it."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(child, ast.Call):
            yield child
        yield from _own_calls(child)


def blocking_calls(func: Callable[..., Any]) -> list[str]:
    """The blocking calls a coroutine function makes on the event loop."""
    source = textwrap.dedent(inspect.getsource(func))
    definition = ast.parse(source).body[0]
    namespace = {**func.__globals__, **inspect.getclosurevars(func).nonlocals}
    found = []
    for call in _own_calls(definition):
        target = _resolve(call.func, namespace)
        if target is None:
            continue
        try:
            known = target in BLOCKING
        except TypeError:
            known = False
        if known or _takes_a_session(target):
            found.append(f"{ast.unparse(call.func)}() at line {call.lineno}")
    return found


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def all_routes(routes: Sequence[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, including those of included routers (FastAPI keeps them nested)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from all_routes(included.routes)
        else:
            yield route


def event_loop_offences(app: FastAPI) -> list[str]:
    """Every coroutine endpoint or dependency that takes a session or blocks."""
    offences = []
    routes = list(all_routes(app.routes))
    assert len([r for r in routes if isinstance(r, APIRoute)]) > 1
    for route in routes:
        if not isinstance(route, (APIRoute, APIWebSocketRoute)):
            continue
        if not inspect.iscoroutinefunction(route.endpoint):
            continue
        name = f"{route.path} ({route.endpoint.__name__})"
        for dependency in _dependencies(route.dependant):
            if dependency.call is request_session:
                offences.append(f"{name} takes a database session")
            elif inspect.iscoroutinefunction(dependency.call):
                offences += [f"{name} dependency: {c}" for c in blocking_calls(dependency.call)]
        offences += [f"{name}: {call}" for call in blocking_calls(route.endpoint)]
    return offences


def test_no_coroutine_endpoint_blocks_the_event_loop() -> None:
    app = create_app()
    paths = {getattr(route, "path", "") for route in all_routes(app.routes)}
    assert {"/api/payments/import", "/manager/users", "/ws/agent", "/twilio/voice/answer"} <= paths
    assert event_loop_offences(app) == []


def test_the_check_finds_a_blocking_coroutine_endpoint() -> None:
    app = FastAPI()

    @app.post("/takes-a-session")
    async def takes_a_session(db: SessionDep) -> None:
        return None

    @app.post("/hashes")
    async def hashes() -> str:
        return hash_password("x")

    @app.post("/queries")
    async def queries() -> None:
        with session_scope() as session:
            session.flush()

    @app.post("/fine")
    async def fine() -> None:
        def work() -> None:
            with session_scope():
                pass

        return None

    offences = event_loop_offences(app)
    assert [o.split(" ")[0] for o in offences] == ["/takes-a-session", "/hashes", "/queries"]
