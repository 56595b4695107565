"""The wording check on templates and scripts, and templates checked on save."""

from datetime import date

import pytest

from campaigns.compliance import (
    SAMPLE_FIELDS,
    TEMPLATE_FIELDS,
    TemplateRejected,
    check_text,
    render_template,
    validate_template,
)
from campaigns.i18n import translate

FORBIDDEN = [
    ("Si no paga irá a la cárcel.", "cárcel", "jail"),
    ("Si no paga irá a la CARCEL.", "CARCEL", "jail"),
    ("Evite la prisión", "prisión", "jail"),
    ("Evite la prision", "prision", "jail"),
    ("Hay una orden de aprehensión en su contra", "orden de aprehensión", "jail"),
    ("Hay una orden  de\naprehension", "orden  de\naprehension", "jail"),
    ("Procederemos al embargo de sus bienes", "embargo", "seizure"),
    ("Embargaremos su casa mañana", "Embargaremos", "seizure"),
    ("Su auto saldrá a remate", "remate", "seizure"),
    ("Le habla el Juzgado Tercero", "Juzgado", "authority"),
    ("Recibirá una notificación judicial", "notificación judicial", "authority"),
    ("El actuario pasará a su domicilio", "actuario", "authority"),
    ("Turnaremos su caso al Ministerio Público", "Ministerio Público", "authority"),
    ("Avisaremos a su familia de su deuda", "su familia", "third_parties"),
    ("Llamaremos a su trabajo", "su trabajo", "third_parties"),
    ("Lo vamos a boletinar", "boletinar", "exposure"),
    ("Estará en la lista negra", "lista negra", "exposure"),
    ("Lo vamos a exhibir", "exhibir", "exposure"),
    ("No sea ratero", "ratero", "insult"),
    ("You could go to jail", "jail", "jail"),
    ("There is a warrant with your name", "warrant", "jail"),
    ("You will be arrested", "arrested", "jail"),
    ("We will seize your car", "seize", "seizure"),
    ("Your wages will be garnished", "garnished", "seizure"),
    ("This is the sheriff's office", "sheriff", "authority"),
    ("We will call your employer", "your employer", "third_parties"),
    ("We will tell your family", "your family", "third_parties"),
    ("You will be blacklisted", "blacklisted", "exposure"),
    ("Pay up, deadbeat", "deadbeat", "insult"),
]


@pytest.mark.parametrize(("text", "found", "category"), FORBIDDEN)
def test_forbidden_pressure_is_found_and_named(text: str, found: str, category: str) -> None:
    findings = check_text(text)
    assert [(f.found, f.category.value) for f in findings] == [(found, category)]
    assert found in findings[0].render("en")


HARMLESS = [
    "Sin embargo, puede pagar en cualquier OXXO.",
    "Hola Juana, le recordamos su saldo de $1,200.00 de Internet 50 Mbps.",
    "Su pago vence el 1 de diciembre; responda BAJA para no recibir más mensajes.",
    "El pirata de la película",  # "rata" inside a word
    "Your warranty covers the modem.",  # "warrant" inside a word
    "Remember your payment is due on December 1.",
    "Le ofrecemos un descuento por pronto pago.",
    "Carcelén es una colonia",  # "carcel" starts the word but is not the word
]


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_passes(text: str) -> None:
    assert check_text(text) == []


def test_several_findings_come_in_order_and_overlaps_once() -> None:
    text = "Sin embargo: embargo, cárcel y una orden de aprehensión."
    assert [f.found for f in check_text(text)] == ["embargo", "cárcel", "orden de aprehensión"]


def test_clients_may_add_phrases() -> None:
    assert check_text("Le enviaremos un recordatorio") == []
    (finding,) = check_text("Le enviaremos un recordatorio", extra_phrases=["recordatorio"])
    assert finding.found == "recordatorio" and finding.category.value == "client"
    assert finding.render("en") == (
        '"recordatorio" is on the creditor\'s list of forbidden phrases; remove it.'
    )


GOOD = (
    "Hola {{ first_name }}, {{ creditor }} le recuerda su saldo de {{ balance }} vencido el "
    "{{ due_date }}. Llame al {{ callback_number }}. {{ opt_out_text }}"
)


def test_a_good_template_validates_and_renders() -> None:
    validate_template(GOOD)
    text = render_template(GOOD, SAMPLE_FIELDS)
    assert text.startswith("Hola Juana, Cablevisión Norte le recuerda su saldo de $1,200.00 MXN")
    assert set(SAMPLE_FIELDS) == set(TEMPLATE_FIELDS)
    assert {
        "name",
        "first_name",
        "balance",
        "currency",
        "due_date",
        "days_overdue",
        "creditor",
        "agency",
        "callback_number",
        "account_ref_last4",
        "promise_date",
        "promise_amount",
        "discount_amount",
    } <= set(TEMPLATE_FIELDS)


def reject(source: str, **kwargs: object) -> TemplateRejected:
    with pytest.raises(TemplateRejected) as error:
        validate_template(source, **kwargs)  # type: ignore[arg-type]
    assert error.value.status_code == 422
    return error.value


def test_unknown_fields_are_named_even_in_branches_not_taken() -> None:
    error = reject("Hola {{ nombre }}{% if false %}{{ saldo_total }}{% endif %}")
    assert error.render("en").startswith("The template uses unknown fields: nombre, saldo_total.")
    assert error.render("es_MX").startswith("La plantilla usa campos desconocidos: nombre")


def test_syntax_errors_name_the_line() -> None:
    error = reject("Hola {{ first_name }}\nSu saldo es {{ balance \nGracias")
    assert error.params["line"] == 3
    assert error.render("es_MX").startswith("La plantilla tiene un error de sintaxis en la línea 3")
    error = reject("{% if days_overdue > 30 %}urgente")
    assert "syntax error on line 1" in error.render("en")


def test_missing_attributes_and_unsafe_code_are_refused() -> None:
    assert "account fields do not have" in reject("{{ name.nickname }}").render("en")
    unsafe = reject("{{ name.__class__.__mro__ }}")
    assert unsafe.render("en") == (
        "The template does something templates may not do: "
        "access to attribute '__class__' of 'str' object is unsafe."
    )
    assert "cannot be rendered" in reject("{{ balance_amount / 0 }}").render("en")


def test_forbidden_phrases_in_the_source_or_the_rendered_text_are_named() -> None:
    error = reject("{{ first_name }}, si no paga irá a la cárcel.")
    assert error.render("en") == (
        '"cárcel" threatens jail or arrest; remove it. A courteous wording, for example: We would '
        "like to help you find a payment option that works for you."
    )
    assert error.render("es_MX") == (
        '"cárcel" amenaza con cárcel o arresto; elimínelo. Una redacción cortés, por ejemplo: '
        "Queremos ayudarle a encontrar una opción de pago que le funcione."
    )
    # Built in an expression on a branch taken only for late accounts: the rendering shows it.
    error = reject('{{ "EMBAR" ~ "GO" if days_overdue > 60 else "" }} inmediato')
    assert "EMBARGO" in error.render("en")
    # In a comment: never rendered, but a template must not carry it.
    assert "prisión" in reject("Hola {{ first_name }} {# amenazar con prisión #}").render("en")
    # Hidden in a field value: only the rendered text shows it.
    fields = {**SAMPLE_FIELDS, "agency": "Despacho Lista Negra"}
    error = reject("Le atiende {{ agency }}", sample_fields=fields)
    assert "Lista Negra" in error.render("en")
    error = reject("Avisaremos a su familia y a su trabajo")
    assert error.render("en") == (
        'The text contains phrases that must not reach a debtor: "su familia", "su trabajo"; '
        "remove them. A courteous wording, for example: This information is confidential and we "
        "discuss it only with you."
    )
    assert [f.found for f in error.findings][:2] == ["su familia", "su trabajo"]
    assert "demanda" in reject("Demanda civil", extra_phrases=["demanda"]).render("en").lower()


def test_rendering_uses_values_not_code() -> None:
    fields = {**SAMPLE_FIELDS, "due_date": date(2026, 12, 1)}
    assert render_template("{{ due_date }}", fields) == "2026-12-01"
    assert translate("en", TEMPLATE_FIELDS["first_name"]) == "Debtor's first name"
