"""Lists a creditor (or the BPO) sends besides portfolios and payments: do-not-contact lists and
withdrawals (accounts the creditor takes back). Each gives counts and the same rejects report as
the other imports (row, column, value, reason)."""

from campaigns.list_uploads.do_not_contact import import_do_not_contact
from campaigns.list_uploads.summary import ListUploadSummary
from campaigns.list_uploads.withdrawals import import_withdrawals

__all__ = ["ListUploadSummary", "import_do_not_contact", "import_withdrawals"]
