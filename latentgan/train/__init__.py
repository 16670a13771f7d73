"""Training: the loop (trainer.py), run directories, divergence handling, signals and the end-of-run summary.

Nothing is imported here, so `latentgan.train.signals` (which the CLI needs for every command) does not load
the trainer; import latentgan.train.trainer for Trainer (select_device lives in latentgan.devices).
"""
