"""GPU fast paths, switched by train.*: bf16 autocast, channels_last, torch.compile and cuDNN autotuning.

Data already stays on the device and is batched by index (no DataLoader), and losses stay on the device
until a log line, so a step never waits for the host. What is here changes how the networks run, not what
they compute: each switch leaves the model's update order and losses as they are.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
from torch import nn

from latentgan.errors import ConfigError
from latentgan.models.base import GenerativeModel

COMPILE_BACKEND = "inductor"  # tests swap in "aot_eager": the same tracing without a C++ compiler


@dataclass
class FastPath:
    """The resolved switches of one run on one device; `auto` values are decided here."""

    device: torch.device
    precision: str = "fp32"
    channels_last: bool = False
    compile_mode: str = "off"

    def autocast(self) -> contextlib.AbstractContextManager:
        """The context a training step runs in: bf16 autocast, or nothing for fp32."""
        if self.precision != "bf16":
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=torch.bfloat16)

    def batch(self, batch: tuple) -> tuple:
        """The trainer's batch (x, y, index) with x in the networks' memory format."""
        x, *rest = batch
        if self.channels_last and x.dim() == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        return (x, *rest)

    def prepare(self, model: nn.Module) -> None:
        """Convert and compile the model's networks; cheap to call again after a network was replaced."""
        if self.channels_last:
            model.to(memory_format=torch.channels_last)  # a no-op for tensors already in that format
        if self.compile_mode != "off":
            for module in model.children():
                if _compilable(module) and getattr(module, "_compiled_call_impl", None) is None:
                    kwargs = {} if self.compile_mode == "default" else {"mode": self.compile_mode}
                    module.compile(backend=COMPILE_BACKEND, **kwargs)


def _compilable(module: nn.Module) -> bool:
    """Networks with parameters; not GLO's code table, whose sparse gradients torch.compile does not trace."""
    return not isinstance(module, nn.Embedding) and any(True for _ in module.parameters())


def resolve_fast_path(train, model: nn.Module, device: torch.device, notice=print) -> FastPath:
    """The switches of train (a TrainConfig) resolved for this model and device, refusing combinations that fail.

    A compile mode the model cannot hold (a growing model, WGAN-GP's double backward) falls back to eager with
    a one-line `notice`, as does reduce-overhead (CUDA graphs) off CUDA, which runs as the default mode there.
    On CUDA this also sets torch.backends.cudnn.benchmark (a process-wide flag) from train.cudnn_benchmark.
    """
    is_image = isinstance(model, GenerativeModel) and model.data_shape.is_image
    precision = train.precision
    if precision == "auto":
        precision = "bf16" if device.type == "cuda" and torch.cuda.is_bf16_supported() else "fp32"
    if precision == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ConfigError("train.precision=bf16 needs a GPU with bfloat16 support (Ampere or newer); "
                          "use train.precision=fp32")
    # null: on for image networks. Measured on CPU (docs/performance.md): 13-30 % faster steps for the GAN, GLO
    # and IVE-GAN, 7 % slower for ALI's tables; on GPUs it is the layout cuDNN's tensor-core kernels prefer.
    channels_last = is_image if train.channels_last is None else bool(train.channels_last) and is_image
    compile_mode = _compile_mode(train.compile, model, device, notice)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = bool(train.cudnn_benchmark)
    return FastPath(device, precision, channels_last, compile_mode)


def _compile_mode(mode: str, model: nn.Module, device: torch.device, notice) -> str:
    """train.compile for this model and device: 'off' (with a notice) where compiled networks cannot hold."""
    if mode == "off":
        return mode
    refusal = model.compile_refusal if isinstance(model, GenerativeModel) else None
    if refusal:
        notice(f"notice: train.compile={mode} is off for this model: {refusal}; training eagerly (bf16 and "
               "channels_last still apply)")
        return "off"
    if mode == "reduce-overhead" and device.type != "cuda":
        notice(f"notice: train.compile=reduce-overhead captures CUDA graphs, which {device.type} lacks; "
               "compiling in the default mode")
        return "default"
    return mode
