"""Data-parallel training under torchrun: one process per device, gradients averaged before every optimizer step.

We do not wrap networks in DistributedDataParallel: its reducer hooks one backward per forward, which breaks the
gradient penalty's double backward and the several forward passes (with parameters frozen and thawed) that GAN,
ALI and IVE-GAN steps make. Instead every optimizer gets a step pre-hook that averages the gradients of its
parameters across processes, in one flat all-reduce per optimizer step. The arithmetic is DDP's (the mean of
per-process gradients, so the effective batch is world_size x train.batch_size); replicas start identical and
stay identical because every process applies the same averaged gradient. Sparse gradients (GLO's code table)
are gathered row by row: each process's rows belong to its own shard of the data, so every table stays equal.
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import Tensor, nn

from latentgan.errors import LatentganError


class DistributedError(LatentganError):
    """A distributed run cannot start, or its processes disagree."""


@dataclass(frozen=True)
class DistContext:
    """This process's place in the job: rank, world size, and the device it trains on."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        """True for a job of more than one process."""
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Rank 0 alone writes logs, samples and checkpoints."""
        return self.rank == 0


SINGLE = DistContext()


def launched_by_torchrun() -> bool:
    """True when torchrun (or torch.distributed.run) started this process with WORLD_SIZE > 1."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def init_distributed(device: torch.device) -> DistContext:
    """Join the torchrun job (NCCL on CUDA, gloo on CPU); a plain process gets the single-process context."""
    if not launched_by_torchrun():
        return SINGLE
    rank, world, local = (int(os.environ[k]) for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK"))
    if not dist.is_available():
        raise DistributedError("this PyTorch build has no torch.distributed; run without torchrun")
    if not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        if device.type == "cuda":
            torch.cuda.set_device(local)
        dist.init_process_group(backend, rank=rank, world_size=world)
    return DistContext(rank, world, local)


def process_device(device: torch.device, ctx: DistContext) -> torch.device:
    """The device of this process: cuda:LOCAL_RANK when training on GPUs under torchrun."""
    if ctx.enabled and device.type == "cuda":
        return torch.device("cuda", ctx.local_rank)
    return device


def sync_batch_norm(model: nn.Module, ctx: DistContext, device: torch.device) -> None:
    """Turn every batch norm of the model into SyncBatchNorm (in place: parameters, so optimizers, are kept)."""
    if not ctx.enabled:
        return
    if device.type != "cuda":
        raise DistributedError("train.sync_batch_norm needs GPUs (PyTorch's SyncBatchNorm has no CPU kernel); "
                               "set train.sync_batch_norm=false for CPU jobs")
    for name, child in list(model.named_children()):
        setattr(model, name, nn.SyncBatchNorm.convert_sync_batchnorm(child))


def shutdown(ctx: DistContext) -> None:
    """Leave the process group (a no-op for a single process)."""
    if ctx.enabled and dist.is_initialized():
        dist.destroy_process_group()


def _average_dense(grads: list[Tensor], world: int) -> None:
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat.div_(world)
    offset = 0
    for g in grads:
        g.copy_(flat[offset:offset + g.numel()].view_as(g))
        offset += g.numel()


def _gather_rows(t: Tensor, world: int) -> Tensor:
    """all_gather of tensors whose first dimension differs between processes."""
    sizes = [torch.zeros(1, dtype=torch.long, device=t.device) for _ in range(world)]
    dist.all_gather(sizes, torch.tensor([t.shape[0]], device=t.device))
    longest = int(max(s.item() for s in sizes))
    padded = torch.zeros(longest, *t.shape[1:], dtype=t.dtype, device=t.device)
    padded[:t.shape[0]] = t
    parts = [torch.empty_like(padded) for _ in range(world)]
    dist.all_gather(parts, padded)
    return torch.cat([p[:int(s.item())] for p, s in zip(parts, sizes, strict=True)])


def _average_sparse(param: nn.Parameter, world: int) -> None:
    grad = param.grad.coalesce()
    indices = _gather_rows(grad.indices().t().contiguous(), world).t()
    values = _gather_rows(grad.values(), world)
    param.grad = torch.sparse_coo_tensor(indices, values / world, grad.shape, check_invariants=False).coalesce()


def average_gradients(optimizer: torch.optim.Optimizer, world: int) -> None:
    """Replace every gradient the optimizer will use by its mean over all processes."""
    # Every process runs the same code, so the same parameters have gradients everywhere and the collectives
    # match; parameters without one are left alone, as the optimizer will skip them.
    dense = []
    for p in (p for group in optimizer.param_groups for p in group["params"] if p.grad is not None):
        if p.grad.is_sparse:
            _average_sparse(p, world)
        else:
            dense.append(p.grad)
    if dense:
        _average_dense(dense, world)


class GradientAverager:
    """Attaches the averaging pre-hook to every optimizer a model has, including ones made after growth."""

    def __init__(self, ctx: DistContext):
        self.ctx = ctx
        self._hooked: weakref.WeakSet = weakref.WeakSet()

    def attach(self, model) -> None:
        """Hook the model's optimizers that are not hooked yet (cheap: call before every step)."""
        if not self.ctx.enabled:
            return
        for optimizer in model.optimizers.values():
            if optimizer not in self._hooked:
                optimizer.register_step_pre_hook(self._before_step)
                self._hooked.add(optimizer)

    def _before_step(self, optimizer: torch.optim.Optimizer, args, kwargs) -> None:
        average_gradients(optimizer, self.ctx.world_size)


def broadcast_state(model: nn.Module, ctx: DistContext) -> None:
    """Copy rank 0's parameters and buffers (batch-norm statistics, GLO's table) to every process."""
    if not ctx.enabled:
        return
    for tensor in [*model.parameters(), *model.buffers()]:
        dist.broadcast(tensor.data, src=0)


def check_replicas_agree(model: nn.Module, ctx: DistContext) -> None:
    """Raise DistributedError naming the first network whose parameters differ between processes."""
    if not ctx.enabled:
        return
    for name, module in model.named_children():
        params = [p.detach().reshape(-1).double() for p in module.parameters()]
        if not params:
            continue
        flat = torch.cat(params)
        # Two different checksums: a sum alone can hide a swap, a weighted sum alone can cancel by chance.
        weights = torch.arange(1, flat.numel() + 1, dtype=torch.float64, device=flat.device).remainder_(9973)
        local = torch.stack([flat.sum(), (flat * weights).sum()])
        lo, hi = local.clone(), local.clone()
        dist.all_reduce(lo, op=dist.ReduceOp.MIN)
        dist.all_reduce(hi, op=dist.ReduceOp.MAX)
        if not torch.equal(lo, hi):
            raise DistributedError(f"the processes' copies of '{name}' differ after training (rank {ctx.rank}); "
                                   "a model update ran on some ranks only; report this as a bug")


def agree(value, ctx: DistContext):
    """Rank 0's value on every process (e.g. a run directory named after the time)."""
    if not ctx.enabled:
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def seed_process(seed: int, step: int, ctx: DistContext) -> None:
    """Give every rank but 0 its own random stream (noise, transforms); rank 0 keeps the single-process one."""
    if ctx.enabled and ctx.rank > 0:
        torch.manual_seed(seed * 1_000_003 + step * 7919 + ctx.rank)


def agreed_signal(received: int | None, ctx: DistContext, device: torch.device) -> int | None:
    """The stop signal any process has received, on every process; None when none has."""
    if not ctx.enabled:
        return received
    flag = torch.tensor([received or 0], device=device)
    dist.all_reduce(flag, op=dist.ReduceOp.MAX)
    return int(flag.item()) or None


def barrier(ctx: DistContext) -> None:
    """Wait for every process (a no-op for a single process)."""
    if ctx.enabled:
        dist.barrier()


def mean_over_processes(values: dict[str, float], ctx: DistContext, device: torch.device) -> dict[str, float]:
    """Average logged scalars over processes so rank 0 logs the whole job's losses."""
    if not ctx.enabled or not values:
        return values
    keys = sorted(values)
    t = torch.tensor([float(values[k]) for k in keys], dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return {k: float(v) / ctx.world_size for k, v in zip(keys, t.tolist(), strict=True)}
