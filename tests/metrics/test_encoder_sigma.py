import torch

from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.metrics.context import EvalContext
from latentgan.metrics.registry import evaluate


def _ali(extra=()):
    config = load_config(None, ["model.name=ali", "model.latent_dim=2", "model.hidden=[16]", "data.name=ring",
                                "data.n_points=500", *extra])
    return config, build_model(config, data_shape_of(load_data(config)), seed=0)


def test_encoder_sigma_reports_the_median_and_the_share_below_0_1():
    config, model = _ali()
    with torch.no_grad():  # make every sigma exp(-3) ~ 0.05: the encoder's log-sigma half outputs -3
        linear = [m for m in model.encoder.modules() if isinstance(m, torch.nn.Linear)][-1]
        linear.weight[2:].zero_(), linear.bias[2:].fill_(-3.0)
    result = evaluate(EvalContext(model, config, n=200), ["encoder_sigma"])
    metrics = result["metrics"]
    assert abs(metrics["encoder_sigma_median@200"] - torch.tensor(-3.0).exp().item()) < 1e-5
    assert metrics["encoder_sigma_below_0.1@200"] == 1.0


def test_encoder_sigma_is_skipped_for_a_deterministic_encoder():
    config, model = _ali(["model.encoder=deterministic"])
    result = evaluate(EvalContext(model, config, n=50), ["encoder_sigma"])
    assert "encoder_sigma" in result["skipped"] and "Gaussian encoder" in result["skipped"]["encoder_sigma"]
