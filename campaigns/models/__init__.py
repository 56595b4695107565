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
from campaigns.models.clients import Client, User, UserClientAccess
from campaigns.models.contact import Attempt, AttemptEvent, ContactRefusal, InboundMessage
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

__all__ = [
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
    "ChannelPermission",
    "Client",
    "ContactPoint",
    "ContactRefusal",
    "Debtor",
    "Dispute",
    "DoNotContact",
    "InboundMessage",
    "Installment",
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
    "utcnow",
]
