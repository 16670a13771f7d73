"""The experiment registry: one function per paper claim, run by `latentgan reproduce NAME`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from latentgan.errors import ConfigError
from latentgan.experiments.protocol import check_tier
from latentgan.plugins import import_submodules


@dataclass(frozen=True)
class ExperimentSettings:
    """What every experiment takes: where to write, the budget tier, seeds, parallel jobs and the device.

    budget: "smoke" (seconds, for tests; never a verdict), "cpu" (decides the claim on a 2-core CPU with scaled
    settings the card lists) or "paper" (the paper's protocol, for a GPU). quick=True is the old name of "smoke".
    """

    out_dir: Path
    seeds: int | None = None
    quick: bool = False
    device: str = "auto"
    log: Callable[[str], None] = print
    budget: str = ""
    jobs: int = 1
    started: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        budget = check_tier(self.budget or ("smoke" if self.quick else "cpu"))
        object.__setattr__(self, "budget", budget)
        object.__setattr__(self, "quick", budget == "smoke")
        if self.jobs < 1:
            raise ConfigError(f"--jobs must be at least 1, got {self.jobs}")


@dataclass(frozen=True)
class Experiment:
    """A registered experiment: its name, the paper claim it checks, and the function that runs it."""

    name: str
    paper: str
    claim: str
    run: Callable[[ExperimentSettings], Path]  # returns the path of the card it wrote


EXPERIMENTS: dict[str, Experiment] = {}


def register_experiment(name: str, paper: str, claim: str):
    """Decorator: register run(settings) -> card path under `name` (e.g. 'lens-mnist')."""
    def wrap(fn: Callable[[ExperimentSettings], Path]) -> Callable[[ExperimentSettings], Path]:
        EXPERIMENTS[name] = Experiment(name, paper, claim, fn)
        return fn
    return wrap


def get_experiment(name: str) -> Experiment:
    """Look up an experiment by name with a clear error listing the known ones."""
    import_submodules("latentgan.experiments")
    if name not in EXPERIMENTS:
        known = ", ".join(sorted(EXPERIMENTS)) or "none yet"
        raise ConfigError(f"unknown experiment '{name}'; known experiments: {known}")
    return EXPERIMENTS[name]
