from latentgan.experiments import ExperimentSettings, get_experiment
from latentgan.experiments.ali import GridBudget, run_ali_grid


def test_ali_grid_with_a_tiny_budget_writes_a_card_with_both_methods_and_figure8_baselines(tmp_path):
    budget = GridBudget(20, 1, ("model.hidden=[16,16]", "data.n_points=1000"))
    card = run_ali_grid(ExperimentSettings(tmp_path, quick=True, device="cpu", log=lambda msg: None), budget)
    text = card.read_text()
    assert "| ALI | 1 |" in text and "| GAN | 1 |" in text and "13.4 +- 5.8" in text
    assert "undecided" in text  # the quick budget never claims a verdict
    for row in ("| GAN + inverse mapping | 1 |", "| GAN + post-hoc inference | 1 |", "| VAE | 1 |"):
        assert row in text
    assert "Issue's target for ALI" in text and "code KL to N(0, I)" in text
    assert (tmp_path / "samples_ali.png").exists() and (tmp_path / "figure8.png").exists()


def test_ali_experiments_are_registered():
    assert get_experiment("ali-grid").name == "ali-grid" and get_experiment("ali-mnist").name == "ali-mnist"


def test_ali_semi_with_a_tiny_budget_reports_both_error_rates(tmp_path):
    from latentgan.experiments.ali import run_ali_semi

    settings = ExperimentSettings(tmp_path, quick=True, device="cpu", log=lambda msg: None)
    text = run_ali_semi(settings, steps=5, dataset="digits", labels=100, n_test=100,
                        extra=("data.resize=28", "model.width_scale=0.125")).read_text()
    assert "K+1-class discriminator, 100 labels" in text and "L2-SVM on encoder codes" in text and "7.42" in text
    assert "undecided" in text
