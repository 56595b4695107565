"""One outcome per attempt: the database refuses a second, and two tabs racing get one answer."""

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.models import Outcome, PromiseToPay, Role
from console.agents.outcomes import submit_outcome
from tests.campaigns.agreements_helpers import TODAY, answered_call
from tests.factories import make_account, make_user


def test_the_database_refuses_a_second_outcome_for_an_attempt(session: Session) -> None:
    account = make_account(session)
    attempt = answered_call(session, account)
    for key in ("tab-1", "tab-2"):
        session.add(
            Outcome(
                client_id=account.client_id,
                account_id=account.id,
                attempt_id=attempt.id,
                disposition="refuses",
                submission_key=key,
            )
        )
    with pytest.raises(IntegrityError):
        session.flush()


def test_two_tabs_submitting_at_once_store_one_outcome_and_one_promise(session: Session) -> None:
    agent = make_user(session, role=Role.AGENT)
    account = make_account(session)
    attempt = answered_call(session, account)
    attempt.agent_id = agent.id
    session.commit()
    attempt_id, agent_id = attempt.id, agent.id
    due = (TODAY + timedelta(days=7)).isoformat()
    forms = {
        "tab-1": {"disposition": "promise_to_pay", "amount": "1200.00", "due_date": due},
        "tab-2": {"disposition": "promise_to_pay", "amount": "1100.00", "due_date": due},
    }
    start = threading.Barrier(len(forms))
    answers: dict[str, dict[str, Any]] = {}
    errors: list[BaseException] = []

    def submit(key: str) -> None:
        start.wait()
        try:
            answers[key] = submit_outcome(
                attempt_id=attempt_id, agent_id=agent_id, key=key, form=forms[key]
            )
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(key,)) for key in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert answers["tab-1"] == answers["tab-2"]
    session.rollback()
    assert session.scalar(select(func.count(Outcome.id))) == 1
    [promise] = session.scalars(select(PromiseToPay)).all()
    assert promise.outcome_id == answers["tab-1"]["outcome_id"]
