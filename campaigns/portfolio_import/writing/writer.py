"""Writing the valid rows of a portfolio file: plan every insert and update of a batch in memory,
then run them as a few set-based statements (see `bulk`)."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from campaigns.models import (
    Account,
    AccountStatus,
    Channel,
    ChannelPermission,
    Client,
    ContactPoint,
    Debtor,
)
from campaigns.portfolio_import.rows import ParsedRow, Point
from campaigns.portfolio_import.writing import bulk
from campaigns.portfolio_import.writing.existing import (
    existing_accounts,
    existing_debtors,
    load_points,
)
from campaigns.portfolio_import.writing.plans import (
    DebtorPlan,
    PointPlan,
    distinct,
    plan_debtors,
    plan_zones,
)

ESCALATION_DAYS = 90
# New accounts are written, and progress reported, this many at a time.
WRITE_BATCH = 5000
# After this many new rows, PostgreSQL's statistics are refreshed (ANALYZE).
ANALYZE_AFTER = 10_000

ProgressCallback = Callable[[int, int], None]
DEBTORS = cast(Table, Debtor.__table__)
CONTACT_POINTS = cast(Table, ContactPoint.__table__)
PERMISSIONS = cast(Table, ChannelPermission.__table__)
ACCOUNTS = cast(Table, Account.__table__)


class Writer:
    """Writes a file's valid rows batch by batch, counting what each row did."""

    def __init__(
        self,
        session: Session,
        client: Client,
        portfolio_id: int,
        filename: str,
        today: date,
        now: datetime,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.session = session
        self.client = client
        self.portfolio_id = portfolio_id
        self.opt_in_source = f"import:{filename}"[:80]
        self.today = today
        self.now = now
        self.on_progress = on_progress
        self.imported = self.updated = self.unchanged = self.escalated = 0
        self.written = self.batch_read = 0
        self.inserted_since_analyze = 0
        # Rows in the file when the reader knows them (a CSV); else the rows read so far.
        self.expected_rows: int | None = None
        # Debtors already refreshed from an earlier batch of the same file keep that refresh.
        self.refreshed_ids: set[int] = set()

    def write(self, rows: list[ParsedRow], *, read: int | None = None) -> None:
        """Write one batch of valid rows out of `read` rows (a file is written in batches)."""
        self.batch_read = len(rows) if read is None else read
        client_id = self.client.id
        accounts = existing_accounts(self.session, client_id, [r.account_ref for r in rows])
        national_ids = sorted({r.national_id for r in rows if r.national_id})
        found = existing_debtors(
            self.session, client_id, national_ids, by_id=False, refreshed=self.refreshed_ids
        )
        by_nid = {d.national_id: d for d in found if d.national_id}
        known: dict[int, DebtorPlan] = {d.id: d for d in found if d.id is not None}
        missing = sorted({a.debtor_id for a in accounts.values()} - set(known))
        more = existing_debtors(
            self.session, client_id, missing, by_id=True, refreshed=self.refreshed_ids
        )
        by_id = known | {d.id: d for d in more if d.id is not None}
        debtors = plan_debtors(rows, accounts, by_nid, by_id)
        load_points(self.session, [d for d in distinct(debtors) if d.id is not None])
        plan_zones(self.client, rows, debtors)
        self._write_debtors(debtors)
        touched = self._write_points(rows, debtors)
        self._write_accounts(rows, debtors, accounts, touched)
        self.refreshed_ids.update(d.id for d in debtors if d.id is not None)

    def finish(self) -> None:
        """After the last batch: objects the session holds for rows written in bulk are expired
        (their next read sees the import), and the planner's statistics refreshed if the
        tables grew."""
        written = (Debtor, ContactPoint, ChannelPermission, Account)
        for held in list(self.session.identity_map.values()):
            if isinstance(held, written):
                self.session.expire(held)
        if self.inserted_since_analyze >= ANALYZE_AFTER:
            bulk.analyze(self.session, [DEBTORS, CONTACT_POINTS, PERMISSIONS, ACCOUNTS])

    def _write_debtors(self, plans: list[DebtorPlan]) -> None:
        new = [d for d in distinct(plans) if d.id is None]
        values = [
            {
                "client_id": self.client.id,
                "name": d.name,
                "national_id": d.national_id,
                "region": d.region,
                "country": self.client.country,
                "timezone": d.timezone,
                "timezones": d.timezones,
                "stated_timezone": d.stated_timezone,
                "created_at": self.now,
            }
            for d in new
        ]
        for debtor, new_id in zip(
            new, bulk.insert_with_ids(self.session, DEBTORS, values), strict=True
        ):
            debtor.id = new_id
        changed = [
            {
                "id": d.id,
                "name": d.name,
                "national_id": d.national_id,
                "region": d.region,
                "stated_timezone": d.stated_timezone,
                "timezone": d.timezone,
                "timezones": d.timezones,
            }
            for d in distinct(plans)
            if d.changed
        ]
        bulk.update_by_id(self.session, DEBTORS, changed)

    def _write_points(self, rows: list[ParsedRow], debtors: list[DebtorPlan]) -> set[int]:
        """Add the contact points and WhatsApp consents that are new; the rows they touched."""
        touched: set[int] = set()
        new_plans: list[PointPlan] = []
        new_values: list[dict[str, Any]] = []
        for index, (row, debtor) in enumerate(zip(rows, debtors, strict=True)):
            for point in row.points:
                key = (point.kind.value, point.value)
                if key in debtor.points:
                    continue
                plan = PointPlan(None)
                debtor.points[key] = plan
                new_plans.append(plan)
                new_values.append(self._point_values(debtor, point))
                debtor.next_priority += 1
                touched.add(index)
        for plan, new_id in zip(
            new_plans, bulk.insert_with_ids(self.session, CONTACT_POINTS, new_values), strict=True
        ):
            plan.id = new_id
        consents: list[dict[str, Any]] = []
        pending: list[dict[str, Any]] = []
        for index, (row, debtor) in enumerate(zip(rows, debtors, strict=True)):
            if row.whatsapp_point is None:
                continue
            plan = debtor.points[(row.whatsapp_point.kind.value, row.whatsapp_point.value)]
            if plan.whatsapp in ("opted_in", "opted_out"):
                continue
            values = {"opted_in_at": self.now, "opt_in_source": self.opt_in_source}
            if plan.whatsapp == "pending":
                pending.append({"id": plan.whatsapp_permission_id, **values})
            else:
                consents.append(
                    {
                        "client_id": self.client.id,
                        "contact_point_id": plan.id,
                        "channel": Channel.WHATSAPP,
                        **values,
                    }
                )
            plan.whatsapp = "opted_in"
            touched.add(index)
        bulk.insert_rows(self.session, PERMISSIONS, consents)
        bulk.update_by_id(self.session, PERMISSIONS, pending)
        self.inserted_since_analyze += len(new_values) + len(consents)
        return touched

    def _point_values(self, debtor: DebtorPlan, point: Point) -> dict[str, Any]:
        return {
            "client_id": self.client.id,
            "debtor_id": debtor.id,
            "kind": point.kind,
            "value": point.value,
            "line_type": point.line_type,
            "priority": debtor.next_priority,
            "source_column": point.column[:60],
            "invalid": False,
            "created_at": self.now,
        }

    def _write_accounts(
        self,
        rows: list[ParsedRow],
        debtors: list[DebtorPlan],
        accounts: dict[str, Any],
        touched: set[int],
    ) -> None:
        new: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for index, (row, debtor) in enumerate(zip(rows, debtors, strict=True)):
            overdue = (self.today - row.due_date).days > ESCALATION_DAYS
            account = accounts.get(row.account_ref)
            if account is None:
                status = AccountStatus.ESCALATED if overdue else AccountStatus.ACTIVE
                new.append(self._account_values(row, debtor, status))
                self.imported += 1
            else:
                status = account.status
                if status == AccountStatus.ACTIVE and overdue:
                    status = AccountStatus.ESCALATED
                wanted = {
                    "debtor_id": debtor.id,
                    "product": row.product or account.product,
                    "balance": row.balance,
                    "due_date": row.due_date,
                    "status": status,
                }
                diff = {k: v for k, v in wanted.items() if getattr(account, k) != v}
                if diff:
                    if "status" in diff:
                        diff["status_changed_at"] = self.now
                    changes.append({"id": account.id, "updated_at": self.now, **diff})
                if diff or debtor.changed or index in touched:
                    self.updated += 1
                else:
                    self.unchanged += 1
            if status == AccountStatus.ESCALATED:
                self.escalated += 1
        written = self.written + self.batch_read
        total, done = max(written, self.expected_rows or 0), self.written
        for chunk in bulk.chunks(new, WRITE_BATCH):
            bulk.insert_rows(self.session, ACCOUNTS, chunk)
            done += len(chunk)
            if self.on_progress:
                self.on_progress(done, total)
        bulk.update_by_id(self.session, ACCOUNTS, changes)
        self.inserted_since_analyze += len(new)
        self.written = written
        if self.on_progress:
            self.on_progress(written, total)

    def _account_values(
        self, row: ParsedRow, debtor: DebtorPlan, status: AccountStatus
    ) -> dict[str, Any]:
        return {
            "client_id": self.client.id,
            "portfolio_id": self.portfolio_id,
            "debtor_id": debtor.id,
            "account_ref": row.account_ref,
            "product": row.product,
            "original_balance": row.balance,
            "balance": row.balance,
            "currency": self.client.currency,
            "due_date": row.due_date,
            "status": status,
            "status_changed_at": self.now,
            "extra": {},
            "created_at": self.now,
        }
