"""Class agreement and MSE of a run's reconstructions at every kept checkpoint (docs/results.md, IVE-GAN section).

    python scripts/reconstruction_over_checkpoints.py RUN_DIR [--n 1000] [--pairs 256]

Each checkpoint reconstructs the first n test images of the run's dataset (a classifier the library has for it
labels original and reconstruction). With --pairs K (IVE-GAN runs) the last checkpoint's conditional discriminator
also scores K training images' matched pairs D(T(x), x) against mismatched ones D(T(x'), x), in train mode.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

import latentgan
from latentgan.api import load_data
from latentgan.data.base import to_unit_range
from latentgan.metrics.builtin import GRAYSCALE_CLASSIFIED, grayscale_classifier_for
from latentgan.metrics.classifier import load_classifier
from latentgan.nn.in_batches import map_in_batches
from latentgan.train.checkpoint import checkpoint_step, list_checkpoints
from latentgan.train.run_dir import checkpoints_dir, read_run


def matched_vs_mismatched(model, x: torch.Tensor) -> tuple[float, float]:
    """Mean sigmoid of D(T(x), x) and of D(T(x'), x), x' the batch rolled by one (an IVE-GAN in train mode)."""
    model.train()
    with torch.no_grad():
        transformed = model.transform_batch(x)
        f_x, f_t = model.features(torch.cat([x, transformed])).split(len(x))
        matched = torch.sigmoid(model.joint_head(f_t, f_x)).mean()
        mismatched = torch.sigmoid(model.joint_head(f_t.roll(1, dims=0), f_x)).mean()
    return float(matched), float(mismatched)


def main() -> None:
    """Print one line per checkpoint, then the pair scores when asked."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run_dir", type=Path)
    p.add_argument("--n", type=int, default=1000, help="test images reconstructed per checkpoint")
    p.add_argument("--pairs", type=int, default=0, help="IVE-GAN: training images for the matched/mismatched score")
    args = p.parse_args()
    torch.set_num_threads(1)
    config, _ = read_run(args.run_dir)
    classifier_name = grayscale_classifier_for(config.data.name)
    if classifier_name is None:
        raise SystemExit(f"error: no classifier for '{config.data.name}'; this script needs "
                         f"{', '.join(GRAYSCALE_CLASSIFIED)}")
    config.data.split = "test"
    test = load_data(config)
    x, y, _ = test.batch(torch.arange(min(args.n, len(test))))
    value_range = tuple(test.value_range)
    classifier = load_classifier(classifier_name, resolution=x.shape[-1])
    checkpoints = list_checkpoints(checkpoints_dir(args.run_dir))
    for path in checkpoints:
        model = latentgan.load(args.run_dir, checkpoint=path)
        reconstructed = map_in_batches(model.reconstruct, x, 250)
        agreement = float((classifier.predict(to_unit_range(reconstructed, value_range)) == y).float().mean())
        mse = float((reconstructed - x).pow(2).mean())
        print(f"step {checkpoint_step(path):>7}: class agreement {agreement:.3f}, MSE {mse:.4f}", flush=True)
    if args.pairs and checkpoints:
        config.data.split = "train"
        train = load_data(config)
        matched, mismatched = matched_vs_mismatched(model, train.batch(torch.arange(args.pairs))[0])
        print(f"D(T(x), x) {matched:.3f}, D(T(x'), x) mismatched {mismatched:.3f}")


if __name__ == "__main__":
    main()
