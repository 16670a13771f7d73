"""What `latentgan reproduce` does: run one card or all of them at a tier, publish them and redraw the scoreboard."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from latentgan.experiments.registry import EXPERIMENTS, ExperimentSettings, get_experiment
from latentgan.experiments.scoreboard import publish_card, write_scoreboard
from latentgan.plugins import import_submodules


def experiment_names() -> list[str]:
    """Every registered experiment, sorted."""
    import_submodules("latentgan.experiments")
    return sorted(EXPERIMENTS)


def run_card(name: str, settings: ExperimentSettings, publish: Path | None = None) -> Path:
    """Run one experiment into settings.out_dir; with `publish`, copy its card there and redraw the scoreboard."""
    card = get_experiment(name).run(settings)
    if publish is not None:
        publish_card(card.parent, publish, name)
        write_scoreboard(publish, experiment_names())
    return card


def finished_card(out_dir: Path, tier: str) -> bool:
    """Whether out_dir already holds a card of this tier (so `--all` can skip it when run again)."""
    try:
        return json.loads((Path(out_dir) / "card.json").read_text()).get("tier") == tier
    except (OSError, json.JSONDecodeError):
        return False


def run_all(out_root: Path, make_settings: Callable[[Path], ExperimentSettings], publish: Path | None = None,
            log: Callable[[str], None] = print) -> list[Path]:
    """Every experiment at one tier, each in out_root/NAME; finished cards are reused, interrupted runs continue."""
    cards = []
    for name in experiment_names():
        settings = make_settings(Path(out_root) / name)
        if finished_card(settings.out_dir, settings.budget):
            log(f"{name}: card of the {settings.budget} tier already in {settings.out_dir}, reused")
            card = settings.out_dir / "card.md"
            if publish is not None:
                publish_card(settings.out_dir, publish, name)
        else:
            log(f"{name}: running at the {settings.budget} tier")
            card = run_card(name, settings, publish)
        cards.append(card)
    if publish is not None:
        write_scoreboard(publish, experiment_names())
    return cards
