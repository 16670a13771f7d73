import math

import pytest
import torch
from torch import nn

import latentgan
from latentgan.checkpoint import list_checkpoints, read_checkpoint
from latentgan.cli import main
from latentgan.models.registry import get_model_entry
from latentgan.train.divergence import DivergenceError, DivergenceGuard
from tests.conftest import small_ring_config


def _poison_discriminator(monkeypatch, from_step: int, times: int | None = None) -> list[int]:
    """From step `from_step` on (at most `times` times), fill D's first weight with NaN before the step."""
    cls = get_model_entry("gan").model_class
    original, poisoned = cls.training_step, []

    def training_step(self, batch, step):
        if step >= from_step and (times is None or len(poisoned) < times):
            poisoned.append(step)
            with torch.no_grad():
                next(self.discriminator.parameters()).fill_(math.nan)
        return original(self, batch, step)

    monkeypatch.setattr(cls, "training_step", training_step)
    return poisoned


def test_nan_stops_with_step_and_network_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    _poison_discriminator(monkeypatch, from_step=33)
    with pytest.raises(DivergenceError) as caught:
        latentgan.train(small_ring_config(tmp_path))
    message = str(caught.value)
    # by the check at step 40 the NaN has spread from D (poisoned before step 34) into G as well
    assert message.startswith("training diverged at step 34: d_loss, g_loss became NaN/Inf; network "
                              "'generator' has NaN/Inf values (first: generator.")
    assert "; network 'discriminator' has NaN/Inf values (first: discriminator." in message
    assert f"the last good checkpoint is kept: {tmp_path / 'run' / 'checkpoints' / 'step_0000020.pt'}" in message
    assert caught.value.step == 34
    assert [c.name for c in list_checkpoints(tmp_path / "run" / "checkpoints")] == ["step_0000020.pt"]
    model = latentgan.load(tmp_path / "run")
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_cli_reports_divergence_in_one_line(tmp_path, monkeypatch, capsys):
    _poison_discriminator(monkeypatch, from_step=5)
    args = ["train", "--model", "gan", "--data", "ring", "--steps", "30", "--quiet", "--device", "cpu",
            "--set", "model.latent_dim=2", "--set", "train.log_every=10", "--out", str(tmp_path / "run")]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("latentgan: error: training diverged at step 6:") and "\n" not in err
    assert "no checkpoint had been written yet" in err


def test_rollback_lowers_the_learning_rates_and_finishes(tmp_path, monkeypatch, capsys):
    poisoned = _poison_discriminator(monkeypatch, from_step=33, times=1)
    run = latentgan.train(small_ring_config(tmp_path, on_divergence="rollback", rollback_lr_factor=0.25))
    assert poisoned == [33]
    assert "rolled back to step 20 with learning rates x0.25 (rollback 1 of at most 3)" in capsys.readouterr().out
    final = read_checkpoint(run / "checkpoints" / "step_0000060.pt")
    assert final["divergence"] == {"rollbacks": 1, "lr_scale": 0.25}
    for state in final["training"]["optimizers"].values():
        assert [g["lr"] for g in state["param_groups"]] == [2e-4 * 0.25]
    assert all(torch.isfinite(p).all() for p in latentgan.load(run).parameters())
    steps = [line for line in (run / "metrics.jsonl").read_text().splitlines() if '"d_loss"' in line]
    assert len(steps) == 6 and "NaN" not in "".join(steps)  # the diverged log lines were dropped


def test_rollback_gives_up_after_max_rollbacks(tmp_path, monkeypatch):
    poisoned = _poison_discriminator(monkeypatch, from_step=25)
    with pytest.raises(DivergenceError, match=r"gave up after 2 rollback\(s\), train.max_rollbacks"):
        latentgan.train(small_ring_config(tmp_path, on_divergence="rollback", max_rollbacks=2))
    assert poisoned.count(25) == 3  # each of the 2 rollbacks went back to step 20 and met the NaN again


def test_rollback_without_a_checkpoint_says_so(tmp_path, monkeypatch):
    _poison_discriminator(monkeypatch, from_step=3)
    with pytest.raises(DivergenceError, match="cannot roll back: no checkpoint in"):
        latentgan.train(small_ring_config(tmp_path, on_divergence="rollback"))


class _Pair(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder, self.decoder = nn.Linear(2, 2), nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))


def test_guard_names_the_network_and_the_loss(tmp_path):
    model = _Pair()
    guard = DivergenceGuard(model, tmp_path)
    guard.observe({"a": torch.tensor(1.0), "b": 2.0}, step=1)
    guard.check(1)
    guard.observe({"a": torch.tensor(math.inf), "b": 2.0}, step=2)
    guard.observe({"a": torch.tensor(1.0), "b": math.nan}, step=3)
    with pytest.raises(DivergenceError, match="at step 2: a became NaN/Inf; the parameters of every network "
                                              r"\(encoder, decoder\) are still finite"):
        guard.check(3)


def test_guard_finds_nonfinite_buffers_without_a_bad_loss(tmp_path):
    model = _Pair()
    guard = DivergenceGuard(model, tmp_path)
    model.decoder[1].running_var.fill_(math.inf)
    with pytest.raises(DivergenceError, match="diverged by step 7: the losses are finite but network 'decoder' has "
                                              r"NaN/Inf values \(first: decoder.1.running_var\)"):
        guard.check(7)


def test_the_accelerator_path_records_the_first_bad_step_without_reading_values():
    from latentgan.train.divergence import _NEVER, first_bad_step_on_device

    first = first_bad_step_on_device(_NEVER, torch.tensor(1.0), step=1)
    assert int(first) == _NEVER
    first = first_bad_step_on_device(first, torch.tensor([1.0, math.nan]), step=2)
    first = first_bad_step_on_device(first, torch.tensor(math.inf), step=3)
    assert first.dtype == torch.int64 and int(first) == 2


def test_tensors_held_by_the_model_itself_are_checked_too(tmp_path):
    model = _Pair()
    model.register_buffer("table", torch.tensor([0.0, math.nan]))
    with pytest.raises(DivergenceError, match=r"network 'model' has NaN/Inf values \(first: table\)"):
        DivergenceGuard(model, tmp_path).check(1)
