import json

import pytest

from latentgan.errors import ConfigError
from latentgan.experiments import ExperimentSettings, get_experiment
from latentgan.experiments.ali_common import AliBudget
from latentgan.experiments.protocol import TIERS


def _smoke(tmp_path, seeds=None):
    return ExperimentSettings(tmp_path, budget="smoke", seeds=seeds, device="cpu", log=lambda msg: None)


def test_ali_experiments_are_registered_with_every_tier_and_at_least_3_seeds_where_they_decide():
    from latentgan.experiments.ali_conditional import CONDITIONAL_BUDGETS
    from latentgan.experiments.ali_grid import DRAW_BUDGETS, GRID_BUDGETS
    from latentgan.experiments.ali_images import IMAGE_BUDGETS
    from latentgan.experiments.ali_semi import SEMI_BUDGETS

    for name in ("ali-grid", "ali-mnist", "ali-fashion", "ali-conditional", "ali-semi"):
        assert get_experiment(name).name == name
    for budgets in (GRID_BUDGETS, DRAW_BUDGETS, IMAGE_BUDGETS, CONDITIONAL_BUDGETS, SEMI_BUDGETS):
        assert set(budgets) == set(TIERS)
        assert budgets["cpu"].seeds >= 3 and budgets["paper"].seeds >= 3
        assert budgets["paper"].images_seen > budgets["cpu"].images_seen > budgets["smoke"].images_seen


def test_budget_counts_steps_and_images_seen():
    budget = AliBudget(6000, 64, 3)
    assert budget.images_seen == 384_000
    assert "6,000 optimizer steps of batch 64 (384,000 examples seen) per run, 3 seeds" in budget.describe()


@pytest.mark.slow
def test_ali_grid_smoke_card_decides_the_random_draws_from_the_modes_metric_of_each_run(tmp_path):
    from latentgan.experiments.ali_grid import GRID_DRAWS, run_ali_grid

    card = run_ali_grid(_smoke(tmp_path, seeds=3))
    text = card.read_text()
    assert "| random draws | ALI | 3 |" in text and "| random draws | GAN | 3 |" in text and "13.4 +- 5.8" in text
    assert "| fixed setting | ALI | 3 |" in text and "| fixed setting | GAN | 3 |" in text
    assert "smoke tier" in text and "ALI minus GAN, same random draw" in text  # the rule is on the card, no verdict
    assert "numpy.random.default_rng([2017, i])" in text and GRID_DRAWS.draw(2).describe() in text
    for row in ("| GAN + inverse mapping | 1 |", "| GAN + post-hoc inference | 1 |", "| VAE | 1 |"):
        assert row in text
    decision = json.loads((tmp_path / "card.json").read_text())["decisions"][0]

    def count(method, draw):  # the card's counts are the numbers each run's eval.json shows
        metrics = json.loads((tmp_path / "draws" / method / f"draw{draw}" / "eval.json").read_text())["metrics"]
        return next(v for k, v in metrics.items() if k.startswith("modes_covered_ali@"))

    assert decision["values"] == [count("ali", d) - count("gan", d) for d in range(3)]
    assert decision["threshold"] == 0.5 and decision["better"] == "above"
    assert (tmp_path / "ali" / "seed2" / "eval.json").exists()  # the fixed setting's runs beside the draws
    assert (tmp_path / "samples_ali.png").exists() and (tmp_path / "figure8.png").exists()
    assert "![modes_by_draw](modes_by_draw.png)" in text


def test_grid_draws_are_the_same_for_ali_and_the_gan_and_reproducible_from_the_seed():
    from latentgan.config import load_config
    from latentgan.experiments.ali_grid import GRID_DRAWS, GRID_METHODS
    from latentgan.experiments.hyper_draws import HyperRanges

    draws = GRID_DRAWS.draws(10)
    assert draws == HyperRanges(GRID_DRAWS.lr, GRID_DRAWS.beta1, GRID_DRAWS.init_std, GRID_DRAWS.seed).draws(10)
    assert GRID_DRAWS.draws(3) == draws[:3] and GRID_DRAWS.draw(7) == draws[7]  # draw i does not depend on n
    other = HyperRanges(GRID_DRAWS.lr, GRID_DRAWS.beta1, GRID_DRAWS.init_std, GRID_DRAWS.seed + 1).draws(10)
    assert all(a.lr != b.lr for a, b in zip(draws, other, strict=True))
    assert len({d.lr for d in draws}) == 10  # ten different settings, each inside its range
    assert all(1e-5 <= d.lr <= 1e-3 and 0 <= d.beta1 <= 0.9 and 0.005 <= d.init_std <= 0.05 for d in draws)
    for draw in draws[:3]:
        ali, gan = (load_config(name, list(draw.overrides())) for name in GRID_METHODS.values())
        for config in (ali, gan):  # both models train with exactly the drawn numbers
            assert config.model.lr_g == config.model.lr_d == draw.lr and config.model.betas == [draw.beta1, 0.999]
            assert config.model.init == "normal" and config.model.init_std == draw.init_std
            assert config.train.seed == draw.index


@pytest.mark.slow
def test_ali_mnist_smoke_card_has_both_rules_pictures_and_reuses_runs(tmp_path):
    from latentgan.experiments.ali_mnist import ali_mnist

    settings = _smoke(tmp_path)
    text = ali_mnist(settings).read_text()
    assert text.startswith("# ali-mnist") and "smoke tier" in text and "None" not in text
    assert "reconstruction class agreement >= 0.9" in text and "encoder features minus pixels" in text
    assert "examples seen" in text and "| >= 0.90 |" in text
    for figure in ("samples.png", "reconstructions.png", "interpolations.png"):
        assert (tmp_path / figure).exists()
    mtime = (tmp_path / "seed0" / "run" / "metrics.jsonl").stat().st_mtime_ns
    ali_mnist(settings)  # a second call reuses the finished runs instead of training again
    assert (tmp_path / "seed0" / "run" / "metrics.jsonl").stat().st_mtime_ns == mtime


def test_ali_images_refuses_data_without_a_classifier(tmp_path):
    from latentgan.experiments.ali_images import run_ali_images

    with pytest.raises(ConfigError, match="mnist5k, mnist and fashion-mnist, not 'digits'"):
        run_ali_images(_smoke(tmp_path), "ali-digits", "digits", 0.8)
    assert not (tmp_path / "seed0").exists()


@pytest.mark.slow
def test_ali_conditional_smoke_card_draws_classes_at_fixed_z(tmp_path):
    from latentgan.experiments.ali_conditional import run_ali_conditional

    text = run_ali_conditional(_smoke(tmp_path), dataset="mnist5k").read_text()
    assert "samples the mnist5k classifier assigns to their condition y" in text and "worst class" in text
    assert (tmp_path / "fixed_z_by_class.png").exists()


@pytest.mark.slow
def test_ali_semi_smoke_card_decides_the_svm_minus_k_plus_1_error(tmp_path):
    from latentgan.experiments.ali_semi import run_ali_semi

    text = run_ali_semi(_smoke(tmp_path), dataset="digits", labels=100).read_text()
    assert "K+1-class discriminator, 100 labels" in text and "L2-SVM on encoder features" in text and "7.42" in text
    assert "smoke tier" in text
