"""summary.md: a readable account of a finished run, with its measured numbers."""

from __future__ import annotations

from pathlib import Path

from latentgan.config import RunConfig
from latentgan.data import Dataset
from latentgan.files import write_text_atomic
from latentgan.metrics import mode_coverage
from latentgan.models.base import GenerativeModel
from latentgan.train.metrics_log import MetricsLog
from latentgan.train.samples import fixed_generator


def quick_evaluation(model: GenerativeModel, data: Dataset, seed: int) -> dict[str, float]:
    """Cheap end-of-run numbers: mode coverage on 2,500 samples for mixtures with known means."""
    if data.modes is None or data.mode_std is None:
        return {}
    samples = model.sample(2500, generator=fixed_generator(seed, model.device))
    return {f"{k}@2.5k": v for k, v in mode_coverage(samples, data.modes, data.mode_std).items()}


def write_summary(run_dir: Path, config: RunConfig, model: GenerativeModel, data: Dataset,
                  seconds: float) -> dict:
    """Write summary.md and return the evaluation numbers it reports."""
    records = MetricsLog(Path(run_dir) / "metrics.jsonl").read()
    last = records[-1] if records else {}
    evaluation = quick_evaluation(model, data, config.train.seed)
    t = config.train
    lines = [
        f"# Run summary: {config.model.name} on {config.data.name}",
        "",
        f"- run directory: `{run_dir}`",
        f"- steps: {last.get('step', 0)} of {t.steps}, batch {t.batch_size}, seed {t.seed}, "
        f"device {model.device}",
        f"- wall time of the last session: {seconds:.1f} s; last throughput "
        f"{last.get('images_per_sec', 0)} examples/s",
        f"- parameters: {sum(p.numel() for p in model.parameters()):,}",
        "",
        "## Final losses (mean over the last log window)",
        "",
    ]
    lines += [f"- {k}: {v:.4f}" for k, v in last.items() if k not in ("step", "images_per_sec")
              and isinstance(v, float)]
    if evaluation:
        lines += ["", "## Mode coverage (2,500 samples; high quality = within 3 std of a true mean)", ""]
        lines += [f"- {k}: {v:.4g}" if isinstance(v, float) else f"- {k}: {v}" for k, v in evaluation.items()]
    grids = sorted((Path(run_dir) / "samples").glob("*.png"))
    lines += ["", "## Files", "", "- `config.yaml`: the resolved config", "- `metrics.jsonl`: losses per log step",
              f"- `samples/`: {len(grids)} pictures, latest `{grids[-1].name if grids else '-'}`",
              "- `checkpoints/`: the newest checkpoints", "",
              f"Continue with `latentgan resume {run_dir} --steps N`; draw samples with "
              f"`latentgan sample {run_dir} --n 64 --out samples.png`.", ""]
    write_text_atomic(Path(run_dir) / "summary.md", "\n".join(lines))
    return evaluation
