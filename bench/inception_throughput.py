"""FID Inception feature extraction: images/second by batch size, and the time of a 10k-vs-10k FID.

    python bench/inception_throughput.py [--device cuda] [--inception PATH] [--batches 16,64,256]
                                         [--images 1024] [--fid-n 10000] [--compare-cpu 64]

Images are 28x28 grayscale in [0, 1] (Fashion-MNIST's size), put through latentgan's exact FID input
convention (8-bit quantisation, TF1 bilinear resize to 299, TF range) and the pt_inception network. The FID
time covers extracting both sets' features and the Frechet distance. --compare-cpu N also extracts N images
on the CPU and prints the largest relative difference of the GPU's features, with TF32 convolutions on
(PyTorch's default for cuDNN) and off. Weights stored in half precision (to carry them) are cast back to fp32.
"""

from __future__ import annotations

import argparse
import time

import torch

from latentgan.metrics.fid import fid_from_features
from latentgan.metrics.inception import InceptionFeatures, load_inception


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _images(n: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 28, 28, generator=g)


def main() -> None:
    """Time extraction per batch size, one 10k-vs-10k FID, and optionally GPU/CPU feature agreement."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--inception", default=None, help="pt_inception TorchScript file (default: the installed one)")
    p.add_argument("--batches", default="16,64,256")
    p.add_argument("--images", type=int, default=1024, help="images timed per batch size")
    p.add_argument("--fid-n", type=int, default=10000, help="images per set for the FID timing; 0 skips it")
    p.add_argument("--compare-cpu", type=int, default=0)
    args = p.parse_args()
    device = torch.device(args.device)
    model = load_inception(args.inception, device).float()
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu, {torch.get_num_threads()} threads"
    print(f"device {name}, torch {torch.__version__}")
    images = _images(args.images, 0)
    for batch in map(int, args.batches.split(",")):
        extract = InceptionFeatures(device=device, batch_size=batch, model=model)
        extract(images[:batch])  # warm-up: cuDNN, allocator
        _sync(device)
        start = time.perf_counter()
        extract(images)
        _sync(device)
        rate = args.images / (time.perf_counter() - start)
        print(f"batch {batch:>4}: {rate:9.1f} images/s", flush=True)
    if args.fid_n:
        extract = InceptionFeatures(device=device, batch_size=int(args.batches.split(",")[-1]), model=model)
        start = time.perf_counter()
        fid = fid_from_features(extract(_images(args.fid_n, 1)), extract(_images(args.fid_n, 2)))
        print(f"FID {args.fid_n} vs {args.fid_n}: {time.perf_counter() - start:.1f} s (value {fid:.4f}, two draws "
              "of the same uniform noise)", flush=True)
    if args.compare_cpu and device.type == "cuda":
        sample = _images(args.compare_cpu, 3)
        reference = InceptionFeatures(device="cpu", batch_size=16, model=model.to("cpu"))(sample)
        model.to(device)
        for tf32 in (True, False):
            torch.backends.cudnn.allow_tf32 = tf32
            torch.backends.cuda.matmul.allow_tf32 = tf32
            gpu = InceptionFeatures(device=device, batch_size=64, model=model)(sample)
            rel = ((gpu - reference).abs().max() / reference.abs().max()).item()
            print(f"GPU vs CPU features, TF32 {'on ' if tf32 else 'off'}: max |diff| / max |feature| = {rel:.2e}")


if __name__ == "__main__":
    main()
