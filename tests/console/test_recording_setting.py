"""The manager turns recording on per campaign in the builder; the file export carries it."""

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.campaign_defs import parse_definition
from campaigns.models import Campaign
from tests.console.conftest import sign_in
from tests.console.test_campaign_builder import builder_form, setup


def test_a_manager_turns_recording_on_and_off_in_the_builder(
    session: Session, web: TestClient
) -> None:
    client = setup(session)
    sign_in(web, "gerente")
    form = builder_form(client, record_calls="on")
    saved = web.post("/manager/campaigns/save", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    session.rollback()
    campaign = session.scalars(select(Campaign)).one()
    assert campaign.record_calls is True

    editor = web.get(f"/manager/campaigns/{campaign.id}")
    assert 'name="record_calls" type="checkbox" checked' in editor.text
    assert "Grabar las llamadas" in editor.text
    exported = web.get(f"/manager/campaigns/{campaign.id}/export")
    assert parse_definition(yaml.safe_load(exported.text)).record_calls is True

    form = builder_form(client, campaign_id=str(campaign.id))
    again = web.post("/manager/campaigns/save", data=form, follow_redirects=False)
    assert again.status_code == 303, again.text
    session.rollback()
    assert session.get_one(Campaign, campaign.id).record_calls is False
