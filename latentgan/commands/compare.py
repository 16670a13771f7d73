"""`latentgan compare RUN RUN ...`: evaluated metrics side by side, overlaid training curves, differing config keys."""

from __future__ import annotations

import html
import json
from pathlib import Path

import yaml

from latentgan.errors import InputError
from latentgan.run import Run


def _flatten(tree: object, prefix: str = "") -> dict[str, object]:
    """A nested config as {"a.b.c": value}."""
    if not isinstance(tree, dict):
        return {prefix: tree}
    flat: dict[str, object] = {}
    for key, value in tree.items():
        flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def config_differences(runs: list[Run]) -> dict[str, list[object]]:
    """Config keys whose values differ between runs -> one value per run (None where a run lacks the key)."""
    flats = [_flatten(yaml.safe_load((r.path / "config.yaml").read_text()) or {}) for r in runs]
    keys = sorted(set().union(*flats))
    # train.out always differs (each run has its own directory) and says nothing about the runs.
    return {k: [f.get(k) for f in flats] for k in keys
            if k != "train.out" and len({json.dumps(f.get(k), sort_keys=True, default=str) for f in flats}) > 1}


def metric_table(runs: list[Run]) -> list[list[str]]:
    """Rows [metric, cell per run]; a cell is 'value (step S)', '-' where the run has no such result."""
    results = [r.eval_results() for r in runs]
    names: list[str] = []
    for res in results:
        names += [n for n in res.get("metrics", {}) if n not in names]
    rows = []
    for name in names:
        cells = []
        for res in results:
            if name not in res.get("metrics", {}):
                cells.append("-")
                continue
            value = res["metrics"][name]
            text = f"{value:.4g}" if isinstance(value, float) else str(value)
            step = res.get("steps", {}).get(name, res.get("step"))
            cells.append(text if step is None else f"{text} (step {step})")
        rows.append([name] + cells)
    return rows


def _read_log(run: Run) -> list[dict]:
    path = run.path / "metrics.jsonl"
    if not path.is_file():
        return []
    records = []
    for line in path.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut by a crash mid-write: the rest of the log still plots
    return records


def save_overlaid_curves(runs: list[Run], path: Path) -> list[str]:
    """A PNG with one panel per training-log key that every run logged, one line per run; returns the keys."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from latentgan.viz.curves import numeric_keys, series

    logs = [_read_log(r) for r in runs]
    shared = [k for k in numeric_keys(logs[0]) if all(k in numeric_keys(log) for log in logs[1:])]
    if not shared:
        return []
    fig, axes = plt.subplots(1, len(shared), figsize=(3.2 * len(shared), 2.6), squeeze=False)
    for ax, key in zip(axes[0], shared, strict=True):
        for run, log in zip(runs, logs, strict=True):
            ax.plot(*series(log, key), label=run.path.name, linewidth=1)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return shared


def _text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows])


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table border=1 cellpadding=4><tr>{head}</tr>{body}</table>"


def compare_runs(run_dirs: list[str | Path], out: str | Path | None = None) -> tuple[str, list[Path]]:
    """Compare runs: returns the terminal text and the files written under out (compare.md, .html, curves.png).

    InputError (nothing written) for fewer than two runs or runs none of which was evaluated.
    """
    if len(run_dirs) < 2:
        raise InputError("compare needs at least two run directories: `latentgan compare RUN_A RUN_B`")
    runs = [Run.open(d) for d in run_dirs]  # RunDirError for a directory that is not a run
    unevaluated = [str(r.path) for r in runs if not r.eval_results().get("metrics")]
    if len(unevaluated) == len(runs):
        raise InputError(f"no run has evaluation results ({', '.join(unevaluated)}); "
                         "run `latentgan eval RUN` on each first")
    header = ["metric"] + [r.path.name for r in runs]
    rows = metric_table(runs)
    diffs = config_differences(runs)
    diff_rows = [[k] + [json.dumps(v, default=str) for v in vals] for k, vals in diffs.items()]
    text = _text_table(header, rows)
    if unevaluated:
        text += "\n(not evaluated: " + ", ".join(unevaluated) + ")"
    text += "\n\nconfig keys that differ:\n" + (_text_table(["key"] + header[1:], diff_rows) if diff_rows
                                               else "(none)")
    written: list[Path] = []
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        curves = save_overlaid_curves(runs, out / "curves.png")
        md = ["# Runs compared", "", _markdown_table(header, rows), "", "## Config keys that differ", "",
              _markdown_table(["key"] + header[1:], diff_rows) if diff_rows else "(none)"]
        page = ["<html><body><h1>Runs compared</h1>", _html_table(header, rows), "<h2>Config keys that differ</h2>",
                _html_table(["key"] + header[1:], diff_rows) if diff_rows else "<p>(none)</p>"]
        if curves:
            md += ["", "## Training curves", "", "![curves](curves.png)"]
            page += ["<h2>Training curves</h2>", '<img src="curves.png">']
            written.append(out / "curves.png")
        (out / "compare.md").write_text("\n".join(md) + "\n")
        (out / "compare.html").write_text("\n".join(page + ["</body></html>"]) + "\n")
        written = [out / "compare.md", out / "compare.html"] + written
    return text, written
