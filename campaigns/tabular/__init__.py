"""Reading the tables creditors send (CSV or XLSX), defensively, and matching their columns.

Used by the portfolio and payments imports.
"""

from campaigns.tabular.cells import cell_text
from campaigns.tabular.columns import (
    Column,
    ColumnMap,
    MissingColumn,
    map_columns,
    normalise_header,
    require_columns,
)
from campaigns.tabular.errors import UnreadableFile
from campaigns.tabular.reading import (
    FileLimits,
    Table,
    TableStream,
    decode_text,
    detect_delimiter,
    detect_encoding,
    open_table,
    read_table,
)

__all__ = [
    "Column",
    "ColumnMap",
    "FileLimits",
    "MissingColumn",
    "Table",
    "TableStream",
    "UnreadableFile",
    "cell_text",
    "decode_text",
    "detect_delimiter",
    "detect_encoding",
    "map_columns",
    "normalise_header",
    "open_table",
    "read_table",
    "require_columns",
]
