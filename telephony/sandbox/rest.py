"""What every REST route of the sandbox does first: check the account's credentials, read the
form, and page and filter a list, as Twilio's API v2010 does."""

import base64
import binascii
import hmac

from fastapi import Request

from telephony.sandbox.network import Network
from telephony.sandbox.state import TwilioError

ACCOUNT = "/2010-04-01/Accounts/{account_sid}"


def authenticate(net: Network, request: Request, account_sid: str) -> None:
    """HTTP basic auth with the account's SID and token, for the account in the path (401)."""
    header = request.headers.get("authorization", "")
    username = password = ""
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        username, _, password = decoded.partition(":")
    ok = hmac.compare_digest(username, net.account_sid) and hmac.compare_digest(
        password, net.auth_token
    )
    if not ok or account_sid != net.account_sid:
        raise TwilioError(401, 20003, "Authenticate")


async def read_form(request: Request) -> tuple[dict[str, str], list[str]]:
    """The form's single values, and every StatusCallbackEvent (a repeated field)."""
    form = await request.form()
    single = {key: str(value) for key, value in form.items()}
    events = [str(v) for v in form.getlist("StatusCallbackEvent")]
    return single, events


def paging(request: Request) -> tuple[int, int]:
    """Page and PageSize (1 to 1,000; 50 by default)."""
    try:
        page = int(request.query_params.get("Page", "0"))
        size = int(request.query_params.get("PageSize", "50"))
    except ValueError as error:
        raise TwilioError(400, 20001, "Page and PageSize must be integers") from error
    return max(page, 0), min(max(size, 1), 1000)


def query_filters(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    """The list filters among `names` the query gives."""
    return {n: request.query_params[n] for n in names if request.query_params.get(n)}
