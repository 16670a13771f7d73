"""Reproduction cards: the paper's claim, our numbers beside the paper's, and a plain verdict."""

from __future__ import annotations

import platform
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

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

    def markdown(self) -> str:
        """The card as Markdown: claim, verdict, table, notes, figures, command and environment."""
        status = {True: "reproduced", False: "not reproduced", None: "undecided"}[self.reproduced]
        lines = [f"# {self.name}", "", f"**Paper:** {self.paper}", "", f"**Claim:** {self.claim}", "",
                 f"**Verdict ({status}):** {self.verdict}", ""]
        if self.rows:
            keys = list(dict.fromkeys(k for row in self.rows for k in row))
            lines += ["| " + " | ".join(keys) + " |", "|" + " --- |" * len(keys)]
            lines += ["| " + " | ".join(_cell(row.get(k, "")) for k in keys) + " |" for row in self.rows]
            lines.append("")
        if self.notes:
            lines += ["## Notes", ""] + [f"- {n}" for n in self.notes] + [""]
        if self.figures:
            lines += ["## Figures", ""] + [f"![{p.stem}]({p.name})" for p in self.figures] + [""]
        lines += ["## How this was produced", "", f"    {self.command or current_command()}", "",
                  f"{time.strftime('%Y-%m-%d')}, torch {torch.__version__}, Python {platform.python_version()}, "
                  f"{'CUDA ' + torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'CPU'}, "
                  f"{torch.get_num_threads()} threads.", ""]
        return "\n".join(lines)

    def write(self, out_dir: Path) -> Path:
        """Write card.md into out_dir (created if needed) and return its path."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / "card.md"
        write_text_atomic(path, self.markdown())
        return path


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def current_command() -> str:
    """The command line of this process, for the card's 'how this was produced'."""
    argv = ["latentgan", *sys.argv[1:]] if sys.argv and sys.argv[0].endswith("latentgan") else sys.argv
    return " ".join(shlex.quote(a) for a in argv)
