"""Class agreement and MSE of a run's reconstructions at every kept checkpoint (docs/results.md, IVE-GAN section).

    python scripts/reconstruction_over_checkpoints.py RUN_DIR [--n 1000] [--pairs 256] [--invariant] [--knn 4000]
        [--live-weights]

Each checkpoint reconstructs the first n test images of the run's dataset (a classifier the library has for it
labels original and reconstruction; with --invariant also its variant trained on the shifts and rotations of an
IVE-GAN run's model.transform, which labels a variant T(x) like x). With --pairs K (IVE-GAN runs) the last
checkpoint's conditional discriminator also scores K training images' matched pairs D(T(x), x) against mismatched
ones D(T(x'), x), in train mode. With --knn N each checkpoint's codes of the test images are also classified by
their 10 nearest among the codes of the first N training images (the ive-mnist card's k-NN). A run trained
with train.ema is scored on its weight average unless --live-weights.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

import latentgan
from latentgan.api import load_data
from latentgan.checkpoint import checkpoint_step, list_checkpoints
from latentgan.data.base import to_unit_range
from latentgan.data.transforms import TransformConfig
from latentgan.experiments.ive_common import knn_accuracy
from latentgan.metrics.builtin import GRAYSCALE_CLASSIFIED, grayscale_classifier_for
from latentgan.metrics.classifier import load_classifier
from latentgan.models.ive_gan import transform_config
from latentgan.nn.in_batches import map_in_batches
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
    p.add_argument("--live-weights", action="store_true", help="runs with train.ema: score the last weights")
    p.add_argument("--knn", type=int, default=0, metavar="N_TRAIN",
                   help="also the k-NN (k = 10) accuracy of the test codes among N_TRAIN training codes")
    p.add_argument("--invariant", action="store_true",
                   help="IVE-GAN: also the agreement by a classifier trained on the run's shifts and rotations")
    args = p.parse_args()
    torch.set_num_threads(1)
    config, _ = read_run(args.run_dir)
    classifier_name = grayscale_classifier_for(config.data.name)
    if classifier_name is None:
        raise SystemExit(f"error: no classifier for '{config.data.name}'; this script needs "
                         f"{', '.join(GRAYSCALE_CLASSIFIED)}")
    if args.invariant and "transform" not in vars(config.model):
        raise SystemExit(f"error: --invariant needs an IVE-GAN run (a model.transform); this run is "
                         f"{config.model.name}")
    config.data.split = "test"
    test = load_data(config)
    x, y, _ = test.batch(torch.arange(min(args.n, len(test))))
    value_range = tuple(test.value_range)
    classifier = load_classifier(classifier_name, resolution=x.shape[-1])
    invariant = None
    if args.invariant:
        shifts = transform_config(config.model.transform)[0]
        invariant = load_classifier(classifier_name, resolution=x.shape[-1],
                                    augment=TransformConfig(shift=shifts.shift, rotate=shifts.rotate))
    if args.knn or args.pairs:
        config.data.split = "train"
        train = load_data(config)
    if args.knn:
        train_x, train_y, _ = train.batch(torch.arange(min(args.knn, len(train))))
    checkpoints = list_checkpoints(checkpoints_dir(args.run_dir))
    for path in checkpoints:
        model = latentgan.load(args.run_dir, checkpoint=path, averaged=not args.live_weights)
        reconstructed = map_in_batches(model.reconstruct, x, 250)
        shown = to_unit_range(reconstructed, value_range)
        agreement = float((classifier.predict(shown) == y).float().mean())
        mse = float((reconstructed - x).pow(2).mean())
        extra = (f", invariant classifier {float((invariant.predict(shown) == y).float().mean()):.3f}"
                 if invariant is not None else "")
        if args.knn:
            codes = map_in_batches(model.encode, train_x, 250), map_in_batches(model.encode, x, 250)
            extra += f", code k-NN {knn_accuracy(codes[0], train_y, codes[1], y):.3f}"
        print(f"step {checkpoint_step(path):>7}: class agreement {agreement:.3f}{extra}, MSE {mse:.4f}", flush=True)
    if args.pairs and checkpoints:
        matched, mismatched = matched_vs_mismatched(model, train.batch(torch.arange(args.pairs))[0])
        print(f"D(T(x), x) {matched:.3f}, D(T(x'), x) mismatched {mismatched:.3f}")


if __name__ == "__main__":
    main()
