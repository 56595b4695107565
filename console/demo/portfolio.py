"""A generated, realistic demo portfolio file, messy the way creditors' files are."""

import csv
import io
import random
from datetime import date, timedelta

FIRST_NAMES = [
    "María",
    "José",
    "Guadalupe",
    "Juan",
    "Fernanda",
    "Luis",
    "Sofía",
    "Carlos",
    "Ana",
    "Miguel",
    "Valeria",
    "Jorge",
    "Daniela",
    "Ricardo",
    "Ximena",
    "Alejandro",
    "Patricia",
    "Fernando",
    "Lucía",
    "Roberto",
]
LAST_NAMES = [
    "Hernández",
    "García",
    "Martínez",
    "López",
    "González",
    "Pérez",
    "Rodríguez",
    "Sánchez",
    "Ramírez",
    "Cruz",
    "Flores",
    "Gómez",
    "Morales",
    "Vázquez",
    "Reyes",
    "Jiménez",
    "Torres",
    "Díaz",
    "Gutiérrez",
    "Ruiz",
]
STATES = [
    ("Ciudad de México", "55"),
    ("Jalisco", "33"),
    ("Nuevo León", "81"),
    ("Puebla", "222"),
    ("Quintana Roo", "998"),
    ("Sonora", "662"),
    ("Baja California", "664"),
    ("Yucatán", "999"),
    ("Chihuahua", "614"),
    ("Veracruz", "229"),
]
PRODUCTS = {
    "cable": ["Paquete TV Básico", "TV + Internet 50 Mbps", "Paquete Premium HD"],
    "internet": ["Internet 30 Mbps", "Internet 100 Mbps", "Fibra 500 Mbps"],
    "phone": ["Plan Móvil 5 GB", "Plan Móvil Ilimitado", "Línea Fija Residencial"],
}
HEADER = [
    "Cuenta",
    "Nombre",
    "Documento",
    "Teléfono",
    "Celular",
    "Correo",
    "Saldo",
    "Fecha_Vencimiento",
    "Producto",
    "Estado",
    "WhatsApp_Opt_In",
]


def _phone(rng: random.Random, area: str, style: int) -> str:
    local = "".join(str(rng.randint(0, 9)) for _ in range(10 - len(area)))
    number = area + local
    if style == 0:
        return f"+52 {number[:2]} {number[2:6]} {number[6:]}"
    if style == 1:
        return f"({number[:3]}) {number[3:6]}-{number[6:]}"
    if style == 2:
        return f"044 {number}"
    return number


def _amount(rng: random.Random) -> str:
    value = rng.randint(199, 8900) + rng.choice([0, 0.5, 0.99, 0.25])
    whole, cents = f"{value:.2f}".split(".")
    if int(whole) >= 1000 and rng.random() < 0.5:
        return f"$ {int(whole):,}".replace(",", ".") + f",{cents}"
    return f"{whole},{cents}"


def demo_portfolio_csv(*, kind: str, today: date, rows: int = 300, seed: int = 7) -> bytes:
    """A Latin-1, semicolon-separated file with Spanish headers and a few bad rows."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for n in range(1, rows + 1):
        state, area = rng.choice(STATES)
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"
        days = rng.choice(
            [
                rng.randint(1, 30),
                rng.randint(31, 60),
                rng.randint(61, 90),
                rng.randint(1, 90),
                rng.randint(91, 150),
            ]
        )
        due = today - timedelta(days=days)
        email = f"{name.split()[0].lower()}.{n}@correo.mx" if rng.random() < 0.4 else ""
        writer.writerow(
            [
                f"{kind[:3].upper()}-{100000 + n}",
                name,
                f"{rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}{rng.randint(10**9, 10**10 - 1)}",
                _phone(rng, area, rng.randint(0, 3)),
                _phone(rng, area, rng.randint(0, 3)) if rng.random() < 0.3 else "",
                email,
                _amount(rng),
                due.strftime("%d/%m/%Y"),
                rng.choice(PRODUCTS[kind]),
                state,
                "sí" if rng.random() < 0.3 else "no",
            ]
        )
    bad_rows = [
        [
            f"{kind[:3].upper()}-900001",
            "Registro Sin Saldo",
            "X1",
            "55 1234 5678",
            "",
            "",
            "",
            "01/10/2026",
            PRODUCTS[kind][0],
            "Jalisco",
            "no",
        ],
        [
            f"{kind[:3].upper()}-900002",
            "Saldo Negativo",
            "X2",
            "55 1234 5679",
            "",
            "",
            "-350,00",
            "01/10/2026",
            PRODUCTS[kind][0],
            "Jalisco",
            "no",
        ],
        [
            f"{kind[:3].upper()}-900003",
            "Fecha Imposible",
            "X3",
            "55 1234 5680",
            "",
            "",
            "980,00",
            "31/02/2026",
            PRODUCTS[kind][0],
            "Jalisco",
            "no",
        ],
        [
            f"{kind[:3].upper()}-900004",
            "Teléfono Inválido",
            "X4",
            "123",
            "",
            "",
            "450,00",
            "01/10/2026",
            PRODUCTS[kind][0],
            "Jalisco",
            "no",
        ],
        [
            f"{kind[:3].upper()}-100001",
            "Cuenta Duplicada",
            "X5",
            "55 1234 5681",
            "",
            "",
            "1.200,00",
            "01/10/2026",
            PRODUCTS[kind][0],
            "Jalisco",
            "no",
        ],
    ]
    for row in bad_rows:
        writer.writerow(row)
    return out.getvalue().encode("latin-1")
