import json
from types import SimpleNamespace

import pytest
import torch

from latentgan.cli import main
from latentgan.config import load_config
from latentgan.data import load_dataset
from latentgan.metrics import EvalContext, MetricError, evaluate
from latentgan.models.base import DataShape, GenerativeModel

RING = ["--model", "gan", "--data", "ring", "--steps", "300", "--quiet", "--device", "cpu",
        "--set", "data.n_points=4000", "--set", "model.latent_dim=2", "--set", "train.checkpoint_every=300"]


class PCAAutoencoder(GenerativeModel):
    """A linear autoencoder on mnist5k: k principal components, Gaussian samples in component space."""

    def __init__(self, k: int):
        super().__init__(SimpleNamespace(latent_dim=k, prior="normal"), DataShape((1, 28, 28), (-1.0, 1.0), 10))
        data = load_dataset("mnist5k", split="train")
        x = data.batch(torch.arange(len(data)))[0].flatten(1)
        mean = x.mean(0)
        _, s, v = torch.linalg.svd(x - mean, full_matrices=False)
        self.register_buffer("mean", mean)
        self.register_buffer("components", v[:k])
        self.register_buffer("scale", s[:k] / (len(x) - 1) ** 0.5)
        self.anchor = torch.nn.Parameter(torch.zeros(1))  # gives the model a device

    def encode(self, x):
        return (x.flatten(1) - self.mean) @ self.components.T / self.scale

    def decode(self, z):
        return ((z * self.scale) @ self.components + self.mean).clamp(-1, 1).view(-1, 1, 28, 28)

    def sample(self, n, generator=None):
        return self.decode(torch.randn(n, self.config.latent_dim, generator=generator))


def _context(k: int, n: int = 500) -> EvalContext:
    config = load_config(None, ["data.name=mnist5k"])
    return EvalContext(PCAAutoencoder(k), config, n=n)


def test_encoder_metrics_on_a_linear_autoencoder():
    result = evaluate(_context(48), "recon,probe,cfid,latent_order,params")
    m = result["metrics"]
    assert not result["skipped"]
    assert m["reconstruction_mse@500"] < 0.1
    assert m["reconstruction_class_agreement@500"] > 0.85
    assert m["probe_linear_encoder@500"] > 0.75
    assert m["recall_classifier-mnist5k@500"] > 0.03  # distinct samples: duplicates would give recall 0
    # PCA components are ordered by variance: the first block must move pixels more than the last.
    assert m["latent_order_first_last_ratio"] > 1.5


def test_more_components_reconstruct_and_sample_better():
    small = evaluate(_context(4), "recon,cfid")["metrics"]
    large = evaluate(_context(48), "recon,cfid")["metrics"]
    assert large["reconstruction_mse@500"] < small["reconstruction_mse@500"]
    assert large["fid_classifier-mnist5k@500"] < small["fid_classifier-mnist5k@500"]


def test_metrics_that_do_not_apply_are_skipped_with_a_reason():
    result = evaluate(_context(8, n=100), "modes,stacked_modes")
    assert set(result["skipped"]) == {"modes", "stacked_modes"} and not result["metrics"]
    with pytest.raises(MetricError, match="unknown metric"):
        evaluate(_context(8), "fid,nope")


def test_sample_stream_hands_out_distinct_chunks():
    ctx = _context(8)
    stream = ctx.unit_sample_stream(10)
    a, b = stream(5), stream(5)
    assert not torch.equal(a, b) and torch.equal(torch.cat([a, b]), ctx.unit_samples(10))


def test_eval_and_report_commands_on_a_ring_run(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", *RING, "--out", str(out)]) == 0
    assert main(["eval", str(out), "--metrics", "params"]) == 0
    assert main(["eval", str(out), "--metrics", "modes"]) == 0
    table = capsys.readouterr().out
    assert "modes_captured@2500" in table and "modes_covered_ali@10k" in table
    saved = json.loads((out / "eval.json").read_text())
    assert "params_total" in saved["metrics"] and "modes_captured@2500" in saved["metrics"]  # merged
    assert saved["metrics"]["modes_total"] == 8
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert (out / "plots" / "points_by_mode.png").exists()
    assert "modes_captured@2500" in html and html.count("data:image/png;base64,") >= 2


def test_eval_errors_are_one_line(tmp_path, capsys):
    assert main(["eval", str(tmp_path), "--metrics", "modes"]) == 2
    assert "not a latentgan run directory" in capsys.readouterr().err
    out = tmp_path / "run"
    assert main(["train", *RING, "--steps", "20", "--set", "train.checkpoint_every=20", "--out", str(out)]) == 0
    assert main(["eval", str(out), "--metrics", "bogus"]) == 2
    assert "unknown metric(s) bogus" in capsys.readouterr().err


def test_periodic_evaluation_lands_in_metrics_jsonl(tmp_path):
    import latentgan

    config = load_config(None, ["model.latent_dim=2", "data.name=ring", "data.n_points=2000", "train.steps=40",
                                "train.eval_every=20", "train.eval_metrics=[modes]", "train.eval_n=500",
                                "train.progress=false", f"train.out={tmp_path / 'run'}", "train.device=cpu"])
    run = latentgan.train(config)
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    evaluated = [r["step"] for r in records if "modes_captured@500" in r]
    assert evaluated == [20, 40]
    assert records[0]["step"] == 0 and records[0]["params_total"] > 0


def test_bad_eval_config_is_refused():
    from latentgan.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown metric"):
        load_config(None, ["train.eval_every=10", "train.eval_metrics=[nope]"])
    with pytest.raises(ConfigError, match="eval_metrics is empty"):
        load_config(None, ["train.eval_every=10"])
