"""Sign-in throttling: progressive per-account delays (never a hard lock), per-address limits on
the real client address, device cookies that keep owners in, and an audit event per delay."""

import time
import uuid

import pytest
from fastapi.testclient import TestClient
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import AuditEvent, Role
from campaigns.settings import get_settings
from console.auth import throttle
from console.auth.addresses import real_address
from console.auth.api import DEVICE_COOKIE
from console.auth.throttle import LoginAttempt
from tests.factories import make_user

T0 = 1_800_000_000.0
PASSWORD = "contraseña-segura-1"


@pytest.fixture
def agent(session: Session) -> int:
    user = make_user(session, username="agente1", role=Role.AGENT)
    session.commit()
    return user.id


def fail(
    redis: Redis, attempt: LoginAttempt, times: int, now: float
) -> list[throttle.ThrottleEvent]:
    events = []
    for _ in range(times):
        events += throttle.record_failure(redis, attempt, now=now)
    return events


def test_failures_past_the_threshold_make_each_attempt_wait_longer(redis: Redis) -> None:
    settings = get_settings()
    attempt = LoginAttempt(username="agente1", address="203.0.113.7")
    fail(redis, attempt, settings.login_max_failures - 1, T0)
    assert throttle.check(redis, attempt, now=T0).allowed
    fail(redis, attempt, 1, T0)
    first = settings.login_delay_seconds
    refused = throttle.check(redis, attempt, now=T0 + first / 2)
    assert not refused.allowed and refused.limit == "account"
    assert refused.wait_seconds == pytest.approx(first / 2)
    assert throttle.check(redis, attempt, now=T0 + first).allowed
    fail(redis, attempt, 1, T0 + first)
    assert not throttle.check(redis, attempt, now=T0 + first + first * 1.5).allowed
    assert throttle.check(redis, attempt, now=T0 + first + first * 2).allowed


def test_there_is_no_hard_lock_the_wait_is_capped_and_then_the_password_works(
    redis: Redis,
) -> None:
    settings = get_settings()
    attempt = LoginAttempt(username="AGENTE1 ", address="203.0.113.7")
    fail(redis, attempt, 20, T0)
    verdict = throttle.check(redis, LoginAttempt("agente1", "198.51.100.9"), now=T0 + 1)
    assert verdict.limit == "account"
    assert verdict.wait_seconds == pytest.approx(settings.login_delay_max_seconds - 1)
    after = T0 + settings.login_delay_max_seconds
    for _ in range(10):
        # Attempts refused while waiting are not failures: the wait does not grow by itself.
        throttle.check(redis, attempt, now=T0 + 5)
    assert throttle.check(redis, attempt, now=after).allowed
    throttle.record_success(redis, attempt, now=after)
    assert throttle.check(redis, attempt, now=after).allowed
    fail(redis, attempt, 1, after)
    assert throttle.check(redis, attempt, now=after).allowed


def test_random_usernames_from_one_address_hold_only_that_address(redis: Redis) -> None:
    settings = get_settings()
    limit = settings.login_address_max_failures
    events = []
    for _ in range(limit):
        events += fail(redis, LoginAttempt(uuid.uuid4().hex, "203.0.113.7"), 1, T0)
    assert [e.action for e in events] == ["login_address_limited"]
    behind_the_address = throttle.check(redis, LoginAttempt("agente1", "203.0.113.7"), now=T0 + 1)
    assert behind_the_address.limit == "address"
    assert throttle.check(redis, LoginAttempt("agente1", "198.51.100.9"), now=T0 + 1).allowed
    window = settings.login_address_window_minutes * 60
    assert throttle.check(redis, LoginAttempt("agente1", "203.0.113.7"), now=T0 + window).allowed


def test_a_browser_that_signed_in_before_passes_both_limits(redis: Redis) -> None:
    settings = get_settings()
    owner = LoginAttempt("agente1", "203.0.113.7")
    token = throttle.record_success(redis, owner, now=T0)
    fail(redis, LoginAttempt("agente1", "198.51.100.9"), 30, T0)
    for _ in range(settings.login_address_max_failures):
        fail(redis, LoginAttempt(uuid.uuid4().hex, "203.0.113.7"), 1, T0)
    assert not throttle.check(redis, owner, now=T0 + 1).allowed
    with_cookie = LoginAttempt("agente1", "203.0.113.7", device=token)
    assert throttle.check(redis, with_cookie, now=T0 + 1).allowed
    assert not throttle.check(
        redis,
        LoginAttempt("otro", "203.0.113.7", device=token),
        now=T0 + 1,
    ).allowed
    fail(redis, with_cookie, settings.login_max_failures, T0 + 1)
    assert not throttle.check(redis, with_cookie, now=T0 + 2).allowed


def test_x_forwarded_for_counts_only_from_a_trusted_proxy() -> None:
    assert real_address("127.0.0.1", "1.2.3.4", ()) == "127.0.0.1"
    assert real_address("198.51.100.9", "1.2.3.4", ("10.0.0.0/8",)) == "198.51.100.9"
    trusted = ("10.0.0.0/8", "127.0.0.1")
    assert real_address("10.1.2.3", "1.2.3.4, 203.0.113.7", trusted) == "203.0.113.7"
    assert real_address("127.0.0.1", "203.0.113.7, 10.9.9.9", trusted) == "203.0.113.7"
    assert real_address(None, "1.2.3.4", trusted) == "unknown"


def test_rotating_x_forwarded_for_does_not_evade_the_address_limit(
    web: TestClient, redis: Redis
) -> None:
    limit = get_settings().login_address_max_failures
    peer = "testclient"
    for _ in range(limit):
        fail(redis, LoginAttempt(uuid.uuid4().hex, peer), 1, time.time())
    response = web.post(
        "/auth/login",
        data={"username": "nadie", "password": "x"},
        headers={"X-Forwarded-For": "192.0.2.77"},
    )
    assert response.status_code == 429


def test_delays_answer_429_in_spanish_with_retry_after_and_are_audited(
    web: TestClient, session: Session, agent: int
) -> None:
    failures = get_settings().login_max_failures
    for _ in range(failures):
        assert (
            web.post("/auth/login", data={"username": "agente1", "password": "no"}).status_code
            == 401
        )
    response = web.post("/auth/login", data={"username": "agente1", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["error"].startswith("Demasiados intentos fallidos. Espere ")
    assert 1 <= int(response.headers["Retry-After"]) <= get_settings().login_delay_seconds
    session.rollback()
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "login_delayed")).all()
    assert len(events) == 1
    assert events[0].entity_id == agent and events[0].data["failures"] == failures
    assert events[0].actor_label == "sign-in throttle"


def test_the_owner_with_a_device_cookie_signs_in_while_a_guesser_is_delayed(
    web: TestClient, agent: int
) -> None:
    assert (
        web.post("/auth/login", data={"username": "agente1", "password": PASSWORD}).status_code
        == 200
    )
    assert web.cookies.get(DEVICE_COOKIE)
    with TestClient(web.app, base_url="https://testserver") as guesser:
        for _ in range(get_settings().login_max_failures + 1):
            guesser.post("/auth/login", data={"username": "agente1", "password": "no"})
        refused = guesser.post("/auth/login", data={"username": "agente1", "password": PASSWORD})
        assert refused.status_code == 429
    assert (
        web.post("/auth/login", data={"username": "agente1", "password": PASSWORD}).status_code
        == 200
    )


def test_a_huge_password_is_refused_before_hashing(web: TestClient) -> None:
    response = web.post("/auth/login", data={"username": "agente1", "password": "x" * 5000})
    assert response.status_code == 422
