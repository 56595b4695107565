"""Hostile templates are refused on save, naming the limit, and cannot hang a render."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.compliance import TemplateRejected, render_template, validate_template
from campaigns.compliance.template_limits import TemplateLimitExceeded
from campaigns.compliance.templates import SAMPLE_FIELDS
from campaigns.models import Campaign, Role
from tests.campaigns.test_campaign_definitions import _acuerdo
from tests.campaigns.test_campaign_definitions import definition as cli_definition
from tests.console.conftest import sign_in
from tests.console.test_campaigns_api import definition as api_definition
from tests.factories import make_client, make_user

REPEATS = "repite o llama a algo más de 10000 veces"
TOO_LONG = "produce más de 20000 caracteres"
HOSTILE = {
    "nested_ranges": (
        "{% for a in range(10000) %}{% for b in range(10000) %}.{% endfor %}{% endfor %}{{ name }}",
        REPEATS,
    ),
    "silent_nested_loops": (
        "{% for a in 'x' * 9000 %}{% for b in 'x' * 9000 %}{% endfor %}{% endfor %}{{ name }}",
        REPEATS,
    ),
    "string_multiplication": ("{{ name * 100000 * 100000 }}", TOO_LONG),
    "big_power": ("{{ 10 ** 100000000 }}", TOO_LONG),
    "padding_filter": ("{{ name|center(1000000000) }}", TOO_LONG),
    "padding_format": ("{{ '{:>999999999}'.format(name) }}", TOO_LONG),
    "percent_format": ("{{ '%0999999999d' % days_overdue }}", TOO_LONG),
    "recursive_macro": (
        "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}",
        "se llama a sí misma",
    ),
    "exponential_macro": (
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
        "{{ f(60) }}",
        REPEATS,
    ),
    "slow_but_few_steps": (
        "{% for i in range(4000) %}{% if (range(99999)|join|length) < 0 %}x{% endif %}"
        "{% endfor %}{{ name }}",
        "tarda más de 1.0 segundos",
    ),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_templates_are_refused_naming_the_limit(name: str) -> None:
    source, says = HOSTILE[name]
    with pytest.raises(TemplateRejected) as refused:
        validate_template(source)
    assert says in refused.value.render("es_MX")


def test_rendering_at_send_time_has_the_same_limits() -> None:
    with pytest.raises(TemplateLimitExceeded):
        render_template(HOSTILE["nested_ranges"][0], SAMPLE_FIELDS)
    ordinary = "Hola {{ first_name }}{% for i in range(3) %}.{% endfor %} Saldo: {{ balance }}"
    validate_template(ordinary)
    assert render_template(ordinary, SAMPLE_FIELDS) == "Hola Juana... Saldo: $1,200.00 MXN"


def test_the_web_refuses_a_hostile_template_on_create(web: TestClient, session: Session) -> None:
    client = make_client(session)
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    session.commit()
    sign_in(web, "gerente")
    body = api_definition(templates={"recordatorio": HOSTILE["nested_ranges"][0]})
    refused = web.post("/api/campaigns", json=body)
    assert refused.status_code == 422, refused.text
    assert REPEATS in refused.json()["error"]
    assert session.scalar(select(func.count(Campaign.id))) == 0


def test_the_cli_refuses_a_hostile_script_on_create(
    session: Session, child_env: dict[str, str], tmp_path: Path
) -> None:
    make_client(session)
    session.commit()
    hostile = HOSTILE["string_multiplication"][0]
    body = cli_definition(script={"steps": [{"id": "saludo", "text": hostile}]})
    file = tmp_path / "hostile.json"
    file.write_text(json.dumps(body), encoding="utf-8")
    result = _acuerdo(child_env, "campaigns", "create", str(file))
    assert result.returncode == 1, result.stderr
    assert TOO_LONG in result.stderr
    assert session.scalar(select(func.count(Campaign.id))) == 0
