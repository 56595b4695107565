"""Manager pages: the creditors you work, with their negotiation policy, and adding one."""

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from campaigns.clients import create_client, list_clients
from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import LOCALE_NAMES, _
from campaigns.models import ComplianceProfile, User, utcnow
from console.deps import ManagerUser, SessionDep
from console.pages.common import PageRoute, back_to, page_locale, render

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)


@router.get("")
def creditors(request: Request, db: SessionDep, user: ManagerUser) -> Response:
    """The creditors you work, with their policy, and a form to add one."""
    return _creditors_page(request, db, user)


def _creditors_page(
    request: Request, db: Session, user: User, error: str = "", form: dict[str, str] | None = None
) -> Response:
    return render(
        request,
        "manager/creditors.html",
        user=user,
        clients=list_clients(db),
        profiles=list(ComplianceProfile),
        locales=LOCALE_NAMES,
        error=error,
        form=form or {},
        status_code=422 if error else 200,
    )


@router.post("/creditors")
def add_creditor(
    request: Request,
    db: SessionDep,
    user: ManagerUser,
    name: Annotated[str, Form()],
    country: Annotated[str, Form()] = "MX",
    currency: Annotated[str, Form()] = "MXN",
    timezone: Annotated[str, Form()] = "America/Mexico_City",
    profile: Annotated[str, Form()] = "MX",
    locale: Annotated[str, Form()] = "es_MX",
    max_promise_days: Annotated[int, Form()] = 15,
    discount: Annotated[str, Form()] = "10",
    down_payment: Annotated[str, Form()] = "20",
    max_installments: Annotated[int, Form()] = 6,
) -> Response:
    """Add a creditor with its negotiation policy."""
    form = {
        "name": name,
        "country": country,
        "currency": currency,
        "timezone": timezone,
        "locale": locale,
    }
    try:
        create_client(
            db,
            name=name.strip(),
            country=country,
            currency=currency,
            timezone=timezone,
            profile=ComplianceProfile(profile),
            locale=locale,
            max_promise_days=max_promise_days,
            early_payment_discount_pct=_percent(discount),
            min_down_payment_pct=_percent(down_payment),
            max_installments=max_installments,
            now=utcnow(),
        )
    except AcuerdoError as error:
        db.rollback()
        return _creditors_page(request, db, user, error.render(page_locale(request)), form)
    return back_to("/manager")


def _percent(text: str) -> Decimal:
    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation as error:
        raise Invalid(_("Percentages must be between 0 and 100.")) from error
