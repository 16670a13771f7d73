import json

import pytest
import torch

import latentgan
from latentgan.config import load_config
from latentgan.models.registry import get_model_entry


class Interrupted(Exception):
    pass


def _crash_at(monkeypatch, crash_step, model_class):
    original = model_class.training_step

    def training_step(self, batch, step):
        if step == crash_step:
            raise Interrupted
        return original(self, batch, step)

    monkeypatch.setattr(model_class, "training_step", training_step)


def _losses(run_dir):
    lines = [json.loads(s) for s in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in r.items() if k not in ("images_per_sec", "wall_sec")} for r in lines]


def _overrides(out, extra):
    return [f"train.out={out}", "train.steps=60", "train.batch_size=32", "train.log_every=10",
            "train.sample_every=1000", "train.checkpoint_every=20", "train.progress=false",
            "train.device=cpu", *extra]


CASES = {
    "mlp-wgan-gp": ["model.loss=wgan-gp", "model.d_steps=3", "model.latent_dim=2", "model.hidden=[32,32]",
                    "data.name=ring", "data.n_points=1000"],
    "dcgan-batchnorm": ["model.loss=ns", "model.width=8", "model.latent_dim=8", "data.name=digits",
                        "data.resize=28"],
    # The tempering lens: K = 30 < 60, so lambda reaches 0 before the crash and both lens updates are covered.
    "dcgan-lens": ["model.loss=ns", "model.width=8", "model.latent_dim=8", "data.name=digits", "data.resize=28",
                   "model.lens={k: 30, width: 4, blocks: 2}"],
    # The lens's unstated choices as options: sum reconstruction, identity start, LSGAN on sigmoid outputs.
    "dcgan-lens-options": ["model.loss=lsgan-sigmoid", "model.width=8", "model.latent_dim=8", "data.name=digits",
                           "data.resize=28",
                           "model.lens={k: 30, width: 4, blocks: 2, reconstruction: sum, init: identity}"],
    # Learning-rate decay: each group's initial_lr travels in the checkpoint and the rate is set from the step.
    "mlp-lr-decay": ["model.loss=ns", "model.latent_dim=2", "model.hidden=[32,32]", "data.name=ring",
                     "data.n_points=1000", "train.lr_decay=cosine", "train.lr_decay_start=10"],
    # ALI: the Gaussian encoder's noise and D's dropout both draw from the RNG being restored.
    "ali-mlp": ["model.name=ali", "model.latent_dim=2", "model.hidden=[32,32]", "model.d_dropout=0.2",
                "data.name=ring", "data.n_points=1000"],
    # A weight average (train.ema) of encoder and decoder, saved in each checkpoint; load() returns the average.
    "ali-mlp-ema": ["model.name=ali", "model.latent_dim=2", "model.hidden=[32,32]", "data.name=ring",
                    "data.n_points=1000", "train.ema=0.9", "train.ema_start=10"],
    # ALICE's terms (Li et al. 2017): extra encoder/decoder passes and Gaussian draws inside the G step.
    "alice-mlp": ["model.name=ali", "model.latent_dim=2", "model.hidden=[32,32]", "model.recon_weight=1",
                  "model.cycle_weight=0.5", "model.update=simultaneous", "data.name=ring", "data.n_points=1000"],
    # Real and fake pairs through D in one batch (the authors' code), with D's batch norm over both.
    "ali-one-batch-d": ["model.name=ali", "model.latent_dim=2", "model.hidden=[32,32]", "model.d_batch=joint",
                        "model.update=simultaneous", "data.name=ring", "data.n_points=1000"],
    # The decoder's untied output bias, set from the data's mean at the start and restored from the checkpoint.
    "ali-output-bias": ["model.name=ali", "model.width_scale=0.125", "model.latent_dim=8", "model.init=normal",
                        "model.output_bias=data", "data.name=digits", "data.resize=28", "data.limit=200"],
    # ALI with a lens on its x-branch: the lens's optimizer and schedule, D on (L(x), G_z(x)).
    "ali-lens": ["model.name=ali", "model.width_scale=0.125", "model.latent_dim=8", "model.init=default",
                 "data.name=digits", "data.resize=28", "data.limit=200", "model.lens={k: 30, width: 4, blocks: 2}"],
    # GLO: the code table (sized by initialize, rebuilt from extra_state) and sparse SGD on its rows.
    "glo-codes": ["model.name=glo", "model.width=8", "model.latent_dim=8", "model.momentum=0.5",
                  "data.name=digits", "data.resize=28", "data.limit=200"],
    # IVE-GAN: random T(x) (shifts, rotations) and z0 draw from the restored RNG; BN in E, G and D_enc.
    "ive-gan-table": ["model.name=ive_gan", "model.width_scale=0.0625", "model.latent_dim=4", "data.name=digits",
                      "data.pad_to=32", "data.limit=200"],
    # IVE-GAN with G on the joint batch, D_enc per input and the paper's init (config switches, no new state).
    "ive-gan-joint": ["model.name=ive_gan", "model.width_scale=0.0625", "model.latent_dim=4", "data.name=digits",
                      "data.pad_to=32", "data.limit=200", "model.g_batch=joint", "model.d_batch=separate",
                      "model.init=paper"],
    "ive-gan-lens": ["model.name=ive_gan", "model.width_scale=0.0625", "model.latent_dim=4", "data.name=digits",
                     "data.pad_to=32", "data.limit=200", "model.lens={k: 30, width: 4, blocks: 2}"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_resume_after_a_crash_equals_the_uninterrupted_run_bit_for_bit(tmp_path, monkeypatch, case):
    straight = latentgan.train(load_config(None, _overrides(tmp_path / "straight", CASES[case])))

    crashed_dir = tmp_path / "crashed"
    with monkeypatch.context() as m:
        model_class = get_model_entry(load_config(None, CASES[case]).model.name).model_class
        _crash_at(m, crash_step=47, model_class=model_class)  # after the checkpoint and the log at step 40
        with pytest.raises(Interrupted):
            latentgan.train(load_config(None, _overrides(crashed_dir, CASES[case])))
    latentgan.resume(crashed_dir)

    a, b = latentgan.load(straight), latentgan.load(crashed_dir)
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(p, q), f"{name} differs after resume"
    ckpt_a = torch.load(straight / "checkpoints" / "step_0000060.pt", weights_only=True)
    ckpt_b = torch.load(crashed_dir / "checkpoints" / "step_0000060.pt", weights_only=True)
    for opt in ckpt_a["training"]["optimizers"]:
        state_a = ckpt_a["training"]["optimizers"][opt]["state"]
        state_b = ckpt_b["training"]["optimizers"][opt]["state"]
        assert state_a.keys() == state_b.keys()
        assert all(torch.equal(state_a[i][k], state_b[i][k]) for i in state_a for k in state_a[i]
                   if isinstance(state_a[i][k], torch.Tensor))
    assert _losses(straight) == _losses(crashed_dir)


def test_resume_extends_a_finished_run(tmp_path):
    run = latentgan.train(load_config(None, _overrides(tmp_path / "r", CASES["mlp-wgan-gp"])))
    latentgan.resume(run, steps=80)
    assert json.loads((run / "metrics.jsonl").read_text().splitlines()[-1])["step"] == 80
    assert (run / "checkpoints" / "step_0000080.pt").exists()
