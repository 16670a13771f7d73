"""Progress for any step longer than a few seconds: a named bar on a terminal, plain lines elsewhere.

On a terminal the bar fits 80 columns; in a log file or CI there are no carriage-return frames, only a line when the
step starts and one when it ends. LATENTGAN_PROGRESS=0 silences both (the test suite and `--quiet` runs).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def enabled() -> bool:
    """Whether progress is shown at all (LATENTGAN_PROGRESS=0 turns it off)."""
    return os.environ.get("LATENTGAN_PROGRESS", "1") != "0"


class _Plain:
    """A bar's interface for a non-terminal: counts silently; the caller prints the start and end lines."""

    def __init__(self, total: int | None):
        self.total, self.n = total, 0

    def update(self, n: int = 1) -> None:
        self.n += n

    def close(self) -> None:
        pass


@contextmanager
def task(description: str, total: int | None = None, unit: str = "it") -> Iterator:
    """A named long step: `with task("FID: features of 10,000 samples", total=10_000, unit="img") as bar:
    bar.update(k)`. A bar on a terminal; else "description ..." and "description: done in 12 s" on stderr."""
    if not enabled():
        yield _Plain(total)
        return
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, desc=description, unit=unit, ncols=80, leave=False, file=sys.stderr)
        try:
            yield bar
        finally:
            bar.close()
        return
    start = time.time()
    print(f"{description} ...", file=sys.stderr, flush=True)
    plain = _Plain(total)
    yield plain
    print(f"{description}: done in {time.time() - start:.0f} s", file=sys.stderr, flush=True)
