"""Latent order: how much each block of latent dimensions changes the output (the growing thesis' measure).

Sandström (2019, sec. 7 and 9) resamples one block of latent dimensions (1-8, 9-16, 17-32, ...) around a fixed
reference code and proposes the standard deviation across the generated images, computed like the minibatch
standard deviation, as a number per block; a grown latent space should give large numbers for the first
blocks and small ones for the last.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from latentgan.metrics.errors import MetricError

PRIORS = ("normal", "uniform")


def default_blocks(latent_dim: int) -> list[tuple[int, int]]:
    """1-based inclusive blocks: one per dimension up to 8 dims, else 1-8, 9-16, 17-32, ... clipped to latent_dim."""
    if latent_dim <= 8:
        return [(i, i) for i in range(1, latent_dim + 1)]
    blocks, first, last = [], 1, 8
    while first <= latent_dim:
        blocks.append((first, min(last, latent_dim)))
        first, last = last + 1, 2 * last
    return blocks


def _block_name(first: int, last: int) -> str:
    return f"latent_order_block_{first}" if first == last else f"latent_order_block_{first}-{last}"


def _draw(prior: str, shape: tuple[int, ...], generator: torch.Generator) -> Tensor:
    if prior == "normal":
        return torch.randn(shape, generator=generator)
    return torch.rand(shape, generator=generator) * 2 - 1  # U(-1, 1), the thesis' prior


@torch.no_grad()
def _block_variation(decode_fn: Callable[[Tensor], Tensor], references: Tensor, first: int, last: int,
                     n_resamples: int, prior: str, generator: torch.Generator, device: torch.device | str) -> float:
    # For each reference, n_resamples codes that differ only in dims first..last (1-based); one decode call.
    n_refs, dim = references.shape
    z = references.unsqueeze(1).repeat(1, n_resamples, 1)
    z[:, :, first - 1:last] = _draw(prior, (n_refs, n_resamples, last - first + 1), generator)
    images = decode_fn(z.view(-1, dim).to(device)).float().view(n_refs, n_resamples, -1)
    # Per pixel std across the resamples (population std, as minibatch standard deviation), then the mean.
    return images.std(dim=1, correction=0).mean().item()


def latent_order(decode_fn: Callable[[Tensor], Tensor], latent_dim: int, blocks: list[tuple[int, int]] | None = None,
                 n_references: int = 8, n_resamples: int = 16, prior: str = "normal", seed: int = 0,
                 device: torch.device | str = "cpu") -> dict[str, float]:
    """Mean per-pixel std of decode_fn's output when only one block of the code is resampled, per block.

    decode_fn: (B, latent_dim) -> (B, ...), e.g. a generator in eval mode. blocks: 1-based inclusive
    (first, last) pairs (default `default_blocks`). Codes are drawn on the CPU from `seed` (the same on any
    device) and moved to `device`. Returns latent_order_block_<first>-<last> (or _<i> for one dimension) and
    latent_order_first_last_ratio (first block / last block; inf when the last is 0).
    """
    if prior not in PRIORS:
        raise MetricError(f"unknown prior '{prior}'; choose one of: {', '.join(PRIORS)}")
    if n_resamples < 2 or n_references < 1:
        raise MetricError("latent order needs n_resamples >= 2 and n_references >= 1")
    blocks = default_blocks(latent_dim) if blocks is None else blocks
    bad = [b for b in blocks if not 1 <= b[0] <= b[1] <= latent_dim]
    if bad or not blocks:
        raise MetricError(f"blocks must be 1-based (first, last) pairs within 1..{latent_dim}, got {bad or blocks}")
    generator = torch.Generator().manual_seed(seed)
    references = _draw(prior, (n_references, latent_dim), generator)
    result = {_block_name(first, last): _block_variation(decode_fn, references, first, last, n_resamples, prior,
                                                         generator, device)
              for first, last in blocks}
    values = list(result.values())
    result["latent_order_first_last_ratio"] = _ratio(values[0], values[-1])
    return result


def _ratio(first: float, last: float) -> float:
    if last > 0:
        return first / last
    return float("inf") if first > 0 else float("nan")
