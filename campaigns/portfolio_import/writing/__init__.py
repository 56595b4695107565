"""Writing a portfolio file's valid rows: plans in memory, then set-based statements."""

from campaigns.portfolio_import.writing.writer import ProgressCallback, Writer

__all__ = ["ProgressCallback", "Writer"]
