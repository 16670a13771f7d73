"""Training: the loop, checkpoints, run directories, schedules."""

from latentgan.train.trainer import Trainer, select_device

__all__ = ["Trainer", "select_device"]
