import errno

import pytest
import torch

from latentgan.checkpoint import list_checkpoints, load_latest_checkpoint, save_checkpoint
from latentgan.errors import CheckpointError


def test_temporary_files_of_a_killed_write_are_removed_by_the_next_save(tmp_path):
    save_checkpoint(tmp_path, 1, {"w": torch.zeros(2)}, keep=3)
    stale = tmp_path / ".step_0000002.pt.abc123.tmp"  # what a SIGKILL between write and rename leaves
    stale.write_bytes(b"half a checkpoint")
    other = tmp_path / "notes.tmp"
    other.write_text("not ours")
    save_checkpoint(tmp_path, 2, {"w": torch.ones(2)}, keep=3)
    assert not stale.exists() and other.exists()
    assert [p.name for p in list_checkpoints(tmp_path)] == ["step_0000001.pt", "step_0000002.pt"]


def test_a_failed_write_is_a_checkpoint_error_and_leaves_the_earlier_ones(tmp_path, monkeypatch):
    save_checkpoint(tmp_path, 1, {"w": torch.zeros(2)}, keep=3)
    before = (tmp_path / "step_0000001.pt").read_bytes()

    def full_disk(obj, f, *args, **kwargs):
        f.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(torch, "save", full_disk)
    with pytest.raises(CheckpointError, match=r"step_0000002.pt' \(No space left on device\); the earlier "
                                              "checkpoints are kept"):
        save_checkpoint(tmp_path, 2, {"w": torch.ones(2)}, keep=1)  # keep=1 must not prune on failure
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step_0000001.pt"]
    assert (tmp_path / "step_0000001.pt").read_bytes() == before


def test_when_no_checkpoint_loads_the_error_says_why_the_newest_failed(tmp_path):
    for step in (1, 2):
        (tmp_path / f"step_{step:07d}.pt").write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match=r"none of the 2 checkpoints in .* can be read \(newest: checkpoint "
                                              r"'.*step_0000002.pt' cannot be read \(UnpicklingError\)"):
        load_latest_checkpoint(tmp_path, warn=lambda msg: None)
