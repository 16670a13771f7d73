import json

import pytest
import torch

from latentgan.data.registry import load_dataset
from latentgan.experiments import (
    ExperimentSettings,
    get_experiment,
    grow_common,
    grow_dim8,
    grow_figures,
    grow_order,
    grow_swissroll,
)
from latentgan.metrics.classifier import DigitClassifier


def test_variance_shares_attribute_variance_to_the_axis_that_controls_it():
    s1, s2 = grow_swissroll.variance_shares(lambda z: torch.stack([z[:, 0], 3 * z[:, 0]], 1))
    assert s1 == pytest.approx(1.0) and s2 == pytest.approx(0.0, abs=1e-12)
    s1, s2 = grow_swissroll.variance_shares(lambda z: (z[:, :1] + z[:, 1:]) * torch.tensor([[1.0, -2.0]]))
    assert s1 == pytest.approx(0.5) and s2 == pytest.approx(0.5)
    s1, s2 = grow_swissroll.variance_shares(lambda z: z[:, :1] * z[:, 1:])  # pure interaction: no axis alone
    assert s1 == pytest.approx(0.0, abs=1e-12) and s2 == pytest.approx(0.0, abs=1e-12)
    assert grow_swissroll.variance_shares(lambda z: torch.zeros(len(z), 2)) == (0.0, 0.0)


def test_chamfer_is_zero_on_identical_sets_and_grows_with_distance():
    real = torch.randn(50, 2)
    assert grow_swissroll.chamfer(real, real) == pytest.approx((0.0, 0.0), abs=1e-4)
    to_real, to_fake = grow_swissroll.chamfer(real + torch.tensor([3.0, 4.0]), real)
    assert to_real <= 5.0 + 1e-5 and to_fake <= 5.0 + 1e-5 and to_real > 0


def test_block_and_axis_walks_vary_only_what_they_name():
    walk = grow_figures.block_walk(lambda z: z, 16, (9, 16), points=5, steps=4)
    assert walk.shape == (17, 16)
    assert torch.equal(walk[:, :8], walk[:1, :8].expand(17, 8)) and walk[:, 8:].std(0).min() > 0
    axis = grow_figures.axis_walk(lambda z: z, 64, 5, points=8)
    assert torch.equal(axis[:, [0, 1, 2, 3, 5]], axis[:1, [0, 1, 2, 3, 5]].expand(8, 5))
    assert torch.allclose(axis[:, 4], torch.linspace(-0.25, 0.25, 8))


def test_grow_experiments_are_registered():
    for name in ("grow-swissroll", "grow-order", "grow-dim8"):
        assert get_experiment(name).paper.startswith("Sandström")


def test_grow_swissroll_runs_end_to_end_and_writes_its_card(tmp_path, monkeypatch):
    monkeypatch.setattr(grow_swissroll, "QUICK", grow_swissroll.Budget(4, 1))
    # A learning rate far beyond the thesis' 5 reaches Inf within the first minibatch: the card must say so.
    monkeypatch.setitem(grow_swissroll.ARMS, "from scratch, lr 5", ["model.start_latent_dim=2", "model.lr=1e30"])
    torch.set_num_threads(1)
    card = get_experiment("grow-swissroll").run(ExperimentSettings(tmp_path, quick=True, device="cpu",
                                                                   log=lambda m: None))
    text = card.read_text()
    assert "smoke test only" in text and "grown 1 -> 2" in text and "share of z_1" in text
    assert "diverged at step" in text
    assert len(list(tmp_path.glob("d-*.png"))) == 2
    assert (tmp_path / "grown-1-to-2" / "seed0" / "checkpoints" / "step_0000004.pt").exists()


@pytest.fixture
def untrained_classifier(monkeypatch):
    # Training the real classifier takes minutes; the wiring is under test, so an untrained one gives the features.
    def load(dataset, resolution, device):
        torch.manual_seed(0)
        return DigitClassifier(resolution, 10, dataset).eval()

    monkeypatch.setattr(grow_common, "load_classifier", load)
    torch.set_num_threads(1)


def test_grow_order_smoke_tier_measures_every_variant_and_writes_its_card(tmp_path, untrained_classifier):
    settings = ExperimentSettings(tmp_path, budget="smoke", device="cpu", log=lambda m: None)
    card = get_experiment("grow-order").run(settings)
    text = card.read_text()
    for arm in grow_order.ARMS:
        assert f"| {arm.name} | 1 |" in text and f"{arm.name}: latent order, block 1-8 / last block" in text
    assert "smoke test only" in text and "clgGAN / lgGAN classifier FID" in text
    summary = json.loads((tmp_path / "card.json").read_text())
    assert summary["tier"] == "smoke" and len(summary["decisions"]) == 6
    assert (tmp_path / "params.png").exists() and (tmp_path / "walk-axes-clggan.png").exists()
    step = grow_common.BUDGETS["smoke"].total_steps
    assert (tmp_path / "clggan" / "seed0" / "checkpoints" / f"step_{step:07d}.pt").exists()


def test_grow_dim8_smoke_tier_compares_bgan8_with_clggans_first_block(tmp_path, untrained_classifier):
    settings = ExperimentSettings(tmp_path, budget="smoke", device="cpu", log=lambda m: None)
    text = get_experiment("grow-dim8").run(settings).read_text()
    assert "| bgan-dim8 | 1 |" in text and "| clggan | 1 |" in text and "smoke test only" in text
    assert "bGAN-8 / clgGAN classifier FID" in text and (tmp_path / "walk-blocks-bgan-dim8.png").exists()


def test_image_quality_is_near_zero_for_real_images_and_grows_for_noise(untrained_classifier):
    quality = grow_common.ImageQuality(grow_common.BUDGETS["smoke"])
    real = load_dataset("mnist5k", split="test", resize=16, limit=64).x.float() / 127.5 - 1.0
    noise = torch.rand(64, 1, 16, 16, generator=torch.Generator().manual_seed(0)) * 2 - 1
    assert quality(real) < 1e-3 < quality(noise)


def test_cpu_and_paper_tiers_decide_over_three_seeds_with_the_thesis_block_structure():
    for tier in ("cpu", "paper"):
        budget = grow_common.BUDGETS[tier]
        assert budget.seeds >= 3 and budget.latent_dim == 8 * 2 ** (budget.stages - 1)
        assert budget.resolution == 4 * 2 ** (budget.stages - 1)
    assert grow_common.BUDGETS["paper"].total_steps == 11 * 4 * (202_599 // 16)  # 44 epochs of CelebA
    assert all(rule.seeds >= 3 for rule in (*grow_order.RULES.values(), grow_order.QUALITY_RULE,
                                            grow_dim8.VARIABILITY_RULE, grow_dim8.COST_RULE))
