import json

import pytest
import torch

from latentgan.experiments.glo_recon import ReconBudget, run_recon
from latentgan.experiments.glo_spectrum import singular_spectrum, top_half_share
from latentgan.experiments.registry import ExperimentSettings, get_experiment


def _smoke(tmp_path, name, seeds=None):
    torch.set_num_threads(1)  # conftest restores the count
    card = get_experiment(name).run(ExperimentSettings(tmp_path, budget="smoke", device="cpu", seeds=seeds,
                                                       log=lambda m: None))
    return card, json.loads(card.with_suffix(".json").read_text())


def test_glo_recon_table_writes_every_method_on_a_tiny_budget(tmp_path):
    torch.set_num_threads(1)
    budget = ReconBudget(("mnist5k",), 64, 10, 8, 3, latent_dim=8, width=8, batch_size=32)
    card = run_recon(ExperimentSettings(tmp_path, quick=True, device="cpu", log=lambda m: None), budget)
    text = card.read_text()
    assert "GLO, Lap1, PCA init" in text and "GAN, Lap1" in text and "| PCA |" in text.replace("mnist5k | ", "")


def test_glo_spectrum_smoke_tier_decides_both_rules_and_draws_figure_1(tmp_path):
    card, summary = _smoke(tmp_path, "glo-spectrum")
    assert summary["tier"] == "smoke" and [len(d["values"]) for d in summary["decisions"]] == [3, 3]
    assert (tmp_path / "spectrum.png").exists() and "GLO, random init: top-half share" in card.read_text()


def test_glo_sampling_smoke_tier_compares_glo_with_the_gan_per_seed(tmp_path):
    card, summary = _smoke(tmp_path, "glo-sampling", seeds=2)  # the rule's 5 seeds only cost time here
    ratios = summary["decisions"][0]["values"]
    assert len(ratios) == 2 and all(r > 0 for r in ratios)
    assert (tmp_path / "samples_glo.png").exists() and (tmp_path / "samples_gan.png").exists()


def test_glo_latent_smoke_tier_decides_midpoints_and_arithmetic_with_figures(tmp_path):
    card, summary = _smoke(tmp_path, "glo-latent")
    midpoint, arithmetic = summary["decisions"]
    assert len(midpoint["values"]) == 3 and all(0.0 <= v <= 1.0 for v in arithmetic["values"])
    assert all((tmp_path / f).exists() for f in ("interpolation.png", "principal_walks.png", "class_arithmetic.png"))


def test_singular_spectrum_of_a_rank_one_matrix_jumps_to_one():
    z = torch.arange(10.0)[:, None] * torch.tensor([[1.0, 2.0, 0.5]])
    assert torch.allclose(singular_spectrum(z), torch.ones(3), atol=1e-5)


def test_top_half_share_is_a_half_for_isotropic_codes_and_one_for_a_line():
    isotropic = torch.eye(64).repeat(4, 1) - torch.eye(64).repeat(4, 1).mean(0)
    assert top_half_share(singular_spectrum(isotropic)) == pytest.approx(0.5, abs=0.02)
    assert top_half_share(singular_spectrum(torch.arange(8.0)[:, None] * torch.ones(1, 4))) == pytest.approx(1.0)


def test_arithmetic_accuracy_counts_shifts_the_classifier_labels_as_the_target_class(monkeypatch):
    from latentgan.experiments import glo_latent

    class ByCode:  # labels an "image" by the code it was decoded from: perfect arithmetic in a 1-d code
        def predict(self, images):
            return images.flatten(1)[:, 0].mul(9).round().long()

    monkeypatch.setattr(glo_latent, "_classifier", lambda *a, **k: ByCode())
    labels = torch.arange(3).repeat_interleave(4)
    noise = 0.01 * torch.randn(12, 1, generator=torch.Generator().manual_seed(0))
    codes = (labels.float() / 9 * 2 - 1)[:, None] + noise
    assert glo_latent.arithmetic_accuracy(lambda z: z.view(-1, 1, 1, 1), codes, labels) == pytest.approx(1.0)
    # Decoding everything to class 0 hits only the pairs whose target is 0: 2 of the 6 ordered pairs.
    always_0 = glo_latent.arithmetic_accuracy(lambda z: torch.full((len(z), 1, 1, 1), -1.0), codes, labels)
    assert always_0 == pytest.approx(1 / 3)


@pytest.mark.slow
def test_glo_recon_cpu_tier_decides_the_ratio_over_seeds(tmp_path, monkeypatch):
    from latentgan.experiments import glo_recon

    monkeypatch.setitem(glo_recon.RECON_BUDGETS, "cpu", ReconBudget(("mnist5k",), 64, 3, 16, 2, latent_dim=4, width=4,
                                                                    batch_size=16))
    card = get_experiment("glo-recon").run(ExperimentSettings(tmp_path, budget="cpu", device="cpu",
                                                              log=lambda m: None))
    summary = json.loads(card.with_suffix(".json").read_text())
    assert summary["tier"] == "cpu" and len(summary["decisions"][0]["values"]) == 3
    assert summary["decisions"][0]["threshold"] == pytest.approx(0.0130 / 0.0203)
    assert summary["status"] in ("reproduced", "not reproduced", "inconclusive")
