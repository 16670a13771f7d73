"""A run's evaluation results as the explorer's metrics panel shows them."""

from __future__ import annotations

import json
from pathlib import Path

from latentgan.errors import RunDirError
from latentgan.run import read_eval_file


def metrics_table(run_dir: Path) -> dict:
    """The run's eval.json as display rows (numbers to 4 significant digits) and the report link when present."""
    try:
        data = read_eval_file(run_dir)
        note = None if data is not None else "no eval.json yet: measure the run with `latentgan eval RUN_DIR`"
    except RunDirError as e:
        data, note = {}, str(e)
    data = data if isinstance(data, dict) else {}
    # eval.json is hand-editable: anything but {name: value} objects is shown as nothing rather than failing.
    metrics, skipped = (v if isinstance(v, dict) else {} for v in (data.get("metrics"), data.get("skipped")))
    return {"rows": [[str(k), _format(v)] for k, v in metrics.items()],
            "skipped": [[str(k), str(v)] for k, v in skipped.items()], "note": note,
            "report": "/report.html" if (run_dir / "report.html").is_file() else None}


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict) and "mean" in value and "std" in value:
        return f"{_format(value['mean'])} ± {_format(value['std'])}"
    return value if isinstance(value, str) else json.dumps(value)
