import os
import signal
import subprocess
import sys

import pytest
import torch

import latentgan
from latentgan.checkpoint import list_checkpoints, read_checkpoint
from latentgan.cli import main
from latentgan.models.registry import get_model_entry
from latentgan.train.signals import StopSignals, TrainingInterrupted
from tests.conftest import small_ring_config

# The real command in a fresh interpreter whose GAN sends itself a signal during step AT (0-based).
SELF_SIGNAL = """
import os, signal, sys
from latentgan.cli import main
from latentgan.models.registry import get_model_entry
cls = get_model_entry("gan").model_class
original = cls.training_step
def training_step(self, batch, step):
    if step == {at}:
        os.kill(os.getpid(), signal.{sig})
    return original(self, batch, step)
cls.training_step = training_step
sys.exit(main(sys.argv[1:]))
"""

RING = ["--model", "gan", "--data", "ring", "--no-recipe", "--steps", "60", "--batch-size", "64", "--seed", "0",
        "--quiet",
        "--device", "cpu", "--set", "model.latent_dim=2", "--set", "model.hidden=[32, 32]",
        "--set", "data.n_points=2000", "--set", "train.log_every=10", "--set", "train.sample_every=1000",
        "--set", "train.checkpoint_every=20"]


def _signal_at(monkeypatch, at: int, signum: int, times: int = 1) -> None:
    cls = get_model_entry("gan").model_class
    original = cls.training_step

    def training_step(self, batch, step):
        if step == at:
            for _ in range(times):
                os.kill(os.getpid(), signum)
        return original(self, batch, step)

    monkeypatch.setattr(cls, "training_step", training_step)


def _same_weights(a, b) -> None:
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(p, q), f"{name} differs"


def test_sigterm_in_a_subprocess_checkpoints_exits_143_and_resumes_to_the_same_weights(tmp_path):
    out = tmp_path / "killed"
    script = SELF_SIGNAL.format(at=24, sig="SIGTERM")
    p = subprocess.run([sys.executable, "-c", script, "train", *RING, "--out", str(out)],
                       capture_output=True, text=True)
    assert p.returncode == 143, p.stderr
    assert p.stderr.strip() == f"latentgan: interrupted at step 25; resume with: latentgan resume {out}"
    steps = [read_checkpoint(c)["step"] for c in list_checkpoints(out / "checkpoints")]
    assert steps == [20, 25]  # the regular one, then the step the signal interrupted

    assert main(["resume", str(out)]) == 0
    straight = latentgan.train(small_ring_config(tmp_path / "straight", steps=60))
    _same_weights(latentgan.load(straight), latentgan.load(out))


def test_sigint_stops_after_the_step_and_restores_the_handlers(tmp_path, monkeypatch):
    _signal_at(monkeypatch, at=29, signum=signal.SIGINT)
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    with pytest.raises(TrainingInterrupted) as caught:
        latentgan.train(small_ring_config(tmp_path))
    assert {s: signal.getsignal(s) for s in before} == before
    assert caught.value.step == 30 and caught.value.exit_code == 130
    # step 30 is not a checkpoint step (every 20): the interruption wrote it
    assert [c.name for c in list_checkpoints(tmp_path / "run" / "checkpoints")][-1] == "step_0000030.pt"


def test_cli_exit_code_for_sigint(tmp_path, monkeypatch, capsys):
    _signal_at(monkeypatch, at=39, signum=signal.SIGINT)
    assert main(["train", *RING, "--out", str(tmp_path / "run")]) == 130
    err = capsys.readouterr().err
    assert f"interrupted at step 40; resume with: latentgan resume {tmp_path / 'run'}" in err
    # step 40 was a regular checkpoint step: it is not written twice, and nothing else is added
    assert [c.name for c in list_checkpoints(tmp_path / "run" / "checkpoints")] == ["step_0000020.pt",
                                                                                     "step_0000040.pt"]


def test_a_second_signal_stops_at_once(tmp_path, monkeypatch):
    _signal_at(monkeypatch, at=29, signum=signal.SIGINT, times=2)
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        latentgan.train(small_ring_config(tmp_path))
    assert [c.name for c in list_checkpoints(tmp_path / "run" / "checkpoints")] == ["step_0000020.pt"]
    assert signal.getsignal(signal.SIGINT) is before


def test_stop_signals_outside_the_main_thread_change_nothing():
    import threading

    seen = []

    def body():
        with StopSignals() as stop:
            seen.append(stop._previous)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert seen == [{}]
