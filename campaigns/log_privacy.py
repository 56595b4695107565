"""No debtor's phone, e-mail or document number in a log line, whoever writes it.

Every process installs this at start (`install_log_privacy`): a log-record factory masks each
record as it is created, whichever logger or handler it goes to (ours, uvicorn's, rq's, the
twilio SDK's), and the same masking runs as a filter on the root logger's handlers. The twilio
SDK's request logging (`twilio.http_client`, which prints every request's parameters at INFO) is
raised to WARNING, and SQLAlchemy engines hide statement parameters (`campaigns.db`).

What is masked: e-mail addresses (the domain is kept), numbers of 8 to 17 digits written with or
without spaces, dashes, dots or parentheses (phones in E.164, national or digits-only form,
numeric documents; dates and times are left alone), and Mexican CURP and RFC identifiers. In the
web server's access log every query value but a plain number is masked too: a search for a
debtor's name (`/accounts?q=Ana+Ruiz`) says nothing a pattern could find, while the webhooks'
`?attempt=1186` stays readable.
"""

import logging
import re
from collections.abc import Mapping
from typing import Any

_EMAIL = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_NUMBER = re.compile(r"(?<![\w%(])(?:\+|%2B|\()?\d(?:[ \-.()]{0,2}\d){7,16}(?![\w%])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}[-/.]\d{2}[-/.]\d{4}|\d{4}/\d{2}/\d{2}")
_SECONDS = re.compile(r"\d{2}\.\d{6}")  # a timestamp's seconds and microseconds
_CURP = re.compile(r"\b[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d\b")
_RFC = re.compile(r"\b[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}\b")
_QUERY_VALUE = re.compile(r"(?<=[?&])([^=&#]*)=([^&#]*)")
_ACCESS_LOGGER = "uvicorn.access"  # its arguments: client, method, path with query, version, status
MASK = "***"
_installed = False


def _mask_number(match: re.Match[str]) -> str:
    text = match.group()
    if _DATE.fullmatch(text) or _SECONDS.fullmatch(text):
        return text
    digits = re.sub(r"\D", "", text.replace("%2B", "+"))
    return f"{MASK}{digits[-2:]}"


def mask_personal_data(text: str) -> str:
    """The text with e-mails, phone and document numbers masked."""
    text = _EMAIL.sub(lambda m: f"{MASK}@{m.group(1)}", text)
    text = _CURP.sub(MASK, text)
    text = _RFC.sub(MASK, text)
    return _NUMBER.sub(_mask_number, text)


def mask_query_values(path: str) -> str:
    """A request path with every query value but a plain number masked."""
    if "?" not in path:
        return path
    return _QUERY_VALUE.sub(
        lambda m: m.group() if m.group(2).isdigit() or not m.group(2) else f"{m.group(1)}={MASK}",
        path,
    )


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, bytes):
        return mask_personal_data(value.decode("utf-8", "replace"))
    if isinstance(value, Mapping):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return mask_personal_data(repr(value))
    return value


def mask_record(record: logging.LogRecord) -> None:
    """Mask a log record in place: its message, arguments, exception and stack text."""
    if getattr(record, "_acuerdo_masked", False):
        return
    setattr(record, "_acuerdo_masked", True)  # noqa: B010
    if record.name == _ACCESS_LOGGER and isinstance(record.args, tuple) and len(record.args) > 2:
        path = record.args[2]
        if isinstance(path, str):
            record.args = (*record.args[:2], mask_query_values(path), *record.args[3:])
    if isinstance(record.msg, str):
        record.msg = mask_personal_data(record.msg)
    else:
        record.msg = mask_personal_data(str(record.msg))
    if isinstance(record.args, Mapping):
        record.args = {k: _masked(v) for k, v in record.args.items()}
    elif isinstance(record.args, tuple):
        record.args = tuple(_masked(arg) for arg in record.args)
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_personal_data(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_personal_data(record.stack_info)


class PersonalDataFilter(logging.Filter):
    """A handler filter that masks personal data in every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record; never drop it."""
        mask_record(record)
        return True


def install_log_privacy() -> None:
    """Mask personal data in every log record this process makes (idempotent)."""
    global _installed
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            mask_record(record)
        except Exception:  # a log line must never break the code that writes it
            record.msg, record.args = "log record could not be masked; message dropped", ()
        return record

    logging.setLogRecordFactory(masked_record)
