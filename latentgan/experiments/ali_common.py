"""What the ALI cards share: the paper, budgets counted in optimizer steps and images seen, and one seeded image run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from latentgan.config import load_config
from latentgan.experiments.registry import ExperimentSettings
from latentgan.experiments.runs import train_or_continue

PAPER = "Dumoulin, Belghazi, Poole, Mastropietro, Lamb, Arjovsky, Courville. Adversarially Learned Inference. ICLR 2017"


@dataclass(frozen=True)
class AliBudget:
    """One tier of an ALI card: optimizer steps, batch, seeds, and overrides every run of the tier shares."""

    steps: int
    batch: int
    seeds: int
    shared: tuple[str, ...] = ()
    n_eval: int = 1000

    @property
    def images_seen(self) -> int:
        """Training examples drawn by one run: steps x batch."""
        return self.steps * self.batch

    def describe(self) -> str:
        """'6,000 optimizer steps of batch 64 (384,000 examples seen), 3 seeds' for the card."""
        extra = f"; overrides {', '.join(self.shared)}" if self.shared else ""
        return (f"{self.steps:,} optimizer steps of batch {self.batch} ({self.images_seen:,} examples seen) per run, "
                f"{self.seeds} seeds{extra}")


def flat(tree: dict, prefix: str = "") -> dict:
    """Nested metric results flattened to 'a.b' keys."""
    out = {}
    for key, value in tree.items():
        out.update(flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value})
    return out


def first(metrics: dict, prefix: str) -> float | None:
    """The value of the first key starting with prefix (keys carry sample counts, e.g. cfid@1k), stds skipped."""
    return next((v for k, v in metrics.items() if k.startswith(prefix) and "_std" not in k), None)


def train_ali_image_run(settings: ExperimentSettings, dataset: str, budget: AliBudget, seed: int,
                        overrides: tuple[str, ...] = (), config_name: str = "ali-mnist") -> Path:
    """A packaged config (ali-mnist unless named) on `dataset`'s train split for one seed, trained (or reused /
    continued) into OUT/seedN/run."""
    every = min(budget.steps, 2000)
    config = load_config(config_name, [f"data.name={dataset}", "data.split=train", f"train.steps={budget.steps}",
                                       f"train.batch_size={budget.batch}", f"train.seed={seed}",
                                       "train.progress=false", f"train.checkpoint_every={every}",
                                       f"train.sample_every={every}", f"train.device={settings.device}",
                                       *budget.shared, *overrides])
    return train_or_continue(config, settings.out_dir / f"seed{seed}" / "run")


def seeds_of(settings: ExperimentSettings, budget: AliBudget) -> range:
    """The seeds a card trains: --seeds when given, else the tier's."""
    return range(settings.seeds or budget.seeds)
