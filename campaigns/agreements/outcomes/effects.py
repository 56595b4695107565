"""Applying an outcome by disposition: holds, callbacks, wrong numbers, do-not-contact, deceased."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from campaigns.agreements.contact import cancel_pending_contact, set_status
from campaigns.agreements.errors import AgentRequired, CallbackTimeInvalid, ContactPointRequired
from campaigns.agreements.outcomes.agreement_effects import AgreementEffects
from campaigns.agreements.schemas import (
    CallbackIn,
    DisputeIn,
    DoNotContactIn,
    OutcomeIn,
    PaymentPlanIn,
    PromiseToPayIn,
)
from campaigns.compliance import closed_in_zones, effective_profile
from campaigns.contact_points import mark_invalid, stop_channels
from campaigns.debtor_zones import debtor_zones, refresh_debtor_zones
from campaigns.i18n import _
from campaigns.models import (
    AccountStatus,
    Callback,
    Channel,
    ContactKind,
    ContactPoint,
    Disposition,
    Dispute,
    DoNotContact,
)

MAX_CALLBACK_AHEAD = timedelta(days=30)
PHONE_CHANNELS = (Channel.VOICE, Channel.SMS, Channel.WHATSAPP)


class OutcomeEffects(AgreementEffects):
    """What each disposition changes besides the Outcome row."""

    def apply(self, outcome: OutcomeIn) -> dict[str, object]:
        if isinstance(outcome, PromiseToPayIn):
            return self.promise(outcome)
        if isinstance(outcome, PaymentPlanIn):
            return self.plan(outcome)
        if isinstance(outcome, DisputeIn):
            return self.dispute(outcome)
        if isinstance(outcome, CallbackIn):
            return self.callback(outcome)
        if isinstance(outcome, DoNotContactIn):
            return self.do_not_contact()
        disposition = outcome.disposition
        if disposition == Disposition.WRONG_NUMBER:
            return self.wrong_number()
        if disposition == Disposition.DECEASED:
            return self.deceased()
        if disposition == Disposition.PAID_ALREADY:
            return {
                "paid_on": str(getattr(outcome, "paid_on", None) or ""),
                "amount": str(getattr(outcome, "amount", None) or ""),
                "reference": getattr(outcome, "reference", ""),
            }
        if disposition == Disposition.LANGUAGE_BARRIER:
            return {"language": getattr(outcome, "language", "")}
        return {}

    def dispute(self, outcome: DisputeIn) -> dict[str, object]:
        dispute = Dispute(
            client_id=self.account.client_id,
            account_id=self.account.id,
            outcome_id=self.outcome.id,
            reason=outcome.reason.strip(),
            created_at=self.now,
        )
        self.session.add(dispute)
        set_status(self.account, AccountStatus.DISPUTED, self.now)
        cancel_pending_contact(
            self.session,
            account_id=self.account.id,
            now=self.now,
            reason="dispute opened",
            except_attempt_id=self.outcome.attempt_id,
        )
        self.session.flush()
        return {"dispute_id": dispute.id}

    def callback(self, outcome: CallbackIn) -> dict[str, object]:
        debtor = self.account.debtor
        zone = ZoneInfo(debtor.timezone)
        at = outcome.callback_at
        local = at.replace(tzinfo=zone) if at.tzinfo is None else at.astimezone(zone)
        due_at = local.astimezone(ZoneInfo("UTC"))
        shown = local.strftime("%Y-%m-%d %H:%M")
        if not self.now < due_at <= self.now + MAX_CALLBACK_AHEAD:
            raise CallbackTimeInvalid(
                _(
                    "The callback time {local} (the debtor's time) must be in the next "
                    "{days} days; choose another time."
                ),
                local=shown,
                days=MAX_CALLBACK_AHEAD.days,
            )
        zones = debtor_zones(debtor)
        if closed_in_zones(effective_profile(self.client), zones, debtor.country, due_at):
            raise CallbackTimeInvalid(
                _(
                    "The callback time {local} (the debtor's time) is outside the hours or days "
                    "the debtor may be called; choose a time inside the contact window."
                ),
                local=shown,
            )
        if outcome.personal and self.agent_id is None:
            raise AgentRequired(_("A personal callback needs the agent who will make it."))
        callback = Callback(
            client_id=self.account.client_id,
            account_id=self.account.id,
            outcome_id=self.outcome.id,
            contact_point_id=self.point.id if self.point else None,
            owner_agent_id=self.agent_id if outcome.personal else None,
            due_at=due_at,
            created_at=self.now,
        )
        self.session.add(callback)
        self.session.flush()
        return {
            "callback_id": callback.id,
            "due_at": due_at.isoformat(),
            "personal": outcome.personal,
        }

    def _require_point(self) -> ContactPoint:
        if self.point is None:
            raise ContactPointRequired(
                _("Choose the phone number or address this outcome is about.")
            )
        return self.point

    def wrong_number(self) -> dict[str, object]:
        point = self._require_point()
        mark_invalid(
            self.session,
            contact_point=point,
            reason="wrong number",
            source=self.source,
            at=self.now,
        )
        refresh_debtor_zones(self.session, debtor=self.account.debtor)  # not the debtor's phone
        cancel_pending_contact(
            self.session,
            account_id=self.account.id,
            now=self.now,
            reason="wrong number",
            contact_point_id=point.id,
            except_attempt_id=self.outcome.attempt_id,
        )
        return {"contact_point_id": point.id}

    def do_not_contact(self) -> dict[str, object]:
        point = self._require_point()
        channels = (Channel.EMAIL,) if point.kind == ContactKind.EMAIL else PHONE_CHANNELS
        stop_channels(
            self.session, contact_point=point, channels=channels, source=self.source, at=self.now
        )
        listed = self.session.scalar(
            select(DoNotContact.id).where(
                DoNotContact.client_id == self.account.client_id, DoNotContact.value == point.value
            )
        )
        if listed is None:
            self.session.add(
                DoNotContact(
                    client_id=self.account.client_id,
                    value=point.value,
                    reason="the person asked not to be contacted",
                    source=self.source,
                    created_at=self.now,
                )
            )
        cancel_pending_contact(
            self.session,
            account_id=self.account.id,
            now=self.now,
            reason="do not contact",
            contact_point_id=point.id,
            except_attempt_id=self.outcome.attempt_id,
        )
        return {"contact_point_id": point.id, "channels": [str(c) for c in channels]}

    def deceased(self) -> dict[str, object]:
        self._supersede("debtor deceased")
        self.session.add(
            DoNotContact(
                client_id=self.account.client_id,
                debtor_id=self.account.debtor_id,
                reason="debtor deceased",
                source=self.source,
                created_at=self.now,
            )
        )
        set_status(self.account, AccountStatus.CLOSED, self.now)
        return {}
