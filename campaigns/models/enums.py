"""Statuses, roles and dispositions as string enums, stored as their values."""

from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    CLIENT_VIEWER = "client_viewer"
    ADMIN = "admin"


class ComplianceProfile(StrEnum):
    MX = "MX"
    CO = "CO"
    CL = "CL"
    PE = "PE"
    US = "US"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    PROMISED = "promised"
    PLAN = "plan"
    DISPUTED = "disputed"
    PAID = "paid"
    ESCALATED = "escalated"
    CLOSED = "closed"


class AgingBucket(StrEnum):
    CURRENT = "current"
    B1_30 = "1-30"
    B31_60 = "31-60"
    B61_90 = "61-90"
    OVER_90 = "90+"


class ContactKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"


class LineType(StrEnum):
    MOBILE = "mobile"
    FIXED_LINE = "fixed_line"
    FIXED_OR_MOBILE = "fixed_or_mobile"
    VOIP = "voip"
    OTHER = "other"


class Channel(StrEnum):
    VOICE = "voice"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    EMAIL = "email"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"


class DialingMode(StrEnum):
    PREVIEW = "preview"
    PROGRESSIVE = "progressive"
    PREDICTIVE = "predictive"


class AttemptStatus(StrEnum):
    """An attempt's own lifecycle; provider statuses map onto it only forward."""

    PENDING = "pending"
    DISPATCHING = "dispatching"
    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    SENT = "sent"
    COMPLETED = "completed"
    DELIVERED = "delivered"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    UNDELIVERED = "undelivered"
    CANCELED = "canceled"
    REFUSED = "refused"


class Disposition(StrEnum):
    PROMISE_TO_PAY = "promise_to_pay"
    PAYMENT_PLAN = "payment_plan"
    PAID_ALREADY = "paid_already"
    DISPUTE = "dispute"
    CALLBACK = "callback"
    WRONG_NUMBER = "wrong_number"
    THIRD_PARTY = "third_party"
    REFUSES = "refuses"
    DECEASED = "deceased"
    LANGUAGE_BARRIER = "language_barrier"
    NO_ANSWER = "no_answer"
    MACHINE = "machine"
    DO_NOT_CONTACT = "do_not_contact"
    UNRECORDED = "unrecorded"


class PromiseStatus(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class PlanStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class InstallmentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    MISSED = "missed"


class DisputeStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class CallbackStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"


class MessageDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
