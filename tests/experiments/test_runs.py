import pytest
import torch

from latentgan.errors import ConfigError
from latentgan.experiments.runs import train_or_continue
from tests.conftest import small_ring_config


def _weights(run, step):
    return torch.load(run / "checkpoints" / f"step_{step:07d}.pt", weights_only=True)["model"]


def test_an_experiment_run_is_reused_when_done_continued_when_stopped_and_restarted_when_empty(tmp_path):
    config = small_ring_config(tmp_path, steps=6, checkpoint_every=3)
    run = tmp_path / "run"
    train_or_continue(config, run)
    final = run / "checkpoints" / "step_0000006.pt"
    done = final.stat().st_mtime_ns
    assert train_or_continue(config, run) == run and final.stat().st_mtime_ns == done  # reused as it is
    middle = run / "checkpoints" / "step_0000003.pt"
    kept = middle.stat().st_mtime_ns
    final.unlink()  # stopped after step 3: continued from there, not started over
    train_or_continue(config, run)
    assert final.exists() and middle.stat().st_mtime_ns == kept
    for ckpt in (run / "checkpoints").iterdir():
        ckpt.unlink()  # stopped before its first checkpoint: nothing to continue, so it starts over
    (run / "stale.txt").write_text("left by the stopped run")
    train_or_continue(config, run)
    assert final.exists() and not (run / "stale.txt").exists()


def test_a_shorter_run_grows_into_the_longer_budget_and_ends_where_a_fresh_run_does(tmp_path):
    short, long = (small_ring_config(tmp_path / name, steps=steps, checkpoint_every=3) for name, steps in
                   (("grown", 6), ("fresh", 12)))
    grown = train_or_continue(short, tmp_path / "grown" / "run")
    train_or_continue(small_ring_config(tmp_path / "grown", steps=12, checkpoint_every=3), grown)
    fresh = train_or_continue(long, tmp_path / "fresh" / "run")
    a, b = _weights(grown, 12), _weights(fresh, 12)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    with pytest.raises(ConfigError, match="beyond the 6 steps asked for"):
        train_or_continue(short, grown)  # a longer run is never overwritten by a shorter budget


def test_a_shorter_run_with_a_step_dependent_schedule_is_started_over(tmp_path):
    short = small_ring_config(tmp_path, steps=6, checkpoint_every=3, lr_decay="linear")
    run = train_or_continue(short, tmp_path / "run")
    first = (run / "checkpoints" / "step_0000006.pt").stat().st_mtime_ns
    train_or_continue(small_ring_config(tmp_path, steps=12, checkpoint_every=3, lr_decay="linear"), run)
    # The decay spans the whole run, so step 6 of a 12-step run differs: trained again from step 0.
    assert (run / "checkpoints" / "step_0000012.pt").exists()
    assert (run / "checkpoints" / "step_0000006.pt").stat().st_mtime_ns != first
