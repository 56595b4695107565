"""After-commit effects: exact under savepoints, dropped on rollback, run once on commit."""

import json
from collections.abc import Iterator

import pytest
from redis import Redis
from redis.client import PubSub
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.events import after_commit, pending_effects, publish_after_commit
from campaigns.models import Client
from tests.factories import make_client


@pytest.fixture
def seen() -> list[str]:
    return []


def note(session: Session, seen: list[str], label: str) -> None:
    after_commit(session, lambda: seen.append(label))


def test_a_rolled_back_savepoint_drops_only_its_own_effects(
    session: Session, seen: list[str]
) -> None:
    make_client(session)
    note(session, seen, "before")
    with pytest.raises(RuntimeError), session.begin_nested():
        note(session, seen, "inside")
        raise RuntimeError("this campaign is broken")
    note(session, seen, "after")
    assert seen == []
    session.commit()
    assert seen == ["before", "after"]


def test_a_released_savepoint_runs_its_effects_at_the_outer_commit_not_before(
    session: Session, seen: list[str]
) -> None:
    make_client(session)
    with session.begin_nested():
        note(session, seen, "inside")
    assert seen == []
    session.commit()
    assert seen == ["inside"]
    assert pending_effects(session) == 0


def test_a_full_rollback_drops_everything_even_released_savepoints(
    session: Session, seen: list[str]
) -> None:
    make_client(session)
    note(session, seen, "outer")
    with session.begin_nested():
        note(session, seen, "released")
    session.rollback()
    session.commit()
    assert seen == []
    assert pending_effects(session) == 0


def test_nested_savepoints_keep_what_survives_at_each_level(
    session: Session, seen: list[str]
) -> None:
    make_client(session)
    with session.begin_nested():
        note(session, seen, "level 1")
        with pytest.raises(RuntimeError), session.begin_nested():
            note(session, seen, "level 2 lost")
            raise RuntimeError
        with session.begin_nested():
            note(session, seen, "level 2 kept")
    with pytest.raises(RuntimeError), session.begin_nested():
        with session.begin_nested():
            note(session, seen, "released into a savepoint that rolls back")
        raise RuntimeError
    session.commit()
    assert seen == ["level 1", "level 2 kept"]


def test_a_savepoint_rolled_back_by_the_database_keeps_the_outer_effects(
    session: Session, seen: list[str]
) -> None:
    client = make_client(session)
    session.commit()
    note(session, seen, "outer")
    with pytest.raises(IntegrityError), session.begin_nested():
        note(session, seen, "duplicate")
        session.add(
            Client(
                name=client.name,
                country=client.country,
                currency=client.currency,
                timezone=client.timezone,
                locale=client.locale,
                compliance_profile=client.compliance_profile,
                callback_number=client.callback_number,
            )
        )
        session.flush()
    session.commit()
    assert seen == ["outer"]


def test_effects_registered_before_the_session_begins_run_at_its_commit(
    session: Session, seen: list[str]
) -> None:
    note(session, seen, "early")
    make_client(session)
    session.commit()
    assert seen == ["early"]
    note(session, seen, "next transaction")
    session.rollback()
    session.commit()
    assert seen == ["early"]


@pytest.fixture
def subscriber(redis: Redis) -> Iterator[PubSub]:
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe("test:effects")
    yield pubsub
    pubsub.close()


def received(pubsub: PubSub) -> list[dict[str, object]]:
    messages = []
    while (message := pubsub.get_message(timeout=0.5)) is not None:
        messages.append(json.loads(message["data"]))
    return messages


def test_publications_reach_redis_only_for_what_committed(
    session: Session, subscriber: PubSub
) -> None:
    make_client(session)
    publish_after_commit(session, "test:effects", {"n": 1})
    with pytest.raises(RuntimeError), session.begin_nested():
        publish_after_commit(session, "test:effects", {"n": 2})
        raise RuntimeError
    with session.begin_nested():
        publish_after_commit(session, "test:effects", {"n": 3})
    assert received(subscriber) == []
    session.commit()
    assert received(subscriber) == [{"n": 1}, {"n": 3}]
