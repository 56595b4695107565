"""The one base error of Acuerdo; domain errors subclass it next to their service."""

from typing import Any

from campaigns.i18n import translate


class AcuerdoError(Exception):
    """An error a person can act on: a translatable message, its values and an HTTP status."""

    status_code: int = 400

    def __init__(self, message: str, status_code: int | None = None, /, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params
        if status_code is not None:
            self.status_code = status_code

    def render(self, locale: str) -> str:
        """The message in the reader's language."""
        return translate(locale, self.message, **self.params)


class NotFound(AcuerdoError):
    status_code = 404


class Forbidden(AcuerdoError):
    status_code = 403


class Conflict(AcuerdoError):
    status_code = 409


class Invalid(AcuerdoError):
    status_code = 422
