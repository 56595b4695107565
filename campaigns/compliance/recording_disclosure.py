"""The recording notice each compliance profile requires before a recorded call reaches an agent.

The texts live in `recording_disclosures.yaml`, one per profile, in the debtor's language.
"""

from functools import lru_cache
from pathlib import Path

import yaml

from campaigns.models import ComplianceProfile

DATA_FILE = Path(__file__).with_name("recording_disclosures.yaml")


@lru_cache(maxsize=1)
def _disclosures() -> dict[str, str]:
    data: dict[str, str] = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    missing = {str(p) for p in ComplianceProfile} - set(data)
    if missing:
        raise ValueError(f"recording_disclosures.yaml lacks the profiles {sorted(missing)}")
    return {str(key): str(text) for key, text in data.items()}


def recording_disclosure(profile: str) -> str:
    """The notice a debtor of this compliance profile hears before a recorded call."""
    return _disclosures()[str(profile)]
