import torch

from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.metrics.context import EvalContext
from latentgan.metrics.encoder_diagnostics import pairing_sensitivity
from latentgan.metrics.registry import evaluate


def _ali(extra=()):
    config = load_config(None, ["model.name=ali", "model.latent_dim=2", "model.hidden=[16]", "data.name=ring",
                                "data.n_points=500", *extra])
    return config, build_model(config, data_shape_of(load_data(config)), seed=0)


def _inputs(n=200):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 2, generator=g)
    return x, x.clone(), torch.randn(n, 2, generator=g), torch.randn(n, 2, generator=g) + 3


def test_a_discriminator_that_scores_x_and_z_separately_shows_no_pairing():
    x, codes, prior, decoded = _inputs()
    result = pairing_sensitivity(lambda a, z: a.sum(1) - z.pow(2).sum(1), x, codes, prior, decoded)
    assert result["pairing_interaction"] < 1e-5 and result["pairing_ratio"] < 1e-5
    assert result["pairing_shift"] > 0.5  # the shift still moves: only the interaction isolates pairing


def test_a_discriminator_that_checks_the_pairing_shows_it():
    x, codes, prior, decoded = _inputs()
    result = pairing_sensitivity(lambda a, z: -(a - z).pow(2).sum(1), x, codes, prior, decoded)
    assert result["pairing_interaction"] > 1.0 and result["pairing_ratio"] > 0.1
    assert result["real_fake_gap"] > 0  # matching pairs score above decoder pairs far from their codes


def test_pairing_metric_runs_on_ali_and_is_skipped_for_a_conditional_one():
    config, model = _ali()
    metrics = evaluate(EvalContext(model, config, n=100), ["pairing"])["metrics"]
    assert {"pairing_shift@100", "pairing_interaction@100", "real_fake_gap@100", "pairing_ratio@100"} <= set(metrics)
    assert all(torch.isfinite(torch.tensor(v)) for v in metrics.values())
    config, model = _ali(["model.conditional=true", "model.y_embed_dim=4"])
    assert "pairing" in evaluate(EvalContext(model, config, n=50), ["pairing"])["skipped"]
