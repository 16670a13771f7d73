"""GLO's code table at 1k, 100k and 1M codes (d = 256): memory and step time, sparse vs a dense table.

A tiny generator (DCGAN width 4, 28 px) keeps the network's cost small so the table's cost shows. The
sparse table (the library's GLO) should cost the same per step at any N; a dense embedding with momentum
SGD (what a naive implementation does) pays O(N) per step for its gradient and optimizer state.

    .venv/bin/python bench/glo_code_table.py [--sizes 1000 100000 1000000] [--steps 30] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from latentgan.models.base import DataShape
from latentgan.models.glo import GLO, GLOConfig

DIM, BATCH = 256, 64
SHAPE = DataShape((1, 28, 28))


def tensor_bytes(tensors) -> int:
    """Bytes held by tensors (sparse ones by their values and indices)."""
    total = 0
    for t in tensors:
        if t is None or not isinstance(t, torch.Tensor):
            continue
        if t.is_sparse:
            total += tensor_bytes([t._values(), t._indices()])
        else:
            total += t.numel() * t.element_size()
    return total


def optimizer_bytes(opt: torch.optim.Optimizer) -> int:
    """Bytes of an optimizer's per-parameter state (momentum buffers, Adam moments)."""
    return tensor_bytes(v for state in opt.state.values() for v in state.values())


def make_model(n: int, dense: bool) -> GLO:
    """GLO with n random codes; dense=True swaps in a dense table with momentum SGD, the naive way."""
    torch.manual_seed(0)
    model = GLO(GLOConfig(latent_dim=DIM, width=4, loss="l2"), SHAPE)
    model.set_codes(torch.randn(n, DIM))
    if dense:
        model.codes.sparse = False
        model.optimizers["codes"] = torch.optim.SGD(model.codes.parameters(), 10.0, momentum=0.9)
    return model


def measure(n: int, dense: bool, steps: int) -> dict:
    """Median step time and the bytes of table, gradient and optimizer state after `steps` steps."""
    model = make_model(n, dense)
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(BATCH, *SHAPE.sample_shape) * 2 - 1
    times = []
    for step in range(steps):
        index = torch.randperm(n, generator=gen)[:BATCH]
        start = time.perf_counter()
        model.training_step((x, None, index), step)
        times.append(time.perf_counter() - start)
    return {"n": n, "table": "dense" if dense else "sparse", "ms": 1e3 * statistics.median(times[steps // 3:]),
            "table_mb": tensor_bytes([model.codes.weight]) / 2**20,
            "grad_mb": tensor_bytes([model.codes.weight.grad]) / 2**20,
            "opt_mb": optimizer_bytes(model.optimizers["codes"]) / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: steadier on a shared CPU)")
    parser.add_argument("--no-dense", action="store_true", help="skip the dense baseline (it needs ~3 GB at 1M)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    measure(args.sizes[0], False, args.steps)  # warm-up: first calls pay for allocation and kernel selection
    kinds = [False] if args.no_dense else [False, True]
    rows = [measure(n, dense, args.steps) for n in args.sizes for dense in kinds]
    base = {r["table"]: r["ms"] for r in rows if r["n"] == args.sizes[0]}
    print(f"d={DIM}, batch={BATCH}, generator DCGAN width 4 at 28 px, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    print(f"| N | table | step ms | x step ms at N={args.sizes[0]:,} | table MB | code grad MB | "
          "code optimizer state MB |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['n']:,} | {r['table']} | {r['ms']:.2f} | {r['ms'] / base[r['table']]:.2f} | "
              f"{r['table_mb']:.1f} | {r['grad_mb']:.2f} | {r['opt_mb']:.1f} |")


if __name__ == "__main__":
    main()
