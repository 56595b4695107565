"""The fields a campaign's message templates render with, for one account."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from campaigns.i18n import _, translate
from campaigns.local_formats import greeting, long_date, money
from campaigns.models import Account, Client, Debtor
from campaigns.self_service.links import self_service_link
from campaigns.self_service.overview import payment_link
from campaigns.settings import get_settings

CENT = Decimal("0.01")
OPT_OUT_TEXT = _("Reply BAJA to stop these messages.")


def account_fields(
    account: Account, debtor: Debtor, client: Client, today: date, *, now: datetime
) -> dict[str, Any]:
    """Every template field (see campaigns.compliance.TEMPLATE_FIELDS) for one account.

    Amounts and dates are written the creditor's way (its locale and currency); the greeting
    follows the debtor's local time of day at `now`.
    """
    locale = client.locale
    discount = (account.balance * client.early_payment_discount_pct / 100).quantize(
        CENT, ROUND_HALF_UP
    )
    return {
        "name": debtor.name,
        "first_name": debtor.name.split()[0] if debtor.name.split() else debtor.name,
        "greeting": greeting(now, debtor.timezone, locale),
        "balance": money(account.balance, account.currency, locale),
        "balance_amount": account.balance,
        "currency": account.currency,
        "due_date": long_date(account.due_date, locale),
        "days_overdue": (today - account.due_date).days,
        "creditor": client.name,
        "agency": get_settings().agency_name,
        "agent_name": "",
        "callback_number": client.callback_number or "",
        "account_ref_last4": account.account_ref[-4:],
        "product": account.product or "",
        "promise_date": "",
        "promise_amount": "",
        "installment_number": "",
        "installment_amount": "",
        "discount_amount": money(discount, account.currency, locale),
        "discounted_balance": money(account.balance - discount, account.currency, locale),
        "payment_link": payment_link(client, account) or "",
        "self_service_link": self_service_link(account, now),
        "opt_out_text": translate(locale, OPT_OUT_TEXT),
    }
