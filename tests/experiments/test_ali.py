import pytest

from latentgan.errors import ConfigError
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
    for name in ("ali-grid", "ali-mnist", "ali-fashion", "ali-conditional", "ali-semi"):
        assert get_experiment(name).name == name


def test_ali_images_with_a_tiny_budget_writes_targets_probes_and_pictures(tmp_path):
    from latentgan.experiments.ali import run_ali_images

    settings = ExperimentSettings(tmp_path, quick=True, device="cpu", log=lambda msg: None)
    text = run_ali_images(settings, "mnist5k", steps=4, n_eval=100, extra=("model.width_scale=0.125",)).read_text()
    assert text.startswith("# ali-mnist") and "undecided" in text and "None" not in text
    assert "held-out images (target >= 80 %)" in text and "% on pixels" in text
    assert "encoder features (last 3 hidden + code)" in text and "| >= 0.80 |" in text and "> pixels" in text
    for figure in ("samples.png", "reconstructions.png", "interpolations.png"):
        assert (tmp_path / figure).exists()
    # A second call reuses the finished run instead of training again.
    mtime = (tmp_path / "run" / "metrics.jsonl").stat().st_mtime_ns
    run_ali_images(settings, "mnist5k", steps=4, n_eval=100, extra=("model.width_scale=0.125",))
    assert (tmp_path / "run" / "metrics.jsonl").stat().st_mtime_ns == mtime


def test_ali_images_refuses_data_without_a_classifier(tmp_path):
    from latentgan.experiments.ali import run_ali_images

    with pytest.raises(ConfigError, match="mnist5k, mnist and fashion-mnist, not 'digits'"):
        run_ali_images(ExperimentSettings(tmp_path, quick=True, device="cpu"), "digits")
    assert not (tmp_path / "run").exists()


def test_ali_conditional_with_a_tiny_budget_draws_classes_at_fixed_z(tmp_path):
    from latentgan.experiments.ali import run_ali_conditional

    settings = ExperimentSettings(tmp_path, quick=True, device="cpu", log=lambda msg: None)
    text = run_ali_conditional(settings, steps=4, dataset="mnist5k", extra=("model.width_scale=0.125",)).read_text()
    assert "samples the mnist5k classifier assigns to their condition y (1,000)" in text and "worst class" in text
    assert (tmp_path / "fixed_z_by_class.png").exists()


def test_ali_semi_with_a_tiny_budget_reports_both_error_rates(tmp_path):
    from latentgan.experiments.ali import run_ali_semi

    settings = ExperimentSettings(tmp_path, quick=True, device="cpu", log=lambda msg: None)
    text = run_ali_semi(settings, steps=5, dataset="digits", labels=100, n_test=100,
                        extra=("data.resize=28", "model.width_scale=0.125")).read_text()
    assert "K+1-class discriminator, 100 labels" in text and "L2-SVM on encoder features" in text and "7.42" in text
    assert "undecided" in text
