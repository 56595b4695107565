"""Campaign definitions: the documented file format, validation on save and the lifecycle."""

from campaigns.campaign_defs.errors import (
    CampaignInvalid,
    CampaignNotFound,
    CampaignStateConflict,
)
from campaigns.campaign_defs.lifecycle import finish_campaign, pause_campaign, start_campaign
from campaigns.campaign_defs.schemas import (
    AccountFilter,
    CampaignIn,
    CampaignOut,
    PreviewAccount,
    PreviewOut,
    RetryRule,
    Script,
    Step,
)
from campaigns.campaign_defs.service import (
    campaign_agents,
    campaign_history,
    campaign_out,
    create_campaign,
    duplicate_campaign,
    find_campaign,
    get_campaign,
    list_campaigns,
    to_definition,
    update_campaign,
)
from campaigns.campaign_defs.validation import (
    AGING_BUCKETS,
    SELECTABLE_STATUSES,
    parse_definition,
    validate_definition,
)

__all__ = [
    "AGING_BUCKETS",
    "SELECTABLE_STATUSES",
    "AccountFilter",
    "CampaignIn",
    "CampaignInvalid",
    "CampaignNotFound",
    "CampaignOut",
    "CampaignStateConflict",
    "PreviewAccount",
    "PreviewOut",
    "RetryRule",
    "Script",
    "Step",
    "campaign_agents",
    "campaign_history",
    "campaign_out",
    "create_campaign",
    "duplicate_campaign",
    "find_campaign",
    "finish_campaign",
    "get_campaign",
    "list_campaigns",
    "parse_definition",
    "pause_campaign",
    "start_campaign",
    "to_definition",
    "update_campaign",
    "validate_definition",
]
