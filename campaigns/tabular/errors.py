"""The error every file reader raises for a file it cannot or will not read."""

from campaigns.errors import Invalid


class UnreadableFile(Invalid):
    """The file is empty, has no header row, is not a CSV or XLSX file, or breaks a limit."""
