import json
import math

import pytest
import torch

from latentgan.experiments import ExperimentSettings, get_experiment
from latentgan.experiments.lens_common import LensBudget, end_value, lens_arm, window_value
from latentgan.metrics import builtin  # noqa: F401  (registers the real metrics first, so the stand-ins are undone)
from latentgan.metrics.registry import METRICS, MetricSpec, always

CARDS = ("lens-mnist", "lens-lsgan", "lens-wgangp", "lens-fixed-lambda", "lens-stacked")


@pytest.fixture
def stand_in_metrics(monkeypatch):
    # Stand-ins for the classifier metrics, so no classifier is trained: the card's wiring is under test.
    def fake_fid(ctx):
        return {"fid_fake@16": 100.0 + float(ctx.samples(16).std())}

    def fake_modes(ctx):
        spread = float(ctx.samples(16).std())
        return {"stacked_modes@16": 10.0 + spread, "stacked_kl@16": 1.0 + spread}

    monkeypatch.setitem(METRICS, "cfid", MetricSpec("cfid", "stand-in", fake_fid, always, 16))
    monkeypatch.setitem(METRICS, "stacked_modes", MetricSpec("stacked_modes", "stand-in", fake_modes, always, 16))
    torch.set_num_threads(1)


def test_every_lens_card_is_registered():
    for name in CARDS:
        assert get_experiment(name).paper.startswith("Sajjadi")


def _smoke(name, out):
    return get_experiment(name).run(ExperimentSettings(out, budget="smoke", device="cpu", log=lambda m: None))


def test_lens_mnist_smoke_tier_writes_a_card_with_its_rule_curves_and_grids(tmp_path, stand_in_metrics):
    card = _smoke("lens-mnist", tmp_path)
    summary = json.loads((tmp_path / "card.json").read_text())
    assert summary["tier"] == "smoke" and summary["status"] == "smoke test only (no verdict)"
    (decision,) = summary["decisions"]
    assert decision["label"].startswith("end classifier FID with lens / without") and decision["threshold"] == 0.75
    assert len(decision["values"]) == 3  # one paired ratio per seed
    text = card.read_text()
    assert "## Departures from the paper at this tier" in text and "K = 2" in text
    assert (tmp_path / "fid-over-steps.png").exists() and (tmp_path / "grid-with-lens.png").exists()
    assert (tmp_path / "with-lens" / "seed2" / "metrics.jsonl").exists()


def test_a_second_run_reuses_the_finished_runs(tmp_path, stand_in_metrics):
    _smoke("lens-mnist", tmp_path)
    checkpoint = next((tmp_path / "without-lens" / "seed1").rglob("*.pt"))
    before = checkpoint.stat().st_mtime_ns
    _smoke("lens-mnist", tmp_path)
    assert checkpoint.stat().st_mtime_ns == before


@pytest.mark.parametrize("name", CARDS[1:])
def test_the_other_lens_cards_smoke_tier_writes_a_card(tmp_path, stand_in_metrics, name):
    _smoke(name, tmp_path)
    summary = json.loads((tmp_path / "card.json").read_text())
    assert summary["tier"] == "smoke" and summary["decisions"]
    assert all(len(d["values"]) == 3 for d in summary["decisions"])


def test_end_and_window_values_read_the_curve():
    curve = [(100, 50.0), (200, 40.0), (300, 30.0), (400, 20.0)]
    assert end_value(curve) == 30.0  # the last three evaluations
    assert window_value(curve, 100, 300) == 35.0  # steps 200 and 300
    assert window_value(curve, 400, 500) == math.inf  # nothing there
    assert end_value([(100, float("nan"))]) == math.inf  # a diverged run counts as the worst


def test_the_lens_arm_carries_the_budgets_k_and_size_and_lambda_zero_counts_critic_steps():
    budget = LensBudget(5000, 250, 250, 1000, 3, lens_width=8, lens_blocks=2, d_steps=5)
    (override,) = lens_arm("fixed", budget, fixed_lambda=1.0).overrides
    assert json.loads(override.split("=", 1)[1]) == {"k": 250, "width": 8, "blocks": 2, "fixed_lambda": 1.0}
    assert budget.lambda_zero_step == 1250
