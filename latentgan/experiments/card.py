"""Reproduction cards: the paper's claim, our numbers beside the paper's, and a plain verdict."""

from __future__ import annotations

import json
import math
import platform
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from latentgan.experiments.protocol import Decision, combine
from latentgan.train.run_dir import write_text_atomic


@dataclass
class Card:
    """Everything a reproduction card says; `write` renders it as Markdown in the output directory."""

    name: str
    paper: str
    claim: str
    verdict: str  # one plain sentence: reproduced, not reproduced (and why), or partly
    reproduced: bool | None  # None when the experiment cannot decide (e.g. quick budget)
    rows: list[dict] = field(default_factory=list)  # the results table: our number beside the paper's
    notes: list[str] = field(default_factory=list)  # what was tried, budget, deviations from the paper
    figures: list[Path] = field(default_factory=list)
    command: str = ""
    decisions: list[Decision] = field(default_factory=list)  # the protocol's rules applied to per-seed results
    tier: str = ""  # smoke, cpu or paper (empty on a card written before the protocol)
    paper_number: str = ""  # the paper's figure for the scoreboard, e.g. "13.4 ± 5.8 modes"
    departures: list[str] = field(default_factory=list)  # every way the tier's settings depart from the paper
    wall_s: float | None = None  # wall-clock seconds of the `reproduce` call that wrote the card

    @property
    def status(self) -> str:
        """reproduced / not reproduced / inconclusive from the decisions; a smoke card never claims a verdict."""
        if self.tier == "smoke":
            return "smoke test only (no verdict)"
        if self.decisions:
            return combine(self.decisions)
        return {True: "reproduced", False: "not reproduced", None: "undecided"}[self.reproduced]

    def markdown(self) -> str:
        """The card as Markdown: claim, verdict, table, notes, figures, command and environment."""
        tier = f", {self.tier} tier" if self.tier else ""
        lines = [f"# {self.name}", "", f"**Paper:** {self.paper}", "", f"**Claim:** {self.claim}", "",
                 f"**Verdict ({self.status}{tier}):** {self.verdict}", ""]
        if self.decisions:
            lines += ["## Decision rules (fixed before the runs)", ""]
            lines += [f"- {d.rule.describe()} Result: {d.summary()}." for d in self.decisions] + [""]
        if self.rows:
            keys = list(dict.fromkeys(k for row in self.rows for k in row))
            lines += ["| " + " | ".join(keys) + " |", "|" + " --- |" * len(keys)]
            lines += ["| " + " | ".join(_cell(row.get(k, "")) for k in keys) + " |" for row in self.rows]
            lines.append("")
        if self.departures:
            lines += ["## Departures from the paper at this tier", ""] + [f"- {d}" for d in self.departures] + [""]
        if self.notes:
            lines += ["## Notes", ""] + [f"- {n}" for n in self.notes] + [""]
        if self.figures:
            lines += ["## Figures", ""] + [f"![{p.stem}]({p.name})" for p in self.figures] + [""]
        lines += ["## How this was produced", "", f"    {self.command or current_command()}", "",
                  f"{time.strftime('%Y-%m-%d')}, torch {torch.__version__}, Python {platform.python_version()}, "
                  f"{'CUDA ' + torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'CPU'}, "
                  f"{torch.get_num_threads()} threads"
                  + (f"; {self.wall_s / 60:.1f} min wall-clock." if self.wall_s is not None else "."), ""]
        return "\n".join(lines)

    def summary(self) -> dict:
        """The card's machine-readable facts (card.json): what the scoreboard is made from."""
        return {"name": self.name, "claim": self.claim, "status": self.status, "tier": self.tier,
                "verdict": self.verdict, "paper_number": self.paper_number,
                "decisions": [d.as_dict() for d in self.decisions], "wall_s": self.wall_s,
                "date": time.strftime("%Y-%m-%d"), "command": self.command or current_command(),
                "figures": [Path(p).name for p in self.figures]}

    def write(self, out_dir: Path) -> Path:
        """Write card.md and card.json into out_dir (created if needed) and return card.md's path."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / "card.md"
        write_text_atomic(path, self.markdown())
        write_text_atomic(out_dir / "card.json", json.dumps(_finite(self.summary()), indent=2, default=str) + "\n")
        return path


def _finite(value):
    """JSON has no inf or NaN: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def current_command() -> str:
    """The command line of this process, for the card's 'how this was produced'."""
    argv = ["latentgan", *sys.argv[1:]] if sys.argv and sys.argv[0].endswith("latentgan") else sys.argv
    return " ".join(shlex.quote(a) for a in argv)
