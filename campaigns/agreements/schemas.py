"""What an agent submits as the outcome of a contact: one shape per disposition.

`OutcomeIn` is a discriminated union on `disposition`; each member carries the fields that
disposition needs. Shapes and types are checked here; the creditor's policy is checked by
`record_outcome` on the server.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from campaigns.agreements.negotiation import Frequency
from campaigns.models import Disposition

Money = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
Notes = Annotated[str, Field(max_length=2000)]


SomeDate = TypeVar("SomeDate", date, datetime)


def _sane_year(value: SomeDate) -> SomeDate:
    if not 2000 <= value.year <= 2099:
        raise ValueError("the date must be between 2000 and 2099")
    return value


# Dates an agent types: within 2000-2099, so no zone or day arithmetic can overflow.
SaneDate = Annotated[date, AfterValidator(_sane_year)]
SaneMoment = Annotated[datetime, AfterValidator(_sane_year)]


class _Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notes: Notes = ""
    contact_point_id: int | None = None


class PromiseToPayIn(_Outcome):
    """The debtor promises to pay an amount by a date."""

    disposition: Literal[Disposition.PROMISE_TO_PAY]
    amount: Money
    due_date: SaneDate


class PaymentPlanIn(_Outcome):
    """The debtor agrees a down payment and instalments."""

    disposition: Literal[Disposition.PAYMENT_PLAN]
    down_payment: Money
    installments: Annotated[int, Field(ge=1, le=36)]
    first_due_date: SaneDate
    frequency: Frequency = Frequency.MONTHLY


class PaidAlreadyIn(_Outcome):
    """The debtor says the debt is already paid."""

    disposition: Literal[Disposition.PAID_ALREADY]
    paid_on: SaneDate | None = None
    amount: Money | None = None
    reference: Annotated[str, Field(max_length=80)] = ""


class DisputeIn(_Outcome):
    """The debtor disputes the debt; contact holds until the dispute is resolved."""

    disposition: Literal[Disposition.DISPUTE]
    reason: Annotated[str, Field(min_length=3, max_length=2000)]


class CallbackIn(_Outcome):
    """The debtor asks to be called back; personal callbacks go to the same agent."""

    disposition: Literal[Disposition.CALLBACK]
    callback_at: SaneMoment = Field(
        description="When to call back; a time without zone is the debtor's local time."
    )
    personal: bool = False
    right_party: bool = True


class WrongNumberIn(_Outcome):
    """The number does not belong to the debtor."""

    disposition: Literal[Disposition.WRONG_NUMBER]


class ThirdPartyIn(_Outcome):
    """Someone else answered; nothing about the debt was disclosed."""

    disposition: Literal[Disposition.THIRD_PARTY]


class RefusesIn(_Outcome):
    """The debtor refuses to pay or to negotiate."""

    disposition: Literal[Disposition.REFUSES]


class DeceasedIn(_Outcome):
    """The debtor has died: the account closes and nobody is contacted again."""

    disposition: Literal[Disposition.DECEASED]


class LanguageBarrierIn(_Outcome):
    """The call could not go on in a language the agent speaks."""

    disposition: Literal[Disposition.LANGUAGE_BARRIER]
    language: Annotated[str, Field(max_length=40)] = ""


class NoAnswerIn(_Outcome):
    """Nobody answered."""

    disposition: Literal[Disposition.NO_ANSWER]


class MachineIn(_Outcome):
    """An answering machine or voicemail answered."""

    disposition: Literal[Disposition.MACHINE]


class UnrecordedIn(_Outcome):
    """The agent's wrap-up time ran out without a valid form (recorded by the server)."""

    disposition: Literal[Disposition.UNRECORDED]


class DoNotContactIn(_Outcome):
    """The person asks never to be contacted on this number again."""

    disposition: Literal[Disposition.DO_NOT_CONTACT]
    right_party: bool = True


OutcomeIn = Annotated[
    PromiseToPayIn
    | PaymentPlanIn
    | PaidAlreadyIn
    | DisputeIn
    | CallbackIn
    | WrongNumberIn
    | ThirdPartyIn
    | RefusesIn
    | DeceasedIn
    | LanguageBarrierIn
    | NoAnswerIn
    | MachineIn
    | UnrecordedIn
    | DoNotContactIn,
    Field(discriminator="disposition"),
]

OUTCOME_ADAPTER: TypeAdapter[OutcomeIn] = TypeAdapter(OutcomeIn)

RIGHT_PARTY = frozenset(
    {
        Disposition.PROMISE_TO_PAY,
        Disposition.PAYMENT_PLAN,
        Disposition.PAID_ALREADY,
        Disposition.DISPUTE,
        Disposition.REFUSES,
    }
)


def parse_outcome(data: object) -> OutcomeIn:
    """Validate a submitted form (a dict or JSON text) into its outcome shape."""
    if isinstance(data, str | bytes):
        return OUTCOME_ADAPTER.validate_json(data)
    return OUTCOME_ADAPTER.validate_python(data)


def is_right_party(outcome: OutcomeIn) -> bool:
    """Whether the outcome means we spoke with the debtor."""
    if outcome.disposition in RIGHT_PARTY:
        return True
    return bool(getattr(outcome, "right_party", False))
