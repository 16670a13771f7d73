import pytest
import torch

from latentgan.experiments.glo import ReconBudget, run_latent, run_recon, run_spectrum, singular_spectrum
from latentgan.experiments.registry import ExperimentSettings, get_experiment


def test_glo_recon_writes_a_card_on_a_tiny_budget(tmp_path):
    torch.set_num_threads(1)  # conftest restores the count
    budget = ReconBudget(("mnist5k",), 64, 10, 8, 3, latent_dim=8, width=8, batch_size=32)
    card = run_recon(ExperimentSettings(tmp_path, quick=True, device="cpu", log=lambda m: None), budget)
    text = card.read_text()
    assert "GLO, Lap1, PCA init" in text and "GAN, Lap1" in text and "| PCA |" in text.replace("mnist5k | ", "")
    assert get_experiment("glo-recon").name == "glo-recon"


def test_glo_spectrum_writes_a_card_and_a_figure_on_a_tiny_budget(tmp_path):
    torch.set_num_threads(1)
    budget = ReconBudget(("mnist5k",), 128, 10, 16, 5, latent_dim=8, width=8, batch_size=32)
    card = run_spectrum(ExperimentSettings(tmp_path, quick=True, device="cpu", log=lambda m: None), budget)
    text = card.read_text()
    assert "GLO, random init" in text and "VAE (posterior means)" in text and (tmp_path / "spectrum.png").exists()


def test_singular_spectrum_of_a_rank_one_matrix_jumps_to_one():
    z = torch.arange(10.0)[:, None] * torch.tensor([[1.0, 2.0, 0.5]])
    assert torch.allclose(singular_spectrum(z), torch.ones(3), atol=1e-5)


def test_glo_latent_draws_its_three_figures_on_a_tiny_budget(tmp_path):
    torch.set_num_threads(1)
    budget = ReconBudget(("mnist5k",), 128, 10, 16, 5, latent_dim=8, width=8, batch_size=32)
    card = run_latent(ExperimentSettings(tmp_path, quick=True, device="cpu", log=lambda m: None), budget)
    assert card.exists()
    assert all((tmp_path / f).exists() for f in ("interpolation.png", "principal_walks.png", "class_arithmetic.png"))


@pytest.mark.slow
def test_glo_recon_cpu_tier_decides_the_ratio_over_seeds(tmp_path, monkeypatch):
    import json

    from latentgan.experiments import glo

    monkeypatch.setitem(glo.RECON_BUDGETS, "cpu", glo.ReconBudget(("mnist5k",), 64, 3, 16, 2, latent_dim=4, width=4,
                                                                  batch_size=16))
    card = get_experiment("glo-recon").run(ExperimentSettings(tmp_path, budget="cpu", device="cpu",
                                                              log=lambda m: None))
    summary = json.loads(card.with_suffix(".json").read_text())
    assert summary["tier"] == "cpu" and len(summary["decisions"][0]["values"]) == 3
    assert summary["decisions"][0]["threshold"] == pytest.approx(0.0130 / 0.0203)
    assert summary["status"] in ("reproduced", "not reproduced", "inconclusive")
