"""Portfolio import: creditors' files in, accounts, debtors and contact points out."""

from campaigns.portfolio_import.service import ImportSummary, import_portfolio

__all__ = ["ImportSummary", "import_portfolio"]
