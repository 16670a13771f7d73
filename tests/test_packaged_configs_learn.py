"""Every packaged config, trained a few hundred steps, moves its own metric the right way from where it started.

A packaged config is a promise that it trains; this catches one that silently stopped learning (a changed default,
a broken recipe) without running it to the end. Each config is trained twice with the same seed: one step (the
starting point) and a few hundred steps; the metric that says whether that kind of model learns is compared.
"""

from pathlib import Path

import pytest
import torch

import latentgan
from latentgan.config import load_config
from latentgan.data.idx import FASHION_DEBIAN_DIR
from latentgan.evaluation import evaluate_run

CONFIGS = sorted(p.stem for p in (Path(latentgan.__file__).parent / "configs").glob("*.yaml"))

# config -> (metric, the result's key prefix, "up" or "down", steps, extra overrides). Mixtures use the reverse KL
# over modes, not the high-quality share: an untrained generator's points sit on the grid's centre mode (share 1).
EXPECTED = {
    "quickstart": ("recon", "reconstruction_class_agreement", "up", 300, []),
    "dcgan-mnist": ("cfid", "fid_classifier", "down", 300, []),
    "dcgan-fashion": ("cfid", "fid_classifier", "down", 300, []),
    "gan-ring": ("modes", "reverse_kl", "down", 600, []),
    "gan-grid": ("modes", "reverse_kl", "down", 600, []),
    "ali-grid": ("modes", "modes_covered_ali", "up", 1000, []),  # ALI spreads slowly: no mode is high quality yet
    "ive-ring": ("modes", "reverse_kl", "down", 600, []),
    "ali-mnist": ("recon", "reconstruction_mse", "down", 300, []),
    "alice-mnist": ("recon", "reconstruction_class_agreement", "up", 300, []),
    "alice-fashion": ("recon", "reconstruction_class_agreement", "up", 300, []),
    "glo-fashion": ("recon", "reconstruction_class_agreement", "up", 300, []),
    "grow-fashion": ("coarse", "frechet_4px", "down", 300, []),  # its first stage draws 4 px images
    "grow-swissroll": ("swiss", "nearest_real_distance", "down", 600, []),
}


def _nearest_real_distance(run_dir: Path) -> float:
    """Mean distance from 1,000 samples to the nearest real point: the Swiss roll has no modes to count."""
    run = latentgan.load(run_dir)
    torch.manual_seed(0)
    samples = run.sample(1000)
    from latentgan.data.from_config import load_data

    real = load_data(load_config(run_dir / "config.yaml")).x[:5000]
    return float(torch.cdist(samples.float(), real.float()).min(dim=1).values.mean())


def _coarse_frechet(run_dir: Path) -> float:
    """Frechet distance of 2,000 samples to 5,000 real images, both average-pooled to 4 x 4 pixels: a growing model's
    first stage draws 4 px images, whose blocks the classifier's features cannot judge (its cFID stays flat)."""
    from torch.nn.functional import adaptive_avg_pool2d

    from latentgan.data.from_config import load_data
    from latentgan.metrics.frechet import feature_statistics, frechet_distance

    run = latentgan.load(run_dir)
    torch.manual_seed(0)
    samples = adaptive_avg_pool2d(run.sample(2000).float(), 4).flatten(1)
    real = load_data(load_config(run_dir / "config.yaml")).batch(torch.arange(5000))[0]
    real = adaptive_avg_pool2d(real.float(), 4).flatten(1)
    return float(frechet_distance(*feature_statistics(samples.numpy()), *feature_statistics(real.numpy())))


def _score(run_dir: Path, metric: str, key: str) -> float:
    if metric == "swiss":
        return _nearest_real_distance(run_dir)
    if metric == "coarse":
        return _coarse_frechet(run_dir)
    result = evaluate_run(run_dir, metrics=metric, n=512 if metric != "modes" else None)["metrics"]
    found = [v for k, v in result.items() if k.startswith(key)]
    assert found, f"{metric} gave no {key}: {sorted(result)}"
    return float(found[0])


def test_every_packaged_config_has_a_metric_that_says_it_learns():
    assert sorted(EXPECTED) == CONFIGS


@pytest.mark.slow
@pytest.mark.parametrize("name", CONFIGS)
def test_a_packaged_config_moves_its_metric_in_a_few_hundred_steps(name, tmp_path):
    metric, key, direction, steps, extra = EXPECTED[name]
    if "fashion" in name and not any(FASHION_DEBIAN_DIR.glob("*")):
        pytest.skip(f"Fashion-MNIST is not installed at {FASHION_DEBIAN_DIR}")
    scores = []
    for label, n in (("start", 1), ("trained", steps)):
        overrides = [f"train.steps={n}", f"train.checkpoint_every={n}", "train.eval_every=0", "train.progress=false",
                     f"train.out={tmp_path / label}", "train.device=cpu", *extra]
        run_dir = latentgan.train(load_config(name, overrides), log=lambda *a: None)
        scores.append(_score(run_dir, metric, key))
    start, trained = scores
    moved = trained > start if direction == "up" else trained < start
    assert moved, f"{name}: {key} {start:.4g} after 1 step, {trained:.4g} after {steps} ({direction} expected)"
