"""The courtesy check catches real pressure, however it is disguised, and lets courteous text pass.

REFUSED and ALLOWED are the lists the report quotes: what the check now refuses, and what it lets
through (factual statements included).
"""

from pathlib import Path
from typing import Any

import pytest
import yaml

from campaigns.agreements import load_script, script_kinds
from campaigns.agreements.messages import (
    INSTALLMENT_REMINDER,
    OPT_OUT,
    PLAN_CONFIRMATION,
    PROMISE_CONFIRMATION,
    PROMISE_REMINDER,
    THANK_YOU,
)
from campaigns.agreements.negotiation_scripts import SCRIPT_SAMPLE_FIELDS
from campaigns.compliance import TemplateRejected, check_text, validate_template
from campaigns.compliance.text import Category, rules
from campaigns.i18n import SUPPORTED_LOCALES, translate
from console.demo.seed import REMINDER
from tests.test_regional_locales import _dummies

ROOT = Path(__file__).resolve().parents[2]

# (text, the words found as written, category)
REFUSED = [
    # legal threats
    ("Iniciaremos una demanda judicial en su contra.", "demanda judicial", "legal_action"),
    ("Procederemos con acciones legales.", "acciones legales", "legal_action"),
    ("Lo demandaremos si no paga.", "demandaremos", "legal_action"),
    ("Su caso pasará a juicio.", "juicio", "legal_action"),
    ("Su cuenta fue turnada a cobranza judicial.", "cobranza judicial", "legal_action"),
    ("Nuestro departamento jurídico lo contactará.", "departamento jurídico", "legal_action"),
    ("We will take legal action.", "legal action", "legal_action"),
    ("Our attorneys are ready.", "attorneys", "legal_action"),
    # home or work visits
    ("Un abogado visitará su domicilio.", "abogado", "legal_action"),
    ("Un gestor visitará su domicilio.", "visitará su domicilio", "visit"),
    ("Iremos a su trabajo a cobrarle.", "Iremos a su trabajo", "visit"),
    ("Lo visitaremos mañana.", "visitaremos", "visit"),
    ("We will come to your house.", "come to your house", "visit"),
    # seizure, jail
    ("Le vamos a quitar su casa.", "Le vamos a quitar", "seizure"),
    ("Embargaríamos su sueldo.", "Embargaríamos", "seizure"),
    ("Podría terminar en la cárcel.", "cárcel", "jail"),
    # credit bureau used as pressure
    ("Hoy mismo lo reportaremos al buró de crédito.", "lo reportaremos", "credit_bureau"),
    (
        "Si no paga hoy lo reportaremos al buró de crédito.",
        "Si no paga hoy lo reportaremos al buró",
        "credit_bureau",
    ),
    ("Vamos a manchar su historial en el buró.", "manchar su historial", "credit_bureau"),
    ("Nunca más tendrá crédito.", "Nunca más tendrá crédito", "credit_bureau"),
    ("We will report you to the bureaus.", "We will report you", "credit_bureau"),
    (
        "Si no paga, su nombre aparecerá en el buró de crédito.",
        "Si no paga, su nombre aparecerá en el buró",
        "credit_bureau",
    ),
    (
        "Su historial crediticio se verá afectado si no paga hoy.",
        "historial crediticio se verá afectado si no paga",
        "credit_bureau",
    ),
    ("De lo contrario, quedará en DICOM.", "De lo contrario, quedará en DICOM", "credit_bureau"),
    (
        "If you don't pay, this will hurt your credit score.",
        "If you don't pay, this will hurt your credit score",
        "credit_bureau",
    ),
    # insults and shaming
    ("Usted es un moroso irresponsable.", "moroso irresponsable", "insult"),
    ("Debería darle vergüenza.", "vergüenza", "insult"),
    ("Es un mal pagador.", "mal pagador", "insult"),
    ("Stop being irresponsible.", "irresponsible", "insult"),
    # vague threats
    ("Págalo ya o habrá consecuencias.", "habrá consecuencias", "vague_threat"),
    ("Deberá atenerse a las consecuencias.", "atenerse a las consecuencias", "vague_threat"),
    ("Este es su último aviso.", "último aviso", "vague_threat"),
    ("Se va a arrepentir.", "Se va a arrepentir", "vague_threat"),
    ("There will be consequences.", "There will be consequences", "vague_threat"),
    # family, employer, references
    ("Llamaremos a sus referencias.", "sus referencias", "third_parties"),
    ("Hablaremos con su jefe.", "su jefe", "third_parties"),
    ("Avisaremos a recursos humanos.", "recursos humanos", "third_parties"),
    ("We will call your references.", "your references", "third_parties"),
    # posing as authority
    ("Le habla el agente judicial Pérez.", "agente judicial", "authority"),
    ("Recibirá un citatorio.", "citatorio", "authority"),
    ("This is law enforcement.", "law enforcement", "authority"),
]

# Disguises: (text, the words found as written, category)
DISGUISED = [
    ("Irá a la c á r c e l", "c á r c e l", "jail"),
    ("Irá a la cár-cel", "cár-cel", "jail"),
    ("Irá a la c4rcel", "c4rcel", "jail"),
    ("Irá a la CÁRCEL", "CÁRCEL", "jail"),
    ("Irá a la c.á.r.c.e.l.", "c.á.r.c.e.l", "jail"),
    ("Irá a la cár\u00adcel", "cár\u00adcel", "jail"),  # soft hyphen
    ("Irá a la cár\u200bcel", "cár\u200bcel", "jail"),  # zero-width space
    ("Irá a la \u0441\u00e1rcel", "\u0441\u00e1rcel", "jail"),  # Cyrillic es
    ("Irá a la ｃárcel", "ｃárcel", "jail"),  # full-width
    ("Irá a la 𝐜𝐚𝐫𝐜𝐞𝐥", "𝐜𝐚𝐫𝐜𝐞𝐥", "jail"),  # mathematical bold
    ("Irá a la ca\u0301rcel", "ca\u0301rcel", "jail"),  # a + combining acute
    ("Procederemos al \u03b5mbargo", "\u03b5mbargo", "seizure"),  # Greek epsilon
    ("Procederemos al e-m-b-a-r-g-o", "e-m-b-a-r-g-o", "seizure"),
    ("Procederemos al emb@rgo", "emb@rgo", "seizure"),
    ("Le enviaremos una d3manda", "d3manda", "legal_action"),
    ("Su ab0gad0 llamará", "ab0gad0", "legal_action"),
    ("Evite la pr1sión", "pr1sión", "jail"),
    ("habrá  con-secuencias", "habrá  con-secuencias", "vague_threat"),
    ("Irá a la c a r c e l y lo sabrá", "c a r c e l", "jail"),
    ("i r a   a   l a   c a r c e l", "c a r c e l", "jail"),
]

# Courteous text that must pass, including factual, lawful statements.
ALLOWED = [
    "Le recordamos su saldo de $1,200.00 con Cablevisión Norte.",
    "Puede pagar en 4 pagos de $300.00; sin embargo, también puede liquidar hoy.",
    "Los pagos puntuales se reflejan en su historial crediticio.",
    "Cablevisión Norte reporta mensualmente el estado de las cuentas a las sociedades de "
    "información crediticia, conforme a la ley.",
    "De acuerdo con la Ley 1266, el reporte negativo en las centrales de riesgo solo procede "
    "20 días después de este aviso.",
    "Al ponerse al corriente, su historial de pagos se mantiene al día.",
    "Si no paga hoy, con gusto le ofrecemos un plan en parcialidades.",
    "Pague hoy. Su historial crediticio se mantiene al día.",
    "Las deudas pueden informarse a DICOM conforme a la Ley 19.628.",
    "Visite nuestra página para pagar en línea.",
    "Hay alta demanda en nuestras líneas; gracias por su paciencia.",
    "Con gusto revisamos opciones, a su juicio, la que mejor le convenga.",
    "Le deseamos un buen día.",
    "Evite fraudes: nunca comparta su NIP.",
    "Su factura llegará a su domicilio por correo.",
    "Cable-módem e internet 50 Mbps, cuenta 0042.",
    "Escríbanos a pagos@example.com o visite pagos.example.com/p/0042.",
    "Queremos ayudarle a encontrar una opción de pago que le funcione.",
    "Para dudas, llame al +52 55 5555 0100 de lunes a viernes.",
    "Gracias por su preferencia y por su tiempo.",
    "Por favor, confirme si es el titular de la cuenta.",
    "Pay online or visit any store; we are here to help.",
    "We do not judge; we want to find an option that works for you.",
    "Your payment history is reported to credit bureaus as the law allows.",
    "Buenas noches, Juana, le saluda Luis de Acuerdo Cobranza.",
    "Responda BAJA para no recibir más mensajes.",
    "Le ofrecemos un 10 % de descuento por pronto pago: pagaría $1,080.00.",
    "A y B son opciones; elija la que prefiera.",
]


@pytest.mark.parametrize(("text", "found", "category"), REFUSED + DISGUISED)
def test_pressure_is_refused_naming_the_phrase(text: str, found: str, category: str) -> None:
    findings = check_text(text)
    assert [(f.found, f.category.value) for f in findings][:1] == [(found, category)]


@pytest.mark.parametrize("text", ALLOWED)
def test_courteous_and_factual_text_passes(text: str) -> None:
    assert check_text(text) == []


def _script_texts(data: dict[str, Any]) -> list[str]:
    steps = data["steps"].values() if isinstance(data["steps"], dict) else data["steps"]
    texts: list[str] = []
    for step in steps:
        texts += [str(step["text"]), str(step.get("title", ""))]
        texts += [str(b["label"]) for b in step.get("branches", [])]
    return texts


def test_the_demo_docs_and_ready_made_texts_pass() -> None:
    example = yaml.safe_load((ROOT / "docs" / "examples" / "campaign.yaml").read_text("utf-8"))
    sources = [REMINDER, *example["templates"].values(), *_script_texts(example["script"])]
    for kind in script_kinds():
        script = yaml.safe_load(
            (ROOT / "campaigns" / "agreements" / "scripts" / f"{kind}.yaml").read_text("utf-8")
        )
        sources += _script_texts(script)
        load_script(kind)  # checked on load
    for source in sources:
        validate_template(source, sample_fields=SCRIPT_SAMPLE_FIELDS)
    messages = [
        PROMISE_CONFIRMATION,
        PLAN_CONFIRMATION,
        PROMISE_REMINDER,
        INSTALLMENT_REMINDER,
        THANK_YOU,
        OPT_OUT,
    ]
    for locale in SUPPORTED_LOCALES:
        for message in messages:
            text = translate(locale, message, **_dummies(message))
            assert check_text(text) == [], (locale, text)


def test_a_refusal_names_the_phrase_and_suggests_a_courteous_wording() -> None:
    with pytest.raises(TemplateRejected) as raised:
        validate_template("Hola {{ first_name }}, págalo ya o habrá consecuencias.")
    assert raised.value.render("es_MX") == (
        '"habrá consecuencias" es una amenaza velada; elimínelo. Una redacción cortés, por '
        "ejemplo: Estamos para ayudarle; cuéntenos qué opción de pago le conviene."
    )
    assert raised.value.render("en").endswith(
        "A courteous wording, for example: We are here to help; tell us which payment option "
        "suits you."
    )


def test_every_category_states_its_rule_and_a_suggestion_in_both_languages() -> None:
    data = rules()
    for category in set(Category) - {Category.CLIENT}:
        assert data.phrases[category] and len(data.rules[category]) > 40
        assert set(data.suggestions[category]) == {"es", "en"}
        for suggestion in data.suggestions[category].values():
            assert check_text(suggestion) == [], suggestion
    for category, phrases in data.phrases.items():
        for phrase in phrases:  # each listed phrase is found as written, upper case too
            written = phrase.rstrip("*")
            found = check_text(f"Texto: {written.upper()}.")
            assert found and found[0].category == category, phrase
