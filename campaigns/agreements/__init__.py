"""Agreements: negotiation options, outcomes, promises, plans, disputes, callbacks, payments."""

from campaigns.agreements.errors import (
    AccountNotOpen,
    AgentRequired,
    AgreementError,
    AgreementNotFound,
    AttemptMismatch,
    CallbackTimeInvalid,
    CardNumberInNotes,
    ContactPointRequired,
    DownPaymentOutOfPolicy,
    InstallmentsOutOfPolicy,
    OutcomeAlreadyRecorded,
    PromiseAmountOutOfPolicy,
    PromiseDateOutOfPolicy,
)
from campaigns.agreements.negotiation import (
    Frequency,
    NegotiationOptions,
    PlanOption,
    Policy,
    ScheduledPayment,
    negotiation_options,
    plan_schedule,
    validate_plan,
    validate_promise,
)
from campaigns.agreements.negotiation_scripts import (
    Script,
    load_script,
    render_step,
    script_fields,
    script_kinds,
)
from campaigns.agreements.notes import (
    check_free_text,
    check_notes,
    contains_card_number,
    redact_card_numbers,
)
from campaigns.agreements.outcomes import record_outcome
from campaigns.agreements.payments import PaymentImportSummary, import_payments
from campaigns.agreements.reminders import DailySummary, run_daily
from campaigns.agreements.schemas import OutcomeIn, parse_outcome

__all__ = [
    "AccountNotOpen",
    "AgentRequired",
    "AgreementError",
    "AgreementNotFound",
    "AttemptMismatch",
    "CallbackTimeInvalid",
    "CardNumberInNotes",
    "ContactPointRequired",
    "DailySummary",
    "DownPaymentOutOfPolicy",
    "Frequency",
    "InstallmentsOutOfPolicy",
    "NegotiationOptions",
    "OutcomeAlreadyRecorded",
    "OutcomeIn",
    "PaymentImportSummary",
    "PlanOption",
    "Policy",
    "PromiseAmountOutOfPolicy",
    "PromiseDateOutOfPolicy",
    "ScheduledPayment",
    "Script",
    "check_free_text",
    "check_notes",
    "contains_card_number",
    "redact_card_numbers",
    "import_payments",
    "load_script",
    "negotiation_options",
    "parse_outcome",
    "plan_schedule",
    "record_outcome",
    "render_step",
    "run_daily",
    "script_fields",
    "script_kinds",
    "validate_plan",
    "validate_promise",
]
