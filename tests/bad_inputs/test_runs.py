"""Run directories and checkpoints that are not what they claim, pickled code, and a disk that fills up."""

from __future__ import annotations

import errno
import io
import json
import shutil
from pathlib import Path

import pytest
import torch
import yaml

import latentgan
from latentgan.checkpoint import list_checkpoints, read_checkpoint
from latentgan.cli import main
from tests.conftest import small_ring_config

from .harness import Case, expect_clean_failure, snapshot


class OpensAFile:
    """Unpickling this object would create a file: the proof that code ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """A finished 40-step ring run with checkpoints at steps 20 and 40."""
    return latentgan.train(small_ring_config(tmp_path_factory.mktemp("trained"), steps=40))


def _copy(trained: Path, tmp: Path) -> Path:
    return Path(shutil.copytree(trained, tmp / "run"))


def _edit_checkpoints(run: Path, edit) -> None:
    for path in list_checkpoints(run / "checkpoints"):
        state = torch.load(path, weights_only=True)
        torch.save(edit(state, path), path)


def _edit_config(run: Path, edit) -> None:
    tree = yaml.safe_load((run / "config.yaml").read_text())
    edit(tree)
    (run / "config.yaml").write_text(yaml.safe_dump(tree))


def empty_dir(trained, tmp):
    (tmp / "empty").mkdir()
    return ["resume", str(tmp / "empty")]


def a_file(trained, tmp):
    (tmp / "notes.txt").write_text("hello")
    return ["resume", str(tmp / "notes.txt")]


def missing_dir(trained, tmp):
    return ["sample", str(tmp / "nowhere"), "--out", str(tmp / "s.png")]


def damaged_yaml(trained, tmp):
    run = _copy(trained, tmp)
    (run / "config.yaml").write_text("model: {name: gan\n  oops: [\n")
    return ["resume", str(run)]


def run_json_without_shape(trained, tmp):
    run = _copy(trained, tmp)
    meta = json.loads((run / "run.json").read_text())
    del meta["data_shape"]
    (run / "run.json").write_text(json.dumps(meta))
    return ["sample", str(run), "--out", str(tmp / "s.png")]


def invalid_run_config(trained, tmp):
    run = _copy(trained, tmp)
    _edit_config(run, lambda tree: tree["train"].update(steps=-1))
    return ["resume", str(run)]


def other_model(trained, tmp):
    run = _copy(trained, tmp)
    _edit_checkpoints(run, lambda state, _: {**state, "model_name": "ali"})
    return ["resume", str(run)]


def newer_version(trained, tmp):
    run = _copy(trained, tmp)
    _edit_checkpoints(run, lambda state, _: {**state, "version": 99})
    return ["sample", str(run), "--out", str(tmp / "s.png")]


def pickled_code(trained, tmp):
    run = _copy(trained, tmp)
    _edit_checkpoints(run, lambda state, _: {**state, "model": OpensAFile(tmp / "pwned")})
    return ["resume", str(run)]


def truncated(trained, tmp):
    run = _copy(trained, tmp)
    for path in list_checkpoints(run / "checkpoints"):
        path.write_bytes(path.read_bytes()[:1000])
    return ["resume", str(run)]


def not_a_checkpoint(trained, tmp):
    run = _copy(trained, tmp)
    _edit_checkpoints(run, lambda state, _: {"weights": state["model"]})
    return ["sample", str(run), "--out", str(tmp / "s.png")]


def latent_size_changed(trained, tmp):
    run = _copy(trained, tmp)
    _edit_config(run, lambda tree: tree["model"].update(latent_dim=5))
    return ["resume", str(run), "--steps", "60"]


def latent_size_changed_sample(trained, tmp):
    run = _copy(trained, tmp)
    _edit_config(run, lambda tree: tree["model"].update(latent_dim=5))
    return ["sample", str(run), "--out", str(tmp / "s.png")]


def no_checkpoint(trained, tmp):
    run = _copy(trained, tmp)
    for path in list_checkpoints(run / "checkpoints"):
        path.unlink()
    return ["resume", str(run)]


def train_over_a_run(trained, tmp):
    run = _copy(trained, tmp)
    return ["train", "--model", "gan", "--data", "ring", "--steps", "5", "--quiet", "--device", "cpu",
            "--out", str(run)]


def sample_count_zero(trained, tmp):
    return ["sample", str(_copy(trained, tmp)), "--n", "0", "--out", str(tmp / "s.png")]


def sample_wrong_suffix(trained, tmp):
    return ["sample", str(_copy(trained, tmp)), "--out", str(tmp / "s.jpg")]


CASES = [
    Case("empty-dir", empty_dir, "is not a latentgan run directory (no config.yaml / run.json)"),
    Case("a-file", a_file, "notes.txt' is a file, not a run directory"),
    Case("missing-dir", missing_dir, "nowhere' does not exist"),
    Case("damaged-config-yaml", damaged_yaml, "are damaged (ParserError: while parsing a flow mapping)"),
    Case("run-json-without-shape", run_json_without_shape, "are damaged (KeyError: 'data_shape')"),
    Case("invalid-run-config", invalid_run_config, "is invalid: train.steps must be at least 1, got -1"),
    Case("checkpoint-of-other-model", other_model, "was written by model 'ali' but the run's config says 'gan'"),
    Case("checkpoint-newer-version", newer_version, "none of the 2 checkpoints in"),
    Case("checkpoint-pickled-code", pickled_code, "step_0000040.pt' cannot be read (UnpicklingError)"),
    Case("checkpoint-truncated", truncated, "step_0000040.pt' cannot be read ("),
    Case("not-a-checkpoint", not_a_checkpoint, "step_0000040.pt' is not a latentgan checkpoint"),
    Case("latent-size-changed-resume", latent_size_changed, "the checkpoint of step 40 does not fit the model "
                                                            "configured in"),
    Case("latent-size-changed-sample", latent_size_changed_sample, "checkpoint does not fit the model configured"),
    Case("no-checkpoint", no_checkpoint, "the run was stopped before its first checkpoint — delete '"),
    Case("train-over-a-run", train_over_a_run, "already holds a run; continue it with `latentgan resume"),
    Case("sample-count-zero", sample_count_zero, "--n must be at least 1, got 0"),
    Case("sample-wrong-suffix", sample_wrong_suffix,
         "--out must end in .png (a picture), .pt (a tensor), .npz (images and codes) or be a folder"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_run_or_checkpoint(trained, tmp_path, capsys, case):
    line = expect_clean_failure(capsys, tmp_path, case.make(trained, tmp_path), case.message)
    assert not (tmp_path / "pwned").exists()  # weights_only loading ran no pickled code
    if case.name == "checkpoint-newer-version":
        assert "format version 99, newer than this latentgan understands (1); upgrade latentgan" in line


def test_newest_checkpoint_with_pickled_code_is_skipped_for_the_previous_one(trained, tmp_path, capsys):
    run = _copy(trained, tmp_path)
    newest = list_checkpoints(run / "checkpoints")[-1]
    torch.save({**torch.load(newest, weights_only=True), "model": OpensAFile(tmp_path / "pwned")}, newest)
    assert main(["sample", str(run), "--n", "4", "--out", str(tmp_path / "s.pt")]) == 0
    assert not (tmp_path / "pwned").exists()
    assert main(["resume", str(run)]) == 0  # back to step 20, then on to 40 again
    out = capsys.readouterr().out
    assert "step_0000040.pt' cannot be read (UnpicklingError)" in out and "trying an earlier checkpoint" in out
    assert read_checkpoint(newest)["step"] == 40 and not (tmp_path / "pwned").exists()


def test_disk_full_while_writing_a_checkpoint_keeps_the_previous_one(tmp_path, capsys, monkeypatch):
    real_save, calls = torch.save, []

    def save_then_fill_the_disk(obj, f, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2 and not isinstance(f, (str, Path)):  # the second checkpoint, half written
            buffer = io.BytesIO()
            real_save(obj, buffer)
            f.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, "save", save_then_fill_the_disk)
    run = tmp_path / "run"
    args = ["train", "--model", "gan", "--data", "ring", "--steps", "60", "--quiet", "--device", "cpu",
            "--set", "model.latent_dim=2", "--set", "model.hidden=[16]", "--set", "train.checkpoint_every=20",
            "--out", str(run)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"latentgan: error: cannot write checkpoint '{run / 'checkpoints' / 'step_0000040.pt'}' (No "
                   "space left on device); the earlier checkpoints are kept — free some space and continue with "
                   "`latentgan resume`")
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["step_0000020.pt"]  # no partial file
    kept = snapshot(run)
    assert read_checkpoint(run / "checkpoints" / "step_0000020.pt")["step"] == 20
    monkeypatch.setattr(torch, "save", real_save)  # space freed
    assert main(["resume", str(run)]) == 0
    assert [p.name for p in list_checkpoints(run / "checkpoints")][-1] == "step_0000060.pt"
    assert kept["checkpoints/step_0000020.pt"] == snapshot(run)["checkpoints/step_0000020.pt"]
