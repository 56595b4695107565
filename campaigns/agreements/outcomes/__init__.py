"""Recording what an agent says happened on a contact, with every effect, in one transaction.

`record_outcome` validates the submission against the creditor's policy, writes the Outcome and
its effects (promise, plan, dispute hold, callback, invalid number, opt-out, do-not-contact,
closing), appends an audit event and queues the confirmation SMS to go out after commit. It is
idempotent on the client-generated submission key. The caller commits.
"""

from campaigns.agreements.outcomes.recording import record_outcome

__all__ = ["record_outcome"]
