"""The rejects report: every problem of a file, in the creditor's language, as a CSV."""

import io

from campaigns.i18n import _, translate
from campaigns.portfolio_import.rows import Problem
from campaigns.safe_export import SafeCsvWriter


def rejects_csv(problems: list[Problem], locale: str) -> str:
    """The rejects report in the creditor's language: row, column, value, reason, result."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            translate(locale, h)
            for h in (_("Row"), _("Column"), _("Value"), _("Reason"), _("Result"))
        ]
    )
    rejected, ignored = translate(locale, _("row rejected")), translate(locale, _("value ignored"))
    for problem in sorted(problems, key=lambda p: p.row):
        writer.writerow(
            [
                problem.row,
                problem.column,
                problem.value,
                translate(locale, problem.message, **problem.params),
                rejected if problem.rejects_row else ignored,
            ]
        )
    return buffer.getvalue()
