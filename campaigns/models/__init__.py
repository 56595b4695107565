"""Acuerdo's tables. Import from here: every model is registered on Base.metadata."""

from campaigns.models.agents import AgentActivity
from campaigns.models.agreements import (
    Callback,
    Dispute,
    Installment,
    Outcome,
    Payment,
    PaymentPlan,
    PromiseToPay,
)
from campaigns.models.audit import AuditEvent, AuditEventIsAppendOnly
from campaigns.models.base import Base, TenantOwned, utcnow
from campaigns.models.campaign import Campaign, CampaignAgent
from campaigns.models.clients import Client, ClientSettingsVersion, User, UserClientAccess
from campaigns.models.contact import (
    GREETED,
    ROUTED,
    Attempt,
    AttemptEvent,
    ContactRefusal,
    InboundMessage,
)
from campaigns.models.enums import *  # noqa: F403
from campaigns.models.portfolio import (
    Account,
    ChannelPermission,
    ContactPoint,
    Debtor,
    DoNotContact,
    Portfolio,
    aging_bucket,
)
from campaigns.models.progress import CampaignProgress, NewAttempt, record_new_attempts
from campaigns.models.reports import (
    ReportAgentDay,
    ReportAgentStateDay,
    ReportContactDay,
    ReportDebtorContactDay,
    ReportPortfolioDay,
    ReportProvisionalDay,
    ReportRefusalDay,
    ReportRolledDay,
    ReportRollMonth,
)
from campaigns.models.self_service import ContactPreference, DataSubjectRequest

__all__ = [
    "GREETED",
    "ROUTED",
    "Account",
    "AgentActivity",
    "Attempt",
    "AttemptEvent",
    "AuditEvent",
    "AuditEventIsAppendOnly",
    "Base",
    "Callback",
    "Campaign",
    "CampaignAgent",
    "CampaignProgress",
    "ChannelPermission",
    "Client",
    "ClientSettingsVersion",
    "ContactPoint",
    "ContactPreference",
    "ContactRefusal",
    "DataSubjectRequest",
    "Debtor",
    "Dispute",
    "DoNotContact",
    "InboundMessage",
    "Installment",
    "NewAttempt",
    "Outcome",
    "Payment",
    "PaymentPlan",
    "Portfolio",
    "PromiseToPay",
    "ReportAgentDay",
    "ReportAgentStateDay",
    "ReportContactDay",
    "ReportDebtorContactDay",
    "ReportPortfolioDay",
    "ReportProvisionalDay",
    "ReportRefusalDay",
    "ReportRollMonth",
    "ReportRolledDay",
    "TenantOwned",
    "User",
    "UserClientAccess",
    "aging_bucket",
    "record_new_attempts",
    "utcnow",
]
