"""The account evidence pack: a zip with an HTML report and one CSV per section.

Everything a creditor or a regulator (CONDUSEF/REDECO, SIC) asks for after a complaint: every
contact with the debtor's local time, channel, the check it passed at sending, the text sent,
agent, outcome and the call's reference at the carrier (its recording is kept there under that
SID); every reply, promise, plan, dispute, payment and refusal, and the audit trail. A zip of
HTML and CSV needs no new dependency, opens on any computer and the CSVs load into a
spreadsheet as they are. Building a pack is itself audited.
"""

from campaigns.accounts.evidence.pack import EvidencePack, build_evidence_pack
from campaigns.accounts.evidence.table import Section
from campaigns.accounts.evidence.writers import evidence_zip

__all__ = ["EvidencePack", "Section", "build_evidence_pack", "evidence_zip"]
