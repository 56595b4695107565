"""Data-subject requests (ARCO in Mexico, habeas data in Colombia): deadlines, filing, answers and
the copy of a debtor's data."""

from campaigns.data_requests.copy import data_copy
from campaigns.data_requests.deadlines import (
    KIND_LABELS,
    LAW_LABELS,
    Law,
    RequestKind,
    add_business_days,
    business_days_for,
    business_days_left,
    due_on,
    law_for,
)
from campaigns.data_requests.service import (
    ANSWERED,
    OPEN,
    RequestRow,
    answer_request,
    debtor_requests,
    file_request,
    list_requests,
)

__all__ = [
    "ANSWERED",
    "KIND_LABELS",
    "LAW_LABELS",
    "OPEN",
    "Law",
    "RequestKind",
    "RequestRow",
    "add_business_days",
    "answer_request",
    "business_days_for",
    "business_days_left",
    "data_copy",
    "debtor_requests",
    "due_on",
    "file_request",
    "law_for",
    "list_requests",
]
