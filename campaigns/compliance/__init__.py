"""Compliance: per-country contact rules, the one contact check, and the wording check.

See docs/compliance.md for every rule and its source.
"""

from campaigns.compliance.check import (
    ALLOW,
    MAX_DAYS_OVERDUE,
    MIN_DAYS_OVERDUE,
    AccountFacts,
    ContactContext,
    Decision,
    PointFacts,
    Purpose,
    Rule,
    check_contact,
    days_overdue,
)
from campaigns.compliance.history import (
    CONNECTED,
    COUNTS,
    EVENT_TIME,
    contact_history,
    history_since,
    record_refusal,
)
from campaigns.compliance.overrides import (
    ComplianceOverrideError,
    apply_overrides,
    effective_profile,
    validate_overrides,
)
from campaigns.compliance.profiles import (
    PROFILES,
    Cap,
    Counts,
    Hours,
    Profile,
    Window,
    base_profile,
)
from campaigns.compliance.service import AccountNotFound, can_receive, check_account_contact
from campaigns.compliance.templates import (
    SAMPLE_FIELDS,
    TEMPLATE_FIELDS,
    TemplateRejected,
    render_template,
    validate_template,
)
from campaigns.compliance.text import Finding, check_text
from campaigns.compliance.windows import (
    CapWindow,
    ContactEvent,
    cap_refusal,
    cap_windows,
    closed_rule,
    is_holiday,
    open_pairs,
    zones_open_now,
)

__all__ = [
    "ALLOW",
    "CONNECTED",
    "COUNTS",
    "EVENT_TIME",
    "MAX_DAYS_OVERDUE",
    "MIN_DAYS_OVERDUE",
    "PROFILES",
    "SAMPLE_FIELDS",
    "TEMPLATE_FIELDS",
    "AccountFacts",
    "AccountNotFound",
    "Cap",
    "CapWindow",
    "ComplianceOverrideError",
    "ContactContext",
    "ContactEvent",
    "Counts",
    "Decision",
    "Finding",
    "Hours",
    "PointFacts",
    "Profile",
    "Purpose",
    "Rule",
    "TemplateRejected",
    "Window",
    "apply_overrides",
    "base_profile",
    "can_receive",
    "cap_refusal",
    "cap_windows",
    "check_account_contact",
    "check_contact",
    "check_text",
    "closed_rule",
    "contact_history",
    "days_overdue",
    "effective_profile",
    "history_since",
    "is_holiday",
    "open_pairs",
    "record_refusal",
    "render_template",
    "validate_overrides",
    "validate_template",
    "zones_open_now",
]
