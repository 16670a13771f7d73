"""Every subcommand that takes --device, asked for a GPU this machine lacks: one line, exit 2, nothing written."""

import pytest
import torch
from PIL import Image

import latentgan
from latentgan.config import load_config
from tests.bad_inputs.harness import expect_clean_failure

MISSING = [d for d, present in (("cuda", torch.cuda.is_available()), ("mps", torch.backends.mps.is_available()))
           if not present]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("gpu") / "run"
    latentgan.train(load_config(None, ["model.name=gan", "data.name=ring", "train.steps=2", "train.batch_size=8",
                                       "train.progress=false", f"train.out={out}"]), log=lambda *a: None)
    return out


def _argv(command, run, tmp):
    image = tmp / "a.png"
    Image.new("RGB", (8, 8)).save(image)
    return {
        "train": ["train", "--model", "gan", "--data", "ring", "--steps", "1", "--quiet", "--out", str(tmp / "new")],
        "resume": ["resume", str(run), "--steps", "4"],
        "sample": ["sample", str(run), "--n", "4", "--out", str(tmp / "s.png")],
        "eval": ["eval", str(run), "--metrics", "modes", "--n", "64"],
        "report": ["report", str(run)],
        "explore": ["explore", str(run), "--port", "0"],
        "fid": ["fid", str(run), str(tmp), "--n", "4"],
        "encode": ["encode", str(run), str(image), "--out", str(tmp / "c.npz")],
        "reconstruct": ["reconstruct", str(run), str(image), "--out", str(tmp / "r.png")],
        "interpolate": ["interpolate", str(run), str(image), str(image), "--out", str(tmp / "i.png")],
    }[command]


@pytest.mark.parametrize("device", MISSING)
@pytest.mark.parametrize("command", ["train", "resume", "sample", "eval", "report", "explore", "fid", "encode",
                                     "reconstruct", "interpolate"])
def test_a_missing_gpu_is_one_line_and_writes_nothing(command, device, run_dir, tmp_path, capsys):
    import shutil
    run = tmp_path / "run"
    shutil.copytree(run_dir, run)  # inside tmp_path, so the snapshot sees any file the command writes there
    argv = _argv(command, run, tmp_path) + ["--device", device]
    # explore refuses a 2-D run before it looks at the device: still one line and nothing written
    expect_clean_failure(capsys, tmp_path, argv, "2-D points" if command == "explore" else device)
