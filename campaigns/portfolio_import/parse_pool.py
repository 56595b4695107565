"""Checking a file's rows in several processes, for the command line only.

A web upload is checked in its own process (`check_rows`, one at a time): a request never starts
processes. The `acuerdo import` command opens a `ParsePool` with one process per core and hands
it to `import_portfolio`, which then writes one batch while the pool checks the next ones.

Rows go out in pieces of `PIECE` rows and at most `AHEAD` rows are out at once, so memory stays
flat whatever the file's size; results come back in file order. `AHEAD` is more than the import
writes at a time, so the workers check the whole next batch while one is written (with three
pieces per process, the writer waited for the checks for 14% of a 100k-row import). The workers are
forked and die with their parent, even after a SIGKILL (they watch their parent's pid).
"""

import gc
import multiprocessing
import os
import pickle
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from multiprocessing.pool import AsyncResult, Pool
from types import TracebackType

from campaigns.bulk_collector import cycle_collector_paused
from campaigns.portfolio_import.rows import CheckedRow, FileContext, check_rows
from campaigns.tabular import ColumnMap

PIECE = 2000
AHEAD = 30_000  # rows; the import writes 20,000 at a time (service.IMPORT_BATCH)
Rows = Iterable[tuple[int, list[str]]]


class ParsePool:
    """Worker processes that check rows; use it as a context manager."""

    def __init__(self, processes: int | None = None) -> None:
        self.processes = processes or os.cpu_count() or 1
        self._pool: Pool | None = None

    def __enter__(self) -> "ParsePool":
        context = multiprocessing.get_context("fork")
        self._pool = context.Pool(
            self.processes, initializer=_start_worker, initargs=(os.getpid(),)
        )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def checked(self, rows: Rows, columns: ColumnMap, context: FileContext) -> Iterator[CheckedRow]:
        """Every row checked, in file order, checked by the workers."""
        if self._pool is None:
            raise RuntimeError("ParsePool used outside its `with` block")
        pending: deque[AsyncResult[bytes]] = deque()
        iterator = iter(rows)
        while True:
            while len(pending) * PIECE < AHEAD and (piece := list(islice(iterator, PIECE))):
                pending.append(self._pool.apply_async(_check_piece, (piece, columns, context)))
            if not pending:
                return
            yield from pickle.loads(pending.popleft().get())


def _check_piece(
    piece: list[tuple[int, list[str]]], columns: ColumnMap, context: FileContext
) -> bytes:
    """A piece's checked rows, pickled here with the cyclic collector paused: a piece's few
    thousand results otherwise trigger collections that walk them (parsing alone runs 13%
    faster without); the few cycles a piece leaves (a rejected value's exception) go at the
    next pass."""
    with cycle_collector_paused():
        return pickle.dumps(check_rows(piece, columns, context), protocol=pickle.HIGHEST_PROTOCOL)


def _start_worker(parent: int) -> None:
    """A worker keeps the heap it inherited out of the garbage collector's passes (they walked
    it for every few pieces, and touched its pages, which the fork shares until written), and
    dies with its parent."""
    gc.freeze()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
