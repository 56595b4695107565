"""What a list upload did, and reading its rows."""

from dataclasses import dataclass, field
from typing import Any

from campaigns.portfolio_import.rows import Problem
from campaigns.tabular import ColumnMap


@dataclass(frozen=True)
class ListUploadSummary:
    """Counts a manager can check against the file, and the rejects report."""

    filename: str
    rows_read: int
    applied: int
    already: int
    rejected: int
    accounts_affected: int
    attempts_cancelled: int
    rejects_csv: str
    unused_columns: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The counts, for the audit trail."""
        return {
            "rows_read": self.rows_read,
            "applied": self.applied,
            "already": self.already,
            "rejected": self.rejected,
            "accounts_affected": self.accounts_affected,
            "attempts_cancelled": self.attempts_cancelled,
        }


class Row:
    """The cells of one row by field, and the problems that reject it."""

    def __init__(
        self, number: int, cells: list[str], columns: ColumnMap, headers: list[str]
    ) -> None:
        self.number, self.cells, self.columns, self.headers = number, cells, columns, headers
        self.problems: list[Problem] = []

    def cell(self, name: str) -> str:
        """The row's cell for a field ('' when the file has no such column)."""
        position = self.columns.first(name)
        if position is None or position >= len(self.cells):
            return ""
        return self.cells[position].strip()

    def problem(self, name: str, message: str, /, **params: Any) -> None:
        """Reject the row because of one field's cell."""
        position = self.columns.first(name)
        header = self.headers[position] if position is not None else name
        self.problems.append(Problem(self.number, header, self.cell(name), message, params, True))
