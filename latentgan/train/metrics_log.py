"""metrics.jsonl: one JSON object per logged step, and the running loss means between logs."""

from __future__ import annotations

import json
import math
from pathlib import Path

from torch import Tensor

from latentgan.files import atomic_write


def _json_number(value: object) -> object:
    """value as standard JSON allows: NaN becomes None, infinities become "inf"/"-inf", the rest is unchanged."""
    if not isinstance(value, float) or math.isfinite(value):
        return value
    return None if math.isnan(value) else str(value)


class LossAccumulator:
    """Sums losses between log lines; its state is checkpointed so a resumed run logs the same means."""

    def __init__(self):
        self.sums: dict[str, float | Tensor] = {}
        self.counts: dict[str, int] = {}

    def add(self, losses: dict[str, Tensor | float]) -> None:
        """Add one step's losses (tensors stay on their device until the next log line)."""
        for name, value in losses.items():
            value = value.detach() if isinstance(value, Tensor) else float(value)
            self.sums[name] = self.sums.get(name, 0.0) + value
            self.counts[name] = self.counts.get(name, 0) + 1

    def pop_means(self) -> dict[str, float]:
        """The mean of each loss since the last call, then reset."""
        means = {name: float(total) / self.counts[name] for name, total in self.sums.items()}
        self.sums, self.counts = {}, {}
        return means

    def state_dict(self) -> dict:
        """Plain floats and counts."""
        return {"sums": {k: float(v) for k, v in self.sums.items()}, "counts": dict(self.counts)}

    def load_state_dict(self, state: dict) -> None:
        """Continue summing from a checkpoint."""
        self.sums, self.counts = dict(state["sums"]), dict(state["counts"])


class MetricsLog:
    """Append-only JSON-lines file of training metrics."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def append(self, record: dict) -> None:
        """Append one record as a line in standard JSON: NaN as null, +-inf as the strings "inf" and "-inf"."""
        # null, not "nan": pandas and jq read null as missing. Infinity keeps its meaning (e.g. reverse KL inf
        # = a mode never generated), so it stays a string rather than collapsing into null with NaN.
        clean = {k: _json_number(v) for k, v in record.items()}
        with open(self.path, "a") as f:
            f.write(json.dumps(clean) + "\n")

    def read(self) -> list[dict]:
        """All records; a line cut short by a crash is skipped."""
        if not self.path.exists():
            return []
        records = []
        for line in self.path.read_text().splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return records

    def truncate_after(self, step: int) -> None:
        """Drop records logged after `step` (a resumed run writes them again, identically)."""
        if not self.path.exists():
            return
        kept = [r for r in self.read() if r.get("step", 0) <= step]
        text = "".join(json.dumps(r) + "\n" for r in kept)
        atomic_write(self.path, lambda f: f.write(text.encode()))


def final_evaluation(records: list[dict], step: int) -> dict[str, float]:
    """The periodic evaluation written at the last step (train.eval_every), without the loss record's keys."""
    found = {}
    for record in records:
        if record.get("step") == step and "images_per_sec" not in record and not any(k.startswith("params_")
                                                                                       for k in record):
            found.update({k: v for k, v in record.items() if k != "step"})
    return found


def last_evaluation(records: list[dict]) -> tuple[int, dict[str, float]]:
    """The step and numbers of the run's final periodic evaluation; (0, {}) when the last step has none."""
    step = max((r.get("step", 0) for r in records), default=0)
    return step, final_evaluation(records, step)
