"""What every GLO card shares (Bojanowski et al., 2017): the budget, one training run, the images, PCA and MSE."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import torch

import latentgan
from latentgan.api import load_data
from latentgan.config import load_config
from latentgan.experiments.protocol import map_jobs, pick_budget
from latentgan.experiments.registry import ExperimentSettings
from latentgan.experiments.runs import train_or_continue
from latentgan.losses import mse_loss
from latentgan.models.base import DataShape
from latentgan.models.pca import PCAConfig, PCAModel
from latentgan.train.run_dir import read_run

PAPER = "Bojanowski, Joulin, Lopez-Paz, Szlam. Optimizing the Latent Space of Generative Networks. arXiv 1707.05776"


@dataclass(frozen=True)
class ReconBudget:
    """Data, training and evaluation sizes of one GLO card's runs."""

    datasets: tuple[str, ...]
    train_images: int | None  # None: the whole training split
    steps: int
    eval_images: int
    invert_steps: int
    latent_dim: int = 32
    width: int = 32
    batch_size: int = 64
    extra: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        """The budget in words for a card."""
        images = f"{self.train_images:,} training images" if self.train_images else "the whole training split"
        return (f"{'/'.join(self.datasets)}, {images}, {self.steps:,} steps of batch {self.batch_size} "
                f"({self.steps * self.batch_size:,} images seen), code size {self.latent_dim}, generator width "
                f"{self.width}")


def over_seeds(seed_fn, budgets: dict, seeds: int, settings: ExperimentSettings) -> tuple[ReconBudget, list]:
    """The tier's budget and seed_fn(budget, seed, out_dir, device) for seeds 0..n-1 (settings.seeds overrides n),
    in settings.jobs processes."""
    budget = pick_budget(budgets, settings.budget)
    n = settings.seeds or seeds
    return budget, map_jobs(seed_fn, [(budget, s, str(settings.out_dir), settings.device) for s in range(n)],
                            jobs=settings.jobs)


def cpu_departures(budget: ReconBudget) -> list[str]:
    """How a scaled-down GLO budget departs from the paper's CelebA/LSUN protocol, and why."""
    return [f"{'/'.join(budget.datasets)} ({budget.train_images or 'all':} training images, 28 px, one channel) "
            "instead of CelebA-64/128 and LSUN-64: a 2-core CPU.",
            f"Generator width {budget.width}, code size {budget.latent_dim}, {budget.steps:,} steps of batch "
            f"{budget.batch_size} ({budget.steps * budget.batch_size:,} images seen) instead of the paper's DCGAN "
            "trained for 25 epochs."]


def train_run(name: str, dataset: str, budget: ReconBudget, overrides: list[str], out: Path,
              settings: ExperimentSettings) -> Path:
    """One training run of model `name` on the budget's data (a finished one in `out` is reused); its directory."""
    limit = [f"data.limit={budget.train_images}"] if budget.train_images else []
    config = load_config(None, [
        f"model.name={name}", f"model.latent_dim={budget.latent_dim}", f"model.width={budget.width}",
        f"data.name={dataset}", "data.split=train", *limit, f"train.steps={budget.steps}",
        f"train.batch_size={budget.batch_size}", "train.progress=false", f"train.checkpoint_every={budget.steps}",
        f"train.sample_every={budget.steps}", f"train.log_every={min(100, budget.steps)}",
        f"train.device={settings.device}", *budget.extra, *overrides])
    return train_or_continue(config, out)


def images(config, split: str, n: int) -> torch.Tensor:
    """The first n images of a split, in the model's range (loaded once per dataset, split and limit)."""
    return _cached_images(config.data.name, split, config.data.limit, n).clone()


@functools.lru_cache(maxsize=8)
def _cached_images(dataset: str, split: str, limit: int | None, n: int) -> torch.Tensor:
    # Parsing mnist5k's CSV takes about half a second; every method of a table needs the same images.
    config = load_config(None, [f"data.name={dataset}", f"data.split={split}"]
                         + ([f"data.limit={limit}"] if limit else []))
    data = load_data(config)
    return data.scale(data.x[:n])


def mse(decode, z: torch.Tensor, x: torch.Tensor) -> float:
    """Per-pixel MSE of decode(z) against x."""
    with torch.no_grad():
        return mse_loss(decode(z), x).item()


def training_data(dataset: str, budget: ReconBudget):
    """The budget's training split of `dataset` (the first train_images images)."""
    limit = [f"data.limit={budget.train_images}"] if budget.train_images else []
    return load_data(load_config(None, [f"data.name={dataset}", "data.split=train", *limit]))


def fitted_pca(data, latent_dim: int) -> PCAModel:
    """PCA with latent_dim components fitted on a dataset's images: the paper's linear baseline."""
    model = PCAModel(PCAConfig(latent_dim=latent_dim), DataShape(data.sample_shape, data.value_range))
    model.initialize(data)
    return model


def glo_errors(run_dir: Path, n: int) -> tuple[float, float]:
    """(train, test) MSE of a GLO run: its own codes for training images, `encode` for held-out ones."""
    model = latentgan.load(run_dir)
    config, _ = read_run(run_dir)
    train_x, test_x = images(config, "train", n), images(config, "test", n)
    return mse(model.decode, model.codes.weight[:n], train_x), mse(model.decode, model.encode(test_x), test_x)


def pca_errors(dataset: str, budget: ReconBudget) -> tuple[float, float]:
    """(train, test) MSE of PCA with latent_dim components fitted on the training images."""
    data = training_data(dataset, budget)
    model = fitted_pca(data, budget.latent_dim)
    config = load_config(None, [f"data.name={dataset}", "data.split=train"]
                         + ([f"data.limit={budget.train_images}"] if budget.train_images else []))
    train_x, test_x = images(config, "train", budget.eval_images), images(config, "test", budget.eval_images)
    return mse(model.decode, model.encode(train_x), train_x), mse(model.decode, model.encode(test_x), test_x)
