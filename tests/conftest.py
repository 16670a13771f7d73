import importlib.util
from pathlib import Path

import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    # Trained classifiers and cached statistics go to a session directory, never the user's cache.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LATENTGAN_CACHE", str(tmp_path_factory.mktemp("cache")))
        patch.setenv("LATENTGAN_PROGRESS", "0")  # tests/test_progress.py turns it back on where it is the subject
        yield


@pytest.fixture(autouse=True)
def _deterministic_threads():
    # Bit-exact comparisons need the same intra-op parallelism in every run of a test.
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def small_ring_config(tmp_path, steps=60, **train):
    """A fast MLP GAN on ring-8 writing into tmp_path/run."""
    from latentgan.config import load_config

    overrides = ["model.name=gan", "model.latent_dim=2", "model.hidden=[32, 32]", "data.name=ring",
                 "data.n_points=2000", f"train.steps={steps}", "train.batch_size=64", "train.log_every=10",
                 "train.sample_every=1000", "train.checkpoint_every=20", "train.progress=false",
                 f"train.out={tmp_path / 'run'}", "train.device=cpu"]
    overrides += [f"train.{k}={v}" for k, v in train.items()]
    return load_config(None, overrides)


def load_script(name: str):
    """A module from scripts/ by file name (scripts are not a package), so tests run the very code behind docs/."""
    path = Path(__file__).parents[1] / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
