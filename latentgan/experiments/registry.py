"""The experiment registry: one function per paper claim, run by `latentgan reproduce NAME`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from latentgan.errors import ConfigError
from latentgan.plugins import import_submodules


@dataclass(frozen=True)
class ExperimentSettings:
    """What every experiment takes: where to write, how many seeds, and whether to run the short version.

    quick=True runs a reduced budget (minutes on a laptop CPU) and the card says so; the full
    budget is the paper's protocol as far as the data available allows.
    """

    out_dir: Path
    seeds: int | None = None
    quick: bool = False
    device: str = "auto"
    log: Callable[[str], None] = print


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
