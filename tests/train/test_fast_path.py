"""The fast-path switches (bf16 autocast, channels_last, torch.compile) change how networks run, not what trains."""

import importlib
import json

import pytest
import torch

import latentgan
from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.errors import ConfigError
from latentgan.losses import gradient_penalty
from latentgan.nn import DCGANDiscriminator, init_weights
from latentgan.train.trainer import Trainer

fast_path = importlib.import_module("latentgan.train.fast_path")  # `latentgan.train` is also the API function

DCGAN = ["model.name=gan", "model.width=8", "model.latent_dim=8", "data.name=digits", "data.resize=28",
         "data.limit=256", "train.batch_size=16", "train.device=cpu", "train.progress=false"]


def _trainer(tmp_path, extra, steps=3):
    config = load_config(None, [*DCGAN, f"train.steps={steps}", "train.log_every=1", "train.sample_every=1000",
                                "train.checkpoint_every=1000", *extra])
    data = load_data(config)
    model = build_model(config, data_shape_of(data), seed=0)
    model.initialize(data)
    tmp_path.mkdir(parents=True, exist_ok=True)
    return Trainer(config, tmp_path, model, data, log=lambda m: None)


def _losses(trainer):
    trainer.fit()
    return [loss for r in trainer.metrics.read() if "d_loss" in r for loss in (r["d_loss"], r["g_loss"])]


def test_unknown_precision_or_compile_mode_is_refused_with_the_choices():
    with pytest.raises(ConfigError, match="train.precision must be one of auto, fp32, bf16, got 'fp16'"):
        load_config(None, ["model.name=gan", "train.precision=fp16"])
    with pytest.raises(ConfigError, match="train.compile must be one of off, default, reduce-overhead"):
        load_config(None, ["model.name=gan", "train.compile=fast"])


def test_compile_accepts_yaml_booleans():
    assert load_config(None, ["model.name=gan", "train.compile=off"]).train.compile == "off"
    assert load_config(None, ["model.name=gan", "train.compile=true"]).train.compile == "default"


def test_channels_last_trains_exactly_like_nchw(tmp_path):
    plain = _losses(_trainer(tmp_path / "a", ["train.channels_last=false"]))
    nhwc_trainer = _trainer(tmp_path / "b", ["train.channels_last=true"])
    nhwc = _losses(nhwc_trainer)
    assert nhwc == pytest.approx(plain, rel=1e-4)
    conv = next(m for m in nhwc_trainer.model.discriminator.modules() if isinstance(m, torch.nn.Conv2d))
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)


def test_defaults_are_fp32_with_channels_last_for_images_only(tmp_path):
    trainer = _trainer(tmp_path, [])
    assert trainer.fast.channels_last is True and trainer.fast.precision == "fp32"
    assert trainer.fast.compile_mode == "off"
    config = load_config(None, ["model.name=gan", "data.name=ring", "train.channels_last=true", "train.device=cpu"])
    model = build_model(config, data_shape_of(load_data(config)), seed=0)
    assert fast_path.resolve_fast_path(config.train, model, torch.device("cpu")).channels_last is False


def test_bf16_autocast_keeps_fp32_weights_and_trains_close_to_fp32(tmp_path):
    fp32 = _losses(_trainer(tmp_path / "a", ["train.precision=fp32"], steps=20))
    trainer = _trainer(tmp_path / "b", ["train.precision=bf16"], steps=20)
    bf16 = _losses(trainer)
    assert bf16[:2] == pytest.approx(fp32[:2], rel=0.02)  # same weights, same batch: only rounding differs
    assert torch.isfinite(torch.tensor(bf16)).all()
    assert {p.dtype for p in trainer.model.parameters()} == {torch.float32}


def test_gradient_penalty_under_bf16_autocast_matches_fp32():
    torch.manual_seed(0)
    critic = init_weights(DCGANDiscriminator(1, 32, 16, False), "dcgan")
    last = [m for m in critic.modules() if isinstance(m, torch.nn.Conv2d)][-1]
    with torch.no_grad():
        last.weight.mul_(100)  # gradient norms near 1, where the penalty is a small difference
    real, fake = torch.rand(32, 1, 32, 32) * 2 - 1, torch.rand(32, 1, 32, 32) * 2 - 1

    def penalty(bf16):
        critic.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            value = gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(1))
        value.backward()
        return value.item(), torch.cat([p.grad.flatten() for p in critic.parameters() if p.grad is not None])

    (a, grad_a), (b, grad_b) = penalty(False), penalty(True)
    assert 0.01 < a < 10
    assert b == pytest.approx(a, rel=0.01)
    assert torch.nn.functional.cosine_similarity(grad_a, grad_b, dim=0) > 0.999


def test_compiled_networks_train_like_eager_and_checkpoint_the_same_keys(tmp_path, monkeypatch):
    monkeypatch.setattr(fast_path, "COMPILE_BACKEND", "aot_eager")  # the same tracing, no C++ compiler needed
    eager = _losses(_trainer(tmp_path / "a", []))
    trainer = _trainer(tmp_path / "b", ["train.compile=default"])
    compiled = _losses(trainer)
    assert compiled == pytest.approx(eager, rel=1e-4)
    assert trainer.model.generator._compiled_call_impl is not None
    assert not any("_orig_mod" in key for key in trainer.model.state_dict())


@pytest.mark.parametrize("extra, message", [
    (["model.loss=wgan-gp"], "does not support WGAN-GP"),
    (["model.name=bgan", "model.width=8", "data.pad_to=32"], "cannot follow a growing model"),
])
@pytest.mark.parametrize("mode", ["default", "reduce-overhead"])
def test_compile_falls_back_with_one_notice_where_a_graph_cannot_hold(extra, message, mode):
    config = load_config(None, ["model.name=gan", "data.name=digits", "data.resize=28", "data.limit=64",
                                "train.device=cpu", *extra, f"train.compile={mode}"])
    model = build_model(config, data_shape_of(load_data(config)), seed=0)
    notices: list[str] = []
    fast = fast_path.resolve_fast_path(config.train, model, torch.device("cpu"), notice=notices.append)
    assert fast.compile_mode == "off"
    assert len(notices) == 1 and message in notices[0] and mode in notices[0]


def test_reduce_overhead_off_cuda_compiles_in_the_default_mode_with_a_notice():
    config = load_config(None, ["model.name=gan", "data.name=ring", "train.compile=reduce-overhead"])
    model = build_model(config, data_shape_of(load_data(config)), seed=0)
    notices: list[str] = []
    fast = fast_path.resolve_fast_path(config.train, model, torch.device("cpu"), notice=notices.append)
    assert fast.compile_mode == "default" and len(notices) == 1 and "CUDA graphs" in notices[0]


def test_reduce_overhead_trains_like_eager_on_the_cpu(tmp_path, monkeypatch):
    monkeypatch.setattr(fast_path, "COMPILE_BACKEND", "aot_eager")  # the same tracing, no C++ compiler needed
    eager = _losses(_trainer(tmp_path / "a", []))
    compiled = _losses(_trainer(tmp_path / "b", ["train.compile=reduce-overhead"]))
    assert compiled == pytest.approx(eager, rel=1e-4)


def test_glo_projects_rows_that_appear_twice_in_a_batch():
    config = load_config(None, ["model.name=glo", "model.width=8", "model.latent_dim=8", "data.name=digits",
                                "data.resize=28", "data.limit=64", "model.lr_codes=50",
                                "model.projection=sphere"])
    data = load_data(config)
    model = build_model(config, data_shape_of(data), seed=0)
    model.initialize(data)
    index = torch.tensor([3, 5, 3, 7, 5, 3])
    model.training_step(data.batch(index), 0)
    assert model.codes.weight[index].norm(dim=1).tolist() == pytest.approx([1.0] * 6, abs=1e-5)


def test_a_resumed_bf16_channels_last_run_equals_the_uninterrupted_one(tmp_path):
    extra = ["train.precision=bf16", "train.channels_last=true", "train.log_every=2", "train.sample_every=1000",
             "train.checkpoint_every=4"]
    straight = latentgan.train(load_config(None, [*DCGAN, *extra, "train.steps=8", f"train.out={tmp_path / 'a'}"]))
    half = latentgan.train(load_config(None, [*DCGAN, *extra, "train.steps=4", f"train.out={tmp_path / 'b'}"]))
    latentgan.resume(half, steps=8)

    def losses(run):
        return [{k: v for k, v in json.loads(line).items() if "loss" in k}
                for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert losses(half) == losses(straight)
