"""The columns of a payments file and the header names accepted (docs/agreements.md)."""

from campaigns.tabular import Column

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
    ),
    required=True,
)
AMOUNT = Column(
    "amount",
    (
        "monto",
        "importe",
        "pago",
        "monto_pagado",
        "importe_pagado",
        "amount",
        "payment",
        "amount_paid",
    ),
    required=True,
)
PAID_ON = Column(
    "paid_on",
    ("fecha", "fecha_pago", "fecha_de_pago", "date", "paid_on", "payment_date"),
    required=True,
)
REFERENCE = Column(
    "reference",
    ("referencia", "folio", "num_referencia", "reference", "ref", "payment_id", "receipt"),
    required=True,
)
COLUMNS = (ACCOUNT_REF, AMOUNT, PAID_ON, REFERENCE)
