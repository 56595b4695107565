"""Which ready-made negotiation script an account gets: the creditor's product -> script mapping.

`Client.product_scripts` is `{"products": {product: script}, "default": script}`, set by the
manager per creditor. A product is matched by its exact name (case and surrounding spaces
ignored); a product without an entry gets the creditor's default; a creditor without a default
gets the first ready-made script (`cable`). Nothing is guessed from the product's wording.
"""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from campaigns.agreements.negotiation_scripts import script_kinds
from campaigns.audit import record
from campaigns.errors import Invalid
from campaigns.i18n import _
from campaigns.models import Client


class ProductScriptsInvalid(Invalid):
    """A product -> script mapping names a script that does not exist."""


def _key(product: str) -> str:
    return " ".join(product.split()).casefold()


def script_for_product(product_scripts: dict[str, Any] | None, product: str | None) -> str:
    """The script kind the creditor set for this product (else its default, else the first)."""
    mapping = product_scripts or {}
    products = {_key(str(p)): str(kind) for p, kind in (mapping.get("products") or {}).items()}
    chosen = products.get(_key(product or "")) or mapping.get("default")
    kinds = script_kinds()
    return str(chosen) if chosen in kinds else kinds[0]


def check_product_scripts(product_scripts: dict[str, Any]) -> dict[str, Any]:
    """The mapping as stored, refused when it names a script that does not exist."""
    kinds = script_kinds()
    products = {str(p).strip(): str(k) for p, k in (product_scripts.get("products") or {}).items()}
    default = product_scripts.get("default")
    unknown = sorted(
        {k for k in products.values() if k not in kinds}
        | ({str(default)} if default is not None and default not in kinds else set())
    )
    if unknown:
        raise ProductScriptsInvalid(
            _("No script of kind {kind}; available: {kinds}."),
            kind=", ".join(unknown),
            kinds=", ".join(kinds),
        )
    return {"products": products, "default": default}


def set_product_scripts(
    session: Session, *, client: Client, product_scripts: dict[str, Any], by: str, now: datetime
) -> dict[str, Any]:
    """Store a creditor's product -> script mapping (checked first; audited)."""
    checked = check_product_scripts(product_scripts)
    previous = dict(client.product_scripts or {})
    client.product_scripts = checked
    record(
        session,
        action="client.product_scripts",
        entity=client,
        actor_label=by,
        at=now,
        data={"before": previous, "after": checked},
    )
    return checked
