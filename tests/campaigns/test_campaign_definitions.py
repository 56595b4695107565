"""Campaign definitions: checked on save, stored, moved through their lifecycle; the real CLI."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.campaign_defs import (
    CampaignIn,
    create_campaign,
    finish_campaign,
    parse_definition,
    pause_campaign,
    start_campaign,
    update_campaign,
)
from campaigns.errors import AcuerdoError
from campaigns.models import AuditEvent, Campaign, CampaignStatus
from tests.campaigns.test_scheduler_eligibility import NOW, SMS_TEMPLATE, account
from tests.factories import make_client, make_user

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "campaign.yaml"


def definition(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "Temprana",
        "client": "Cablevisión Norte",
        "steps": [{"day": 0, "channel": "sms", "template": "recordatorio"}],
        "templates": {"recordatorio": SMS_TEMPLATE},
    }
    base.update(changes)
    return base


def refused(session: Session, data: dict[str, Any]) -> str:
    with pytest.raises(AcuerdoError) as caught:
        create_campaign(
            session, definition=parse_definition(data), by_id=None, by_label="t", now=NOW
        )
    assert caught.value.status_code == 422
    return caught.value.render("en")


@pytest.mark.parametrize("days", [0, 91, 120])
def test_a_filter_outside_1_to_90_days_is_refused(session: Session, days: int) -> None:
    make_client(session)
    field = "min_days_overdue" if days == 0 else "max_days_overdue"
    message = refused(session, definition(filter={field: days}))
    assert message == (
        f"filter.{field} is {days}, but only accounts 1-90 days overdue can be contacted; "
        "accounts past 90 days are escalated."
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"filter": {"statuses": ["paid"]}}, "Accounts with status paid are never contacted"),
        ({"filter": {"aging_buckets": ["91-120"]}}, "Unknown aging bucket 91-120"),
        (
            {"templates": {"recordatorio": "Evite la cárcel, pague hoy"}},
            'templates.recordatorio is refused: "cárcel" threatens jail or arrest',
        ),
        (
            {"templates": {"recordatorio": "Hola {{ apodo }}"}},
            "templates.recordatorio is refused: The template uses unknown fields: apodo.",
        ),
        (
            {"script": {"steps": [{"id": "a", "text": "Avisaremos a su familia"}]}},
            'script.a is refused: "su familia" threatens to involve family',
        ),
        (
            {"steps": [{"day": 0, "channel": "whatsapp", "template": "cobro"}]},
            "has no WhatsApp sender configured; WhatsApp cannot be used",
        ),
        ({"steps": [{"day": 2, "channel": "voice"}]}, "The first step must be on day 0."),
        (
            {"steps": [{"day": 0, "channel": "sms", "template": "otro"}]},
            "SMS step 0 needs a template named in templates",
        ),
        ({"steps": []}, "The campaign definition is not valid: steps"),
    ],
)
def test_definitions_breaking_a_rule_are_refused_naming_it(
    session: Session, changes: dict[str, Any], expected: str
) -> None:
    make_client(session)
    assert expected in refused(session, definition(**changes))


def test_lifecycle_records_who_and_when_and_edits_only_while_draft_or_paused(
    session: Session,
) -> None:
    client = make_client(session)
    manager = make_user(session, username="gerente", access=[client])
    created = create_campaign(
        session,
        definition=CampaignIn.model_validate(definition()),
        by_id=manager.id,
        by_label="gerente",
        now=NOW,
    )
    assert created.status == CampaignStatus.DRAFT and created.created_by_id == manager.id

    start_campaign(session, campaign_id=created.id, by_id=manager.id, by_label="gerente", now=NOW)
    assert (created.status, created.started_at, created.started_by_id) == (
        CampaignStatus.ACTIVE,
        NOW,
        manager.id,
    )
    with pytest.raises(AcuerdoError) as caught:
        update_campaign(
            session,
            campaign_id=created.id,
            definition=CampaignIn.model_validate(definition(priority=5)),
            by_id=manager.id,
            by_label="gerente",
            now=NOW,
        )
    assert caught.value.status_code == 409
    pause_campaign(session, campaign_id=created.id, by_id=manager.id, by_label="gerente", now=NOW)
    update_campaign(
        session,
        campaign_id=created.id,
        definition=CampaignIn.model_validate(definition(priority=5)),
        by_id=manager.id,
        by_label="gerente",
        now=NOW,
    )
    finish_campaign(session, campaign_id=created.id, by_id=manager.id, by_label="gerente", now=NOW)
    with pytest.raises(AcuerdoError):
        start_campaign(session, campaign_id=created.id, by_id=None, by_label="t", now=NOW)
    assert created.priority == 5 and created.finished_by_id == manager.id
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "campaigns")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "campaign.created",
        "campaign.active",
        "campaign.paused",
        "campaign.updated",
        "campaign.finished",
    ]


def test_the_documented_example_is_a_valid_campaign_file() -> None:
    parsed = parse_definition(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    assert parsed.steps[1].channel == "voice" and parsed.filter.max_days_overdue == 60


def _acuerdo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
    )


def test_cli_creates_starts_previews_and_pauses_a_campaign(
    session: Session, child_env: dict[str, str], tmp_path: Path
) -> None:
    client = make_client(session)
    account(session, client, "CLI1", days_overdue=10)
    account(session, client, "CLI2", days_overdue=95)
    session.commit()
    file = tmp_path / "campaign.json"
    file.write_text(json.dumps(definition(name="Desde CLI")), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(definition(filter={"max_days_overdue": 91})), encoding="utf-8")

    refusal = _acuerdo(child_env, "campaigns", "create", str(bad))
    assert refusal.returncode == 1
    assert "solo se contactan cuentas con 1 a 90 días de atraso" in refusal.stderr

    created = _acuerdo(child_env, "campaigns", "create", str(file), "--json")
    assert created.returncode == 0, created.stderr
    campaign_id = json.loads(created.stdout)["id"]
    assert _acuerdo(child_env, "campaigns", "start", "Desde CLI").returncode == 0

    preview = _acuerdo(
        child_env,
        "campaigns",
        "preview",
        str(campaign_id),
        "--at",
        "2026-11-25T23:30:00-06:00",
        "--json",
    )
    assert preview.returncode == 0, preview.stderr
    body = json.loads(preview.stdout)
    assert (body["matched"], body["eligible"], body["excluded"]) == (1, 0, {"outside_hours": 1})
    text = _acuerdo(
        child_env, "campaigns", "preview", "Desde CLI", "--at", "2026-11-25T11:00:00-06:00"
    )
    assert "1 cuentas cumplen el filtro, se contactaría a 1" in text.stdout

    assert _acuerdo(child_env, "campaigns", "pause", str(campaign_id)).returncode == 0
    listed = _acuerdo(child_env, "campaigns", "list", "--json")
    assert [(c["name"], c["status"]) for c in json.loads(listed.stdout)] == [
        ("Desde CLI", "paused")
    ]
    session.expire_all()
    stored = session.scalars(select(Campaign)).one()
    assert stored.started_at is not None and stored.paused_at is not None
