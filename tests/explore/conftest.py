"""Tiny trained runs shared by the explorer's tests: trained for a few steps once per session."""

import pytest
import torch

TRAIN = ["train.batch_size=32", "train.log_every=10", "train.sample_every=1000", "train.checkpoint_every=1000",
         "train.progress=false", "train.device=cpu", "train.grid_size=16"]
MNIST = ["data.name=mnist5k", "data.split=train"]


def _train(tmp_path_factory, name: str, overrides: list[str]):
    from latentgan.api import train
    from latentgan.config import load_config

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny networks: one thread is fastest on a shared CPU
    try:
        out = tmp_path_factory.mktemp("runs") / name
        return train(load_config(None, [*overrides, *TRAIN, f"train.out={out}"]), log=lambda message: None)
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def ali_run(tmp_path_factory):
    """ALI with the 28 px table at 1/16 width on mnist5k, 20 steps: encodes by a forward pass.

    PyTorch's default init instead of the paper's N(0, 0.01): after 20 steps the paper's init still decodes
    every code to the same flat grey, which would let image comparisons pass without meaning anything.
    """
    return _train(tmp_path_factory, "ali", ["model.name=ali", "model.width_scale=0.0625", "model.latent_dim=16",
                                            "model.init=default", "train.steps=20", *MNIST])


@pytest.fixture(scope="session")
def gan_run(tmp_path_factory):
    """A sample-only DCGAN (width 8) on mnist5k, 20 steps."""
    return _train(tmp_path_factory, "gan", ["model.name=gan", "model.width=8", "model.latent_dim=12",
                                            "train.steps=20", *MNIST])


@pytest.fixture(scope="session")
def conditional_run(tmp_path_factory):
    """Class-conditional ALI on mnist5k's ten digits, 10 steps."""
    return _train(tmp_path_factory, "cali", ["model.name=ali", "model.width_scale=0.0625", "model.latent_dim=8",
                                             "model.conditional=true", "model.init=default", "train.steps=10", *MNIST])


@pytest.fixture(scope="session")
def glo_run(tmp_path_factory):
    """GLO (width 8, 8-D codes) on mnist5k, 10 steps; encodes by 3 optimisation steps."""
    return _train(tmp_path_factory, "glo", ["model.name=glo", "model.width=8", "model.latent_dim=8",
                                            "model.encode_steps=3", "train.steps=10", *MNIST])


@pytest.fixture(scope="session")
def ali_explorer(ali_run):
    """The ALI run opened once for every test that only reads from it."""
    from latentgan.explore.explorer import Explorer

    return Explorer(ali_run)


@pytest.fixture(scope="session")
def ali_client(ali_explorer):
    """A TestClient over the ALI run's app (the explorer, hence the model, loaded once)."""
    from fastapi.testclient import TestClient

    from latentgan.explore.app import create_app

    return TestClient(create_app(ali_explorer.run_dir, explorer=ali_explorer))
