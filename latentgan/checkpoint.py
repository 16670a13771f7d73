"""Checkpoints: complete training state written atomically and loaded without running any code."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import torch

from latentgan.errors import CheckpointError
from latentgan.files import atomic_write

FORMAT = "latentgan-checkpoint"
VERSION = 1
_NAME = re.compile(r"^step_(\d+)\.pt$")


def checkpoint_path(directory: Path, step: int) -> Path:
    """Where the checkpoint of a given step lives: checkpoints/step_0000500.pt."""
    return directory / f"step_{step:07d}.pt"


def checkpoint_step(path: Path) -> int:
    """The step a checkpoint file holds, from its name (step_0000500.pt -> 500)."""
    match = _NAME.match(Path(path).name)
    if match is None:
        raise CheckpointError(f"'{path}' is not named like a checkpoint (step_NNNNNNN.pt)")
    return int(match.group(1))


def list_checkpoints(directory: Path) -> list[Path]:
    """Checkpoint files in a directory, oldest step first (temporary files are ignored)."""
    if not directory.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in directory.iterdir() if (m := _NAME.match(p.name))]
    return [p for _, p in sorted(found)]


def rng_state() -> dict:
    """Every random generator a run draws from, as tensors and plain values (weights_only-loadable)."""
    np_state = np.random.get_state()
    state = {
        "torch": torch.get_rng_state(),
        "numpy": {"keys": torch.from_numpy(np_state[1].astype(np.int64)), "pos": int(np_state[2]),
                  "has_gauss": int(np_state[3]), "gauss": float(np_state[4])},
        "python": list(random.getstate()[1]),
        "python_version": random.getstate()[0],
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    """Restore what rng_state returned."""
    torch.set_rng_state(state["torch"])
    np_state = state["numpy"]
    np.random.set_state(("MT19937", np_state["keys"].numpy().astype(np.uint32), np_state["pos"],
                         np_state["has_gauss"], np_state["gauss"]))
    random.setstate((state["python_version"], tuple(state["python"]), None))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(directory: Path, step: int, payload: dict, keep: int) -> Path:
    """Write step's checkpoint atomically, then delete all but the newest `keep` ones.

    A failed write (disk full, ...) is a CheckpointError; the earlier checkpoints are untouched and no
    file is left under the new name. Temporary files of writes cut short by a kill are removed.
    """
    path = checkpoint_path(directory, step)
    payload = {"format": FORMAT, "version": VERSION, "step": step, **payload}
    try:
        atomic_write(path, lambda f: torch.save(payload, f))
    except OSError as e:
        raise CheckpointError(f"cannot write checkpoint '{path}' ({e.strerror or e}); the earlier checkpoints "
                              "are kept — free some space and continue with `latentgan resume`") from e
    for old in list_checkpoints(directory)[:-keep]:
        old.unlink(missing_ok=True)
    for stale in directory.glob(".step_*.pt.*.tmp"):
        stale.unlink(missing_ok=True)  # left by a process killed mid-write; one writer per run directory
    return path


def read_checkpoint(path: Path) -> dict:
    """Load one checkpoint with weights_only=True; a corrupt or foreign file is a CheckpointError."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError as e:
        raise CheckpointError(f"checkpoint '{path}' does not exist") from e
    except Exception as e:
        raise CheckpointError(f"checkpoint '{path}' cannot be read ({type(e).__name__}); it is truncated, "
                              "corrupt or not a latentgan checkpoint — delete it to fall back to an "
                              "earlier one") from e
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"'{path}' is not a latentgan checkpoint")
    if state.get("version", 0) > VERSION:
        raise CheckpointError(f"checkpoint '{path}' has format version {state['version']}, newer than this "
                              f"latentgan understands ({VERSION}); upgrade latentgan")
    return state


def load_latest_checkpoint(directory: Path, warn=print) -> dict:
    """The newest checkpoint that loads; unreadable newer ones are reported and skipped."""
    candidates = list_checkpoints(directory)
    if not candidates:
        raise CheckpointError(f"no checkpoint in '{directory}'; the run was stopped before its first "
                              f"checkpoint — delete '{directory.parent}' and start it again with `latentgan train`")
    errors = []
    for path in reversed(candidates):
        try:
            return read_checkpoint(path)
        except CheckpointError as e:
            warn(f"warning: {e}; trying an earlier checkpoint")
            errors.append(e)
    raise CheckpointError(f"none of the {len(candidates)} checkpoints in '{directory}' can be read (newest: "
                          f"{errors[0]}); start the run again with `latentgan train`")
