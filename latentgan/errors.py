"""Errors a user can cause; the CLI prints their message as one line and exits non-zero."""


class LatentganError(Exception):
    """Base class: the message names the problem and the fix."""


class ConfigError(LatentganError, ValueError):
    """A config file, key or value is wrong."""


class RunDirError(LatentganError):
    """A run directory is missing, not a run, or already holds a run."""


class CheckpointError(LatentganError):
    """A checkpoint is missing, corrupt or belongs to another model."""


class MetricError(LatentganError, ValueError):
    """A metric cannot be computed as asked; the message names the problem and the fix."""


class CapabilityError(LatentganError, NotImplementedError):
    """A model was asked for something it does not do (encode with a GAN, classify with a VAE)."""


class InputError(LatentganError, ValueError):
    """Images, points or codes handed to a model have the wrong shape, type or value range."""
