"""The columns of a portfolio file and the header names accepted (docs/import-format.md)."""

from campaigns.tabular import Column

PHONE_PATTERN = (
    r"(telefono|tel|celular|cel|movil|phone|telephone|mobile|cell|cellphone)"
    r"(_?(\d{1,2}|casa|fijo|movil|celular|trabajo|oficina|principal|home|mobile|work|cell))?"
    r"|(home|mobile|work|cell)_phone(_?\d{1,2})?"
)

ACCOUNT_REF = Column(
    "account_ref",
    (
        "cuenta",
        "numero_de_cuenta",
        "num_cuenta",
        "no_cuenta",
        "contrato",
        "account_ref",
        "account",
        "account_number",
        "account_id",
    ),
    required=True,
)
DEBTOR_NAME = Column(
    "debtor_name",
    (
        "nombre",
        "nombre_completo",
        "titular",
        "cliente",
        "deudor",
        "debtor_name",
        "name",
        "full_name",
        "customer_name",
    ),
    required=True,
)
BALANCE = Column(
    "balance",
    (
        "saldo",
        "saldo_vencido",
        "saldo_total",
        "adeudo",
        "monto",
        "importe",
        "balance",
        "amount",
        "amount_due",
    ),
    required=True,
)
DUE_DATE = Column(
    "due_date",
    ("fecha_vencimiento", "fecha_de_vencimiento", "vencimiento", "fecha_venc", "due_date"),
)
DAYS_OVERDUE = Column(
    "days_overdue",
    (
        "dias_mora",
        "dias_de_mora",
        "dias_vencidos",
        "dias_atraso",
        "dias_de_atraso",
        "mora",
        "days_overdue",
        "days_past_due",
        "dpd",
    ),
)
PHONE = Column(
    "phone",
    ("telefono", "telefono2", "celular", "movil", "tel", "phone", "mobile", "cell"),
    repeatable=True,
    pattern=PHONE_PATTERN,
)
EMAIL = Column("email", ("correo", "correo_electronico", "email", "e_mail", "mail"))
NATIONAL_ID = Column(
    "national_id",
    (
        "documento",
        "identificacion",
        "identificacion_oficial",
        "curp",
        "rfc",
        "dni",
        "cedula",
        "rut",
        "national_id",
        "id_number",
    ),
)
PRODUCT = Column("product", ("producto", "servicio", "plan", "product", "service"))
REGION = Column(
    "region", ("estado", "entidad", "entidad_federativa", "region", "provincia", "state")
)
TIMEZONE = Column(
    "timezone",
    (
        "zona_horaria",
        "huso_horario",
        "zona_horaria_iana",
        "timezone",
        "time_zone",
        "tz",
    ),
)
WHATSAPP_OPT_IN = Column(
    "whatsapp_opt_in",
    (
        "whatsapp_opt_in",
        "whatsapp_optin",
        "opt_in_whatsapp",
        "acepta_whatsapp",
        "autoriza_whatsapp",
        "consentimiento_whatsapp",
        "whatsapp",
    ),
)

COLUMNS = (
    ACCOUNT_REF,
    DEBTOR_NAME,
    BALANCE,
    DUE_DATE,
    DAYS_OVERDUE,
    PHONE,
    EMAIL,
    NATIONAL_ID,
    PRODUCT,
    REGION,
    TIMEZONE,
    WHATSAPP_OPT_IN,
)
