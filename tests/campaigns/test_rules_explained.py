"""Every rule the selection or the contact check can report has a name and an explanation a
manager reads, in Spanish and in English, without the rule's code."""

import pytest

from campaigns.compliance.check import Rule
from campaigns.compliance.profiles import PROFILES
from campaigns.scheduler.eligibility import progress
from campaigns.scheduler.rules_explained import RULES, rule_explanation, rule_name

PROGRESS_RULES = [
    progress.IN_FLIGHT,
    progress.RETRY_WAIT,
    progress.STEP_NOT_DUE,
    progress.STEPS_DONE,
    progress.RECYCLE_WAIT,
]
CAPS = [cap.rule for profile in PROFILES.values() for cap in profile.caps]
EVERY_RULE = [str(rule) for rule in Rule] + PROGRESS_RULES + CAPS


@pytest.mark.parametrize("rule", EVERY_RULE)
@pytest.mark.parametrize("locale", ["es_MX", "en"])
def test_every_rule_reads_as_words_without_its_code(rule: str, locale: str) -> None:
    name, explanation = rule_name(rule, locale), rule_explanation(rule, locale)
    code = rule.removeprefix("cap:")
    if "_" in code:  # a one-word code ("holiday") may be an English word of the text
        assert code not in name and code not in explanation
    assert name and explanation.endswith(".")


def test_spanish_and_english_differ_and_unknown_rules_still_read() -> None:
    assert rule_name("outside_hours", "es_MX") == "Fuera del horario de contacto del deudor"
    assert rule_name("outside_hours", "en") == "Outside the debtor's contact hours"
    assert rule_name("cap:co_daily", "es_MX") == (
        "Se alcanzó el límite de frecuencia un contacto al día (Colombia)"
    )
    assert rule_name("cap:mi_tope", "en") == "Frequency cap mi_tope reached"
    assert rule_name("nueva_regla", "en") == "Other rule (nueva_regla)"
    assert set(PROGRESS_RULES) <= set(RULES)
