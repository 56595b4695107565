"""`acuerdo self-service link`: the signed link an account's reminders carry."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session
from typer.testing import CliRunner

from campaigns.self_service import Purpose, read_token
from campaigns.settings import get_settings
from console.cli import app
from tests.factories import make_account, make_client


def test_the_command_prints_a_link_that_opens_the_account(session: Session) -> None:
    account = make_account(session, client=make_client(session), ref="CV-42")
    session.commit()
    result = CliRunner().invoke(
        app, ["self-service", "link", "CV-42", "--client", "Cablevisión Norte"]
    )
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith(f"{get_settings().public_base_url}/s/")
    assert read_token(Purpose.LINK, link.rsplit("/", 1)[1], datetime.now(UTC)) == account.id
    missing = CliRunner().invoke(
        app, ["self-service", "link", "XX-1", "--client", "Cablevisión Norte"]
    )
    assert missing.exit_code != 0 and "no account XX-1" in missing.output
