"""report.html: one self-contained page per run with its config, metrics, curves and pictures."""

from __future__ import annotations

import base64
import html
import json
import re
import time
from pathlib import Path

import yaml
from PIL import Image

from latentgan.errors import RunDirError
from latentgan.files import atomic_write
from latentgan.run import read_eval_file
from latentgan.train.metrics_log import MetricsLog, last_evaluation
from latentgan.viz.curves import numeric_keys, save_metric_curves

REPORT = "report.html"
CURVES = "curves.png"
MAX_SAMPLE_PICTURES = 6

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1150px;
       padding: 1.5em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em; }
.meta { color: #666; font-size: 0.9em; }
pre { background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 4px; padding: 0.8em; overflow-x: auto;
      white-space: pre-wrap; font-size: 0.85em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.8em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f6f8fa; }
.config { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 0.8em; }
.config pre { margin: 0; }
.pictures { display: flex; flex-wrap: wrap; gap: 1.2em; align-items: flex-start; }
figure { margin: 0; max-width: 100%; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; font-family: ui-monospace, monospace; }
"""


def _config_html(text: str) -> str:
    """config.yaml as YAML text, one <pre> per top-level section side by side (model, data, train)."""
    sections = re.split(r"\n(?=\S)", text.strip()) if text.strip() else [""]
    blocks = "".join(f"<pre>{html.escape(section)}</pre>" for section in sections)
    return f'<h2>Config</h2><details><summary>config.yaml</summary><div class="config">{blocks}</div></details>'


def _read_text(path: Path) -> str | None:
    """The file's text, or None when it is absent or unreadable."""
    try:
        return path.read_text(errors="replace")
    except OSError:
        return None


def _format_value(value: object) -> str:
    """Numbers to 4 significant digits (integers whole), {mean, std, ...} as mean ± std (...), others compactly."""
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        spread = "mean" in value and "std" in value
        rest = ", ".join(f"{k}: {_format_value(v)}" for k, v in value.items() if not spread or k not in ("mean", "std"))
        if spread:
            head = f"{_format_value(value['mean'])} ± {_format_value(value['std'])}"
            return f"{head} ({rest})" if rest else head
        return rest
    if isinstance(value, list):
        return ", ".join(_format_value(v) for v in value)
    return str(value)


def _is_group(value: object) -> bool:
    """A dict that is a group of named entries (e.g. skipped metrics and their reasons), not a mean ± std."""
    return isinstance(value, dict) and not ("mean" in value and "std" in value)


def _cell(value: object) -> str:
    """One escaped table cell, right-aligned when it holds a number."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    align = ' class="num"' if is_number else ""
    return f"<td{align}>{html.escape(_format_value(value))}</td>"


def _table(rows: dict, header: tuple[str, str] = ("metric", "value")) -> str:
    """A two-column HTML table of name -> value."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(f"<tr><td>{html.escape(str(k))}</td>{_cell(v)}</tr>" for k, v in rows.items())
    return f"<table><tr>{head}</tr>{body}</table>"


def _by_step_table(by_step: dict) -> str:
    """eval.json's results per checkpoint (`eval --checkpoints all`): one row per step, one column per metric."""
    steps = sorted(by_step, key=lambda s: int(s) if str(s).isdigit() else -1)
    names = list(dict.fromkeys(k for s in steps if isinstance(by_step[s], dict) for k in by_step[s]))
    head = "".join(f"<th>{html.escape(n)}</th>" for n in ["step", *names])
    rows = "".join("<tr>" + _cell(int(s) if str(s).isdigit() else s) + "".join(
        _cell(by_step[s].get(n, "")) for n in names) + "</tr>" for s in steps if isinstance(by_step[s], dict))
    return f"<h3>by checkpoint step</h3><table><tr>{head}</tr>{rows}</table>"


def _training_evaluation_section(run_dir: Path) -> str:
    """The periodic evaluation at the run's last step (train.eval_metrics), for runs not yet given `eval`."""
    step, final = last_evaluation(MetricsLog(run_dir / "metrics.jsonl").read())
    if not final:
        return ""
    return (f"<h2>Evaluation at step {step} (during training)</h2>" + _table(final)
            + f"<p class=\"meta\">more metrics: <code>latentgan eval {html.escape(str(run_dir))}</code></p>")


def _evaluation_section(run_dir: Path) -> str:
    """eval.json as tables: a flat {name: value} object, or {"metrics": {...}, "skipped": {...}, details...}."""
    try:
        data = read_eval_file(run_dir)
    except RunDirError as e:
        return f"<h2>Evaluation</h2><p>{html.escape(str(e))}.</p>"
    if data is None:
        return _training_evaluation_section(run_dir)
    if not isinstance(data, dict):
        return f"<h2>Evaluation</h2><pre>{html.escape(json.dumps(data, indent=2))}</pre>"
    if not isinstance(data.get("metrics"), dict):
        return "<h2>Evaluation</h2>" + _table(data)
    parts = ["<h2>Evaluation</h2>", _table(data["metrics"])]
    if isinstance(data.get("by_step"), dict) and data["by_step"]:
        parts.append(_by_step_table(data["by_step"]))
    for key, value in data.items():
        if key not in ("metrics", "by_step") and _is_group(value) and value:
            parts.append(f"<h3>{html.escape(str(key))}</h3>" + _table(value, ("name", "value")))
    details = {k: v for k, v in data.items() if k != "metrics" and not _is_group(v)}
    if details:
        parts.append("<h3>details</h3>" + _table(details, ("field", "value")))
    return "".join(parts)


def _image_tag(path: Path, caption: str, kind: str) -> str:
    """A <figure> with the PNG embedded as a base64 data URI and its pixel size, captioned."""
    data = path.read_bytes()
    try:
        with Image.open(path) as image:
            width, height = image.size
    except OSError:
        return f"<figure><figcaption>{html.escape(caption)} (not a readable PNG)</figcaption></figure>"
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<figure class="{kind}"><img src="data:image/png;base64,{encoded}" alt="{html.escape(caption)}" '
            f'width="{width}" height="{height}"><figcaption>{html.escape(caption)}</figcaption></figure>')


def _step_key(path: Path) -> tuple[int, str]:
    """Sort pictures by the last number in their name (step_0000500.png), then by name."""
    numbers = re.findall(r"\d+", path.stem)
    return (int(numbers[-1]) if numbers else -1, path.name)


def _curves_section(run_dir: Path) -> str:
    """Plot metrics.jsonl into plots/curves.png (beside the report) and embed it."""
    records = MetricsLog(run_dir / "metrics.jsonl").read()
    if not numeric_keys(records, min_points=2):
        return ""
    path = save_metric_curves(records, run_dir / "plots" / CURVES)
    return f'<h2>Training curves</h2><div class="pictures">{_image_tag(path, f"plots/{CURVES}", "plot")}</div>'


def _samples_section(run_dir: Path) -> str:
    """The newest sample pictures, latest first."""
    pictures = sorted((run_dir / "samples").glob("*.png"), key=_step_key)[-MAX_SAMPLE_PICTURES:][::-1]
    if not pictures:
        return ""
    tags = "".join(_image_tag(p, f"samples/{p.name}", "sample") for p in pictures)
    return f'<h2>Samples (latest first)</h2><div class="pictures">{tags}</div>'


# What each picture shows, by file name: a reader should not need the code to read a figure.
CAPTIONS = {
    "reconstructions.png": "held-out images, each followed by its reconstruction decode(encode(x))",
    "interpolation.png": "each row: two held-out images at the ends, the decoded straight path between their codes",
    "interpolation_real.png": "each row: two held-out images at the ends, the decoded straight path between their "
                              "codes",
    "interpolation_random.png": "each row: the decoded straight path between two random codes",
    "latent_scatter.png": "codes of held-out images, coloured by label",
    "points_by_mode.png": "samples coloured by their nearest mode, beside the real points",
}


def _caption(path: Path, run_dir: Path) -> str:
    name = path.relative_to(run_dir).as_posix()
    return f"{name}: {CAPTIONS[path.name]}" if path.name in CAPTIONS else name


# The summary's pictures and the report's plots/ draw the same figure by the same function; show one of each.
SAME_PICTURE = {"plots/reconstructions.png": "reconstructions.png", "plots/interpolation_real.png": "interpolation.png"}


def _plots_section(run_dir: Path) -> str:
    """The run's pictures of held-out data (summary's and plots/): reconstructions, interpolations, scatter."""
    plots = run_dir / "plots"
    pictures = [run_dir / n for n in ("reconstructions.png", "interpolation.png") if (run_dir / n).exists()]
    shown = {p.name for p in pictures}
    pictures += sorted(p for p in plots.rglob("*.png") if p != plots / CURVES
                       and SAME_PICTURE.get(p.relative_to(run_dir).as_posix()) not in shown) if plots.is_dir() else []
    if not pictures:
        return ""
    tags = "".join(_image_tag(p, _caption(p, run_dir), "plot") for p in pictures)
    return f'<h2>Pictures</h2><div class="pictures">{tags}</div>'


def _run_meta(run_dir: Path) -> dict:
    """run.json as a dict, or {} when it is absent or damaged."""
    try:
        meta = json.loads(_read_text(run_dir / "run.json") or "")
    except json.JSONDecodeError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _title(config_text: str, run_dir: Path) -> str:
    """'<model> on <data>' from config.yaml, else from run.json, else the directory's name."""
    try:
        tree = yaml.safe_load(config_text)
        return f"{tree['model']['name']} on {tree['data']['name']}"
    except (yaml.YAMLError, KeyError, TypeError):
        pass
    meta = _run_meta(run_dir)
    return f"{meta['model']} on {meta['data']}" if "model" in meta and "data" in meta else f"run {run_dir.name}"


def _meta_line(run_dir: Path) -> str:
    """Run directory, creation time and latentgan version (from run.json when present)."""
    meta = _run_meta(run_dir)
    shape = meta.get("data_shape", {}).get("sample_shape") if isinstance(meta.get("data_shape"), dict) else None
    facts = [f"run directory: {run_dir}", f"created {meta['created']}" if "created" in meta else "",
             f"data shape {shape}" if shape else "",
             f"latentgan {meta['latentgan_version']}" if "latentgan_version" in meta else ""]
    return f'<p class="meta">{html.escape(" · ".join(f for f in facts if f))}</p>'


def render_report(run_dir: Path) -> str:
    """The report's HTML text (writes plots/curves.png as a side effect when metrics.jsonl has numbers)."""
    from latentgan import __version__

    config_text = _read_text(run_dir / "config.yaml") or ""
    title = _title(config_text, run_dir)
    summary = _read_text(run_dir / "summary.md")
    sections = [
        # Results first (numbers, then pictures); the run's account and its config folded at the end.
        f"<h1>{html.escape(title)}</h1>", _meta_line(run_dir),
        _evaluation_section(run_dir),
        _plots_section(run_dir), _samples_section(run_dir), _curves_section(run_dir),
        f"<h2>Summary</h2><pre>{html.escape(summary)}</pre>" if summary else "",
        _config_html(config_text),
        f'<p class="meta">written by latentgan {html.escape(__version__)} at {time.strftime("%Y-%m-%d %H:%M:%S")}</p>',
    ]
    body = "\n".join(s for s in sections if s)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)} — latentgan report</title>\n<style>{STYLE}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def write_report(run_dir: str | Path) -> Path:
    """Write run_dir/report.html atomically and return its path; RunDirError when run_dir is not a run."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunDirError(f"run directory '{run_dir}' does not exist; pass the directory `latentgan train` printed")
    if not (run_dir / "config.yaml").is_file():
        raise RunDirError(f"'{run_dir}' is not a latentgan run directory (no config.yaml); pass the directory "
                          "`latentgan train` printed")
    text = render_report(run_dir)
    path = run_dir / REPORT
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))
    return path
