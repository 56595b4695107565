"""The agent reads the debtor's numbers out as people group them, and only once the holder is
verified; before, only their last digits."""

from sqlalchemy.orm import Session

from console.screen import build_screen
from tests.factories import TODAY_NOON, make_account, make_client


def test_numbers_are_grouped_once_verified_and_masked_before(session: Session) -> None:
    account = make_account(session, client=make_client(session), phone="+525512345678")
    session.flush()

    def points(verified: bool) -> list[tuple[str, str]]:
        screen = build_screen(session, account_id=account.id, verified=verified, now=TODAY_NOON)
        return [(p["value"], p["shown"]) for p in screen["contact_points"]]

    assert points(True) == [("+525512345678", "+52 55 1234 5678")]
    assert points(False) == [("•••••••••5678", "•••••••••5678")]
