"""The debtor's own time zones: candidates from a stated zone, the region, the phones and the
creditor, stored per debtor and read by every contact decision (docs/compliance.md)."""

from campaigns.debtor_zones.candidates import (
    candidate_zones,
    decode_zones,
    encode_zones,
    knows_regions,
    parse_zone,
    phone_zones,
    region_zones,
)
from campaigns.debtor_zones.service import (
    DebtorNotFound,
    LocalTime,
    PhoneAlreadyListed,
    PhoneNotValid,
    correct_phone,
    correct_region,
    debtor_zones,
    local_times,
    recompute_zones,
    refresh_debtor_zones,
)

__all__ = [
    "DebtorNotFound",
    "LocalTime",
    "PhoneAlreadyListed",
    "PhoneNotValid",
    "candidate_zones",
    "correct_phone",
    "correct_region",
    "debtor_zones",
    "decode_zones",
    "encode_zones",
    "knows_regions",
    "local_times",
    "parse_zone",
    "phone_zones",
    "recompute_zones",
    "refresh_debtor_zones",
    "region_zones",
]
