"""schemathesis against the app's own OpenAPI schema, in-process on the real database and Redis.

Every operation, a fixed number of generated examples, signed in as each role and signed out;
fails on any 5xx, any status the schema does not document, and any response body that does not
match its documented schema.
"""

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from campaigns.models import Role, User, UserClientAccess
from campaigns.passwords import hash_password
from campaigns.redis_conn import get_redis
from console.app import create_app
from console.auth.sessions import COOKIE_NAME, create_session
from tests.factories import CREATED_AT, make_account, make_campaign, make_client

pytestmark = pytest.mark.slow

APP: FastAPI = create_app()
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
EXAMPLES_PER_OPERATION = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SIGNED_OUT = "signed_out"
PASSWORD_HASH = hash_password("contraseña-segura-1")
ROLES = [SIGNED_OUT, *(str(role) for role in Role)]


@pytest.fixture
def cookie(request: pytest.FixtureRequest, session: Session) -> dict[str, str]:
    """Two creditors with data, one user per role working creditor A; the role's cookie."""
    role = request.param
    a = make_client(session, name="Acreedor A")
    b = make_client(session, name="Acreedor B")
    for client in (a, b):
        make_account(session, client=client)
        make_campaign(session, client=client)
    users = {}
    for each in Role:
        user = User(
            username=str(each),
            full_name=str(each),
            password_hash=PASSWORD_HASH,
            role=each,
            client_id=a.id if each == Role.CLIENT_VIEWER else None,
            created_at=CREATED_AT,
        )
        session.add(user)
        session.flush()
        if each in (Role.MANAGER, Role.SUPERVISOR, Role.AGENT):
            session.add(UserClientAccess(user_id=user.id, client_id=a.id))
        users[str(each)] = user.id
    session.commit()
    if role == SIGNED_OUT:
        return {}
    return {"Cookie": f"{COOKIE_NAME}={create_session(get_redis(), user_id=users[role])}"}


@pytest.mark.parametrize("cookie", ROLES, indirect=True)
@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_5xx_and_no_undocumented_status(
    case: schemathesis.Case[Any], cookie: dict[str, str]
) -> None:
    case.call_and_validate(headers=cookie, checks=CHECKS)
