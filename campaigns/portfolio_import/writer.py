"""Writing the valid rows of a portfolio file: plan every insert and update, then run them in a
few bulk statements (a 100k-row file takes seconds, not one query per row)."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from campaigns.debtor_zones.candidates import candidate_zones, encode_zones
from campaigns.models import (
    Account,
    AccountStatus,
    Channel,
    ChannelPermission,
    Client,
    ContactKind,
    ContactPoint,
    Debtor,
)
from campaigns.portfolio_import.rows import ParsedRow, Point

ESCALATION_DAYS = 90
WRITE_BATCH = 5000
QUERY_CHUNK = 500

ProgressCallback = Callable[[int, int], None]
T = TypeVar("T")
_DEBTORS = cast(Table, Debtor.__table__)
_CONTACT_POINTS = cast(Table, ContactPoint.__table__)
_PERMISSIONS = cast(Table, ChannelPermission.__table__)
_ACCOUNTS = cast(Table, Account.__table__)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _PointPlan:
    id: int | None
    whatsapp: str = "none"  # none | opted_in | opted_out | pending (a row without a consent time)
    whatsapp_permission_id: int | None = None


@dataclass
class _DebtorPlan:
    id: int | None
    name: str
    national_id: str | None
    region: str | None
    stated_timezone: str | None
    timezone: str = ""
    timezones: str = ""
    changed: bool = False
    refreshed: bool = False
    points: dict[tuple[str, str], _PointPlan] = field(default_factory=dict)
    next_priority: int = 0
    phones: list[str] = field(default_factory=list)  # valid phones, priority order: zone evidence


class Writer:
    """Plans every insert and update for the valid rows, then runs them in a few bulk statements."""

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
        # Rows in the file when the reader knows them (a CSV); else the rows read so far.
        self.expected_rows: int | None = None
        # Debtors already refreshed from an earlier batch of the same file keep that refresh.
        self.refreshed_ids: set[int] = set()

    def write(self, rows: list[ParsedRow], *, read: int | None = None) -> None:
        """Write one batch of valid rows out of `read` rows (a file is written in batches)."""
        self.batch_read = len(rows) if read is None else read
        accounts = self._existing_accounts([r.account_ref for r in rows])
        debtors = self._plan_debtors(rows, accounts)
        self._load_points({id(d): d for d in debtors if d.id is not None}.values())
        self._plan_zones(rows, debtors)
        self._insert_debtors(debtors)
        touched = self._write_points(rows, debtors)
        self._write_accounts(rows, debtors, accounts, touched)
        self.refreshed_ids.update(d.id for d in debtors if d.id is not None)

    def _existing_accounts(self, refs: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for chunk in _chunks(refs, QUERY_CHUNK):
            query = select(
                Account.id,
                Account.account_ref,
                Account.debtor_id,
                Account.product,
                Account.balance,
                Account.currency,
                Account.due_date,
                Account.status,
            ).where(Account.client_id == self.client.id, Account.account_ref.in_(chunk))
            for account in self.session.execute(query):
                found[account.account_ref] = account
        return found

    def _existing_debtors(self, condition_values: list[Any], by_id: bool) -> list[_DebtorPlan]:
        plans: list[_DebtorPlan] = []
        column = Debtor.id if by_id else Debtor.national_id
        for chunk in _chunks(condition_values, QUERY_CHUNK):
            query = select(
                Debtor.id,
                Debtor.name,
                Debtor.national_id,
                Debtor.region,
                Debtor.stated_timezone,
                Debtor.timezone,
                Debtor.timezones,
            ).where(Debtor.client_id == self.client.id, column.in_(chunk))
            for d in self.session.execute(query):
                plan = _DebtorPlan(*d)
                plan.refreshed = d.id in self.refreshed_ids
                plans.append(plan)
        return plans

    def _plan_debtors(self, rows: list[ParsedRow], accounts: dict[str, Any]) -> list[_DebtorPlan]:
        national_ids = sorted({r.national_id for r in rows if r.national_id})
        by_nid = {d.national_id: d for d in self._existing_debtors(national_ids, by_id=False)}
        account_debtor_ids = sorted({a.debtor_id for a in accounts.values()})
        known = {d.id: d for d in by_nid.values()}
        missing = [i for i in account_debtor_ids if i not in known]
        by_id = known | {d.id: d for d in self._existing_debtors(missing, by_id=True)}
        plans: list[_DebtorPlan] = []
        for row in rows:
            debtor = by_nid.get(row.national_id) if row.national_id else None
            account = accounts.get(row.account_ref)
            if debtor is None and account is not None:
                candidate = by_id[account.debtor_id]
                if row.national_id is None or candidate.national_id in (None, row.national_id):
                    debtor = candidate
                    if row.national_id and candidate.national_id is None:
                        candidate.national_id, candidate.changed = row.national_id, True
                        by_nid[row.national_id] = candidate
            if debtor is None:
                debtor = _DebtorPlan(
                    None, row.name, row.national_id, row.region, row.stated_timezone
                )
                debtor.refreshed = True
                if row.national_id:
                    by_nid[row.national_id] = debtor
            elif not debtor.refreshed:
                debtor.refreshed = True
                fresh = (
                    row.name,
                    row.region or debtor.region,
                    row.stated_timezone or debtor.stated_timezone,
                )
                if fresh != (debtor.name, debtor.region, debtor.stated_timezone):
                    debtor.name, debtor.region, debtor.stated_timezone = fresh
                    debtor.changed = True
            plans.append(debtor)
        return plans

    def _plan_zones(self, rows: list[ParsedRow], debtors: list[_DebtorPlan]) -> None:
        """Every debtor's candidate zones from its stated zone, region and phones (old and new)."""
        for row, debtor in zip(rows, debtors, strict=True):
            debtor.phones.extend(p.value for p in row.points if p.kind == ContactKind.PHONE)
        for debtor in {id(d): d for d in debtors}.values():
            zones = candidate_zones(
                stated=debtor.stated_timezone,
                region=debtor.region,
                country=self.client.country,
                phones=dict.fromkeys(debtor.phones),
                creditor_zone=self.client.timezone,
            )
            stored = encode_zones(zones)
            if stored != debtor.timezones:
                debtor.timezone, debtor.timezones = zones[0], stored
                debtor.changed = debtor.changed or debtor.id is not None

    def _load_points(self, debtors: Iterable[_DebtorPlan]) -> None:
        by_id = {d.id: d for d in debtors}
        point_owner: dict[int, _PointPlan] = {}
        for chunk in _chunks(sorted(i for i in by_id if i is not None), QUERY_CHUNK):
            query = (
                select(
                    ContactPoint.id,
                    ContactPoint.debtor_id,
                    ContactPoint.kind,
                    ContactPoint.value,
                    ContactPoint.priority,
                    ContactPoint.invalid,
                )
                .where(ContactPoint.debtor_id.in_(chunk))
                .order_by(ContactPoint.priority, ContactPoint.id)
            )
            for p in self.session.execute(query):
                debtor = by_id[p.debtor_id]
                if p.kind == ContactKind.PHONE and not p.invalid:
                    debtor.phones.append(p.value)
                plan = _PointPlan(p.id)
                debtor.points[(p.kind, p.value)] = plan
                debtor.next_priority = max(debtor.next_priority, p.priority + 1)
                point_owner[p.id] = plan
        for ids in _chunks(sorted(point_owner), QUERY_CHUNK):
            permissions = select(
                ChannelPermission.id,
                ChannelPermission.contact_point_id,
                ChannelPermission.opted_in_at,
                ChannelPermission.opted_out_at,
            ).where(
                ChannelPermission.channel == Channel.WHATSAPP,
                ChannelPermission.contact_point_id.in_(ids),
            )
            for perm in self.session.execute(permissions):
                plan = point_owner[perm.contact_point_id]
                plan.whatsapp_permission_id = perm.id
                plan.whatsapp = (
                    "opted_out"
                    if perm.opted_out_at
                    else "opted_in"
                    if perm.opted_in_at
                    else "pending"
                )

    def _insert_returning_ids(self, table: Table, rows: list[dict[str, Any]]) -> list[int]:
        """Insert rows and return their ids in order, in one statement per batch.

        SQLite cannot return ids in parameter order from a multi-row insert (SQLAlchemy then falls
        back to one statement per row), so there the ids are given explicitly: the transaction
        began with BEGIN IMMEDIATE and already wrote the portfolio, so no other writer can take the
        same ids before it commits.
        """
        if self.session.get_bind().dialect.name == "sqlite":
            start = (self.session.scalar(select(func.max(table.c.id))) or 0) + 1
            ids = list(range(start, start + len(rows)))
            self.session.execute(
                insert(table),
                [{**row, "id": new_id} for row, new_id in zip(rows, ids, strict=True)],
            )
            return ids
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(self.session.scalars(statement, rows).all())

    def _insert_debtors(self, plans: list[_DebtorPlan]) -> None:
        new = list({id(d): d for d in plans if d.id is None}.values())
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
        for chunk, debtors in zip(
            _chunks(values, WRITE_BATCH), _chunks(new, WRITE_BATCH), strict=True
        ):
            ids = self._insert_returning_ids(_DEBTORS, list(chunk))
            for debtor, new_id in zip(debtors, ids, strict=True):
                debtor.id = new_id
        changed = list({id(d): d for d in plans if d.changed}.values())
        if changed:
            self.session.execute(
                update(Debtor),
                [
                    {
                        "id": d.id,
                        "name": d.name,
                        "national_id": d.national_id,
                        "region": d.region,
                        "stated_timezone": d.stated_timezone,
                        "timezone": d.timezone,
                        "timezones": d.timezones,
                    }
                    for d in changed
                ],
            )

    def _write_points(self, rows: list[ParsedRow], debtors: list[_DebtorPlan]) -> set[int]:
        """Add the contact points and WhatsApp consents that are new; the rows they touched."""
        touched: set[int] = set()
        new_points: list[tuple[_PointPlan, dict[str, Any]]] = []
        for index, (row, debtor) in enumerate(zip(rows, debtors, strict=True)):
            for point in row.points:
                key = (point.kind.value, point.value)
                if key in debtor.points:
                    continue
                plan = _PointPlan(None)
                debtor.points[key] = plan
                new_points.append((plan, self._point_values(debtor, point)))
                debtor.next_priority += 1
                touched.add(index)
        for chunk in _chunks(new_points, WRITE_BATCH):
            ids = self._insert_returning_ids(_CONTACT_POINTS, [values for _plan, values in chunk])
            for (plan, _values), new_id in zip(chunk, ids, strict=True):
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
        for batch in _chunks(consents, WRITE_BATCH):
            self.session.execute(insert(_PERMISSIONS), list(batch))
        if pending:
            self.session.execute(update(ChannelPermission), pending)
        return touched

    def _point_values(self, debtor: _DebtorPlan, point: Point) -> dict[str, Any]:
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
        debtors: list[_DebtorPlan],
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
                new.append(
                    {
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
                )
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
        for chunk in _chunks(new, WRITE_BATCH):
            self.session.execute(insert(_ACCOUNTS), list(chunk))
            done += len(chunk)
            if self.on_progress:
                self.on_progress(done, total)
        for chunk in _chunks(changes, WRITE_BATCH):
            self.session.execute(update(Account), list(chunk))
        self.written = written
        if self.on_progress:
            self.on_progress(written, total)
