"""Former home of the checkpoint format, now latentgan/checkpoint.py; kept for experiments/ until they import it."""

from latentgan.checkpoint import (  # noqa: F401
    checkpoint_path,
    checkpoint_step,
    list_checkpoints,
    load_latest_checkpoint,
    read_checkpoint,
    save_checkpoint,
)
