import random

import numpy as np
import pytest
import torch

from latentgan.checkpoint import (
    list_checkpoints,
    load_latest_checkpoint,
    read_checkpoint,
    rng_state,
    save_checkpoint,
    set_rng_state,
)
from latentgan.errors import CheckpointError


def test_rng_state_round_trip_restores_every_generator():
    state = rng_state()
    a = (torch.rand(3), np.random.rand(3), random.random())
    set_rng_state(state)
    b = (torch.rand(3), np.random.rand(3), random.random())
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2] == b[2]


def test_save_keeps_newest_and_loads_with_weights_only(tmp_path):
    for step in (1, 2, 3, 4):
        save_checkpoint(tmp_path, step, {"model": {"w": torch.full((2,), float(step))}, "rng": rng_state()},
                        keep=2)
    assert [p.name for p in list_checkpoints(tmp_path)] == ["step_0000003.pt", "step_0000004.pt"]
    assert not list(tmp_path.glob("*.tmp"))
    state = load_latest_checkpoint(tmp_path)
    assert state["step"] == 4 and state["model"]["w"][0].item() == 4.0


def test_truncated_newest_checkpoint_falls_back_to_previous(tmp_path):
    for step in (1, 2):
        save_checkpoint(tmp_path, step, {"x": torch.ones(1000)}, keep=5)
    newest = list_checkpoints(tmp_path)[-1]
    newest.write_bytes(newest.read_bytes()[:100])
    warnings = []
    state = load_latest_checkpoint(tmp_path, warn=warnings.append)
    assert state["step"] == 1 and "step_0000002.pt" in warnings[0]


def test_foreign_and_malicious_files_are_refused(tmp_path):
    torch.save({"hello": 1}, tmp_path / "step_0000001.pt")
    with pytest.raises(CheckpointError, match="not a latentgan checkpoint"):
        read_checkpoint(tmp_path / "step_0000001.pt")

    class Evil:
        def __reduce__(self):
            return (print, ("code ran",))

    torch.save({"format": "latentgan-checkpoint", "evil": Evil()}, tmp_path / "step_0000002.pt")
    with pytest.raises(CheckpointError, match="cannot be read"):
        read_checkpoint(tmp_path / "step_0000002.pt")


def test_empty_directory_says_how_to_start(tmp_path):
    with pytest.raises(CheckpointError, match="latentgan train"):
        load_latest_checkpoint(tmp_path)


def test_atomic_write_gives_ordinary_file_permissions(tmp_path):
    import os

    from latentgan.checkpoint import atomic_write

    umask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "f.txt", lambda f: f.write(b"x"))
    finally:
        os.umask(umask)
    assert (tmp_path / "f.txt").stat().st_mode & 0o777 == 0o644
