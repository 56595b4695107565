"""Importing the payments file a creditor sends: each payment recorded once, balances reduced,
promises and instalments kept, and every contact with a settled account stopped at once.

The file is read by the same tolerant reader as portfolios (CSV in any common encoding and
delimiter, or XLSX). Columns: account ref, amount, date, reference (docs/agreements.md). A payment
is identified by (creditor, reference): importing the same file again records nothing new. Bad
rows are rejected with row, column, value and reason, like the portfolio import.
"""

from campaigns.agreements.payments.service import PaymentImportSummary, import_payments

__all__ = ["PaymentImportSummary", "import_payments"]
