"""Stopping a run cleanly on SIGINT/SIGTERM: finish the step, write a checkpoint, say how to resume.

The first signal only raises a flag the training loop reads after each step; a second one stops at
once (KeyboardInterrupt), which is still safe because checkpoints are written atomically.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from latentgan.errors import LatentganError

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class TrainingInterrupted(LatentganError):
    """Training stopped on a signal after writing a checkpoint; the CLI exits with 128 + signal number."""

    def __init__(self, signum: int, step: int, run_dir: Path):
        self.signum, self.step, self.run_dir = signum, step, Path(run_dir)
        super().__init__(f"interrupted at step {step}; resume with: latentgan resume {run_dir}")

    @property
    def exit_code(self) -> int:
        """130 for SIGINT, 143 for SIGTERM: the shell's convention for a process ended by a signal."""
        return 128 + self.signum


class StopSignals:
    """Context manager: while active, SIGINT/SIGTERM set `received` instead of stopping the process.

    Handlers are installed only in the main thread (Python allows no other) and the previous ones
    are restored on exit, so a library user's own handlers survive `fit`.
    """

    def __init__(self):
        self.received: int | None = None
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, frame) -> None:
        if self.received is not None:
            raise KeyboardInterrupt  # a second signal: stop now; the newest checkpoint is intact
        self.received = signum

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
