"""Regenerate the README's user-journey pictures in docs/images/ from the quickstart's GLO on the embedded digits.

Journey: train (an encoder model) -> a folder of "your" images (held-out test digits) -> encode -> reconstruct ->
interpolate -> sample N into a folder -> fid against your folder -> compare two runs. From the repository root:
    OMP_NUM_THREADS=1 python scripts/readme_pictures.py --steps 1500 --n 2048 --work runs/readme
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from latentgan.cli import main as cli
from latentgan.run import Run


def run(*args) -> None:
    """One CLI call, stopping the script on a failure."""
    print("$ latentgan " + " ".join(str(a) for a in args), flush=True)
    if cli([str(a) for a in args]) != 0:
        raise SystemExit(f"failed: latentgan {' '.join(str(a) for a in args)}")


def export_digits(run_dir: Path, folder: Path, count: int) -> None:
    """Write count of the run's held-out digits as PNGs: stands in for a user's folder of images."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    images = Run.open(run_dir).data("heldout").x  # uint8 (N, 1, 28, 28): digits the run never trained on
    for i in range(count):
        Image.fromarray(images[i, 0].numpy()).save(folder / f"digit_{i:04d}.png")


def main() -> None:
    """Train two small runs and write the journey's outputs; the pictures are copied into docs/images/."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--n", type=int, default=2048, help="samples for the folder and FID (README: 2048)")
    parser.add_argument("--work", default="runs/readme")
    parser.add_argument("--images", default="docs/images")
    args = parser.parse_args()
    work, images = Path(args.work), Path(args.images)
    images.mkdir(parents=True, exist_ok=True)
    common = ["--steps", args.steps, "--quiet", "--device", "cpu", "--set", f"train.checkpoint_every={args.steps // 5}",
              "--set", "train.log_every=25", "--set", "train.sample_every=100000", "--set", "train.eval_every=0"]
    for name, dim in (("glo-16", 16), ("glo-8", 8)):  # the quickstart, and the same with half the code size
        if not (work / name / "run.json").exists():
            run("train", "--config", "quickstart", *common, "--set", f"model.latent_dim={dim}", "--out", work / name)
    a, b = work / "glo-16", work / "glo-8"
    export_digits(a, work / "my_digits", 500)
    run("encode", a, work / "my_digits", "--out", work / "codes.npz")
    export_digits(a, work / "a_few_digits", 16)  # a 4x4 grid pair stays a small PNG
    run("reconstruct", a, work / "a_few_digits", "--out", images / "reconstruct.png")
    run("interpolate", a, work / "my_digits" / "digit_0000.png", work / "my_digits" / "digit_0001.png",
        "--steps", 8, "--out", images / "interpolate.png")
    shutil.rmtree(work / "samples", ignore_errors=True)
    run("sample", a, "--n", args.n, "--out", f"{work / 'samples'}/")
    run("sample", a, "--n", 64, "--out", images / "sample.png")
    run("fid", work / "samples", work / "my_digits")
    for r in (a, b):
        run("eval", r, "--metrics", "recon,cfid", "--n", 2048)
    run("compare", a, b, "--out", work / "compare")
    shutil.copy(work / "compare" / "curves.png", images / "compare_curves.png")


if __name__ == "__main__":
    main()
