"""docs/adding-a-model.md's example, registered as a user would, trains, loads and answers the whole interface."""

from pathlib import Path

import numpy as np
import pytest
import torch

import latentgan
from latentgan.api import train
from latentgan.cli import main
from latentgan.config import load_config
from latentgan.errors import CapabilityError, InputError

EXAMPLE = Path(__file__).with_name("example_autoencoder.py")
DOC = Path(__file__).parents[2] / "docs" / "adding-a-model.md"


def test_the_documented_code_is_the_tested_code():
    assert EXAMPLE.read_text().split('"""', 2)[2].strip() in DOC.read_text()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    import tests.models.example_autoencoder  # noqa: F401  (registers "tiny-autoencoder", as a user's import would)

    out = tmp_path_factory.mktemp("runs") / "tiny"
    config = load_config(None, ["model.name=tiny-autoencoder", "data.name=digits", "train.steps=30",
                                "train.batch_size=64", "train.progress=false", "train.device=cpu",
                                "train.sample_every=1000", "train.checkpoint_every=1000", f"train.out={out}"])
    return train(config, log=lambda message: None)


def test_the_example_model_trains_loads_and_answers_the_interface(run_dir, tmp_path):
    model = latentgan.load(run_dir)
    shape = model.data_shape.sample_shape
    x = torch.randint(0, 256, (5, *shape), dtype=torch.uint8)
    codes = model.encode(x)
    assert codes.shape == (5, 8) and not codes.requires_grad and model.encoding == "forward"
    assert model.decode(codes).shape == (5, *shape) and model.reconstruct(x).shape == (5, *shape)
    assert model.interpolate(x[0], x[1], steps=4, mode="slerp").shape == (4, *shape)
    with pytest.raises(InputError, match=r"\(N, 1, 8, 8\)"):
        model.encode(torch.zeros(2, 1, 28, 28))
    with pytest.raises(CapabilityError, match="tiny-autoencoder model has no classifier"):
        model.classify(x)
    assert main(["sample", str(run_dir), "--n", "4", "--out", str(tmp_path / "s.npz")]) == 0
    assert np.load(tmp_path / "s.npz")["codes"].shape == (4, 8)
