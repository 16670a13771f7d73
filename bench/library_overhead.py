"""Library overhead: latentgan's Trainer against a bare PyTorch loop with identical networks, optimizers and batch.

    .venv/bin/python bench/library_overhead.py [--models gan,ali,glo,ive_gan] [--steps 40] [--rounds 5]
                                              [--batch 64] [--threads 1] [--device cpu]

For each model the bare loop is written out here by hand, the way a user would without the library: the same
networks (taken from a model built with the same seed), fresh optimizers with the same settings, the same
losses and update order, data indexed from an in-memory tensor. Library and bare loop run in alternating rounds
(so a busy machine slows both alike) and the median seconds per step, images per second and the ratio are
printed side by side. The library's round is Trainer.fit with logging every 20 steps and no sample grids or
checkpoints; the one-off end-of-run summary, sample grid and checkpoint are excluded (not per-step costs).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from unittest import mock

import torch
import torch.nn.functional as F

from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.train.trainer import Trainer

DATA = ["data.name=digits", "data.resize=32"]  # scikit-learn's digits: always there, 1,797 images
MODELS = {
    "gan": ["model.name=gan", "model.width=32", "model.latent_dim=64"],
    "ali": ["model.name=ali", "model.width_scale=0.25", "model.latent_dim=32"],
    "glo": ["model.name=glo", "model.width=32", "model.latent_dim=32"],
    "ive_gan": ["model.name=ive_gan", "model.width_scale=0.25", "model.latent_dim=16"],
}


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _adam_like(opt: torch.optim.Optimizer, params) -> torch.optim.Optimizer:
    """A fresh optimizer of the same class and settings over `params`."""
    defaults = {k: v for k, v in opt.defaults.items() if k in ("lr", "betas", "momentum", "eps", "weight_decay")}
    return type(opt)(params, **defaults)


def _step(opt, loss) -> None:
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def bare_gan(model):
    """The GAN's step by hand: D on (x, G(z)), then G on fresh codes (non-saturating loss)."""
    g, d, latent = model.generator, model.discriminator, model.config.latent_dim
    opt_g = _adam_like(model.optimizers["generator"], g.parameters())
    opt_d = _adam_like(model.optimizers["discriminator"], d.parameters())

    def step(x, index):
        with torch.no_grad():
            fake = g(torch.randn(x.shape[0], latent, device=x.device))
        _step(opt_d, F.softplus(-d(x)).mean() + F.softplus(d(fake)).mean())
        d.requires_grad_(False)
        _step(opt_g, F.softplus(-d(g(torch.randn(x.shape[0], latent, device=x.device)))).mean())
        d.requires_grad_(True)
    return step


def bare_ali(model):
    """ALI's step by hand: D on (x, z_hat) vs (x_tilde, z), then encoder+decoder with the labels swapped."""
    enc, dec, disc, latent = model.encoder, model.decoder, model.discriminator, model.config.latent_dim
    opt_g = _adam_like(model.optimizers["generator"], [*enc.parameters(), *dec.parameters()])
    opt_d = _adam_like(model.optimizers["discriminator"], disc.parameters())

    def infer(x):
        mu, log_sigma = enc(x).chunk(2, dim=1)
        return mu + log_sigma.exp() * torch.randn_like(mu)

    def step(x, index):
        z = torch.randn(x.shape[0], latent, device=x.device)
        with torch.no_grad():
            z_hat, x_tilde = infer(x), dec(z).view_as(x)
        _step(opt_d, F.softplus(-disc(x, z_hat)).mean() + F.softplus(disc(x_tilde, z)).mean())
        disc.requires_grad_(False)
        real, fake = disc(x, infer(x)), disc(dec(z).view_as(x), z)
        _step(opt_g, F.softplus(-fake).mean() + F.softplus(real).mean())
        disc.requires_grad_(True)
    return step


def bare_glo(model):
    """GLO's step by hand: Lap1 (or the configured loss) of G(codes[index]) vs x, sparse SGD on the codes."""
    from latentgan.latent import project_codes
    from latentgan.losses import reconstruction_loss

    g, codes, cfg = model.generator, model.codes, model.config
    opt_g = _adam_like(model.optimizers["generator"], g.parameters())
    opt_c = _adam_like(model.optimizers["codes"], codes.parameters())

    def step(x, index):
        loss = reconstruction_loss(cfg.loss, cfg.loss_weights, g(codes(index)).view_as(x), x, "mean")
        opt_g.zero_grad(set_to_none=True)
        opt_c.zero_grad(set_to_none=True)
        loss.backward()
        opt_g.step()
        opt_c.step()
        with torch.no_grad():
            rows = index.unique()
            codes.weight[rows] = project_codes(codes.weight[rows], cfg.projection)
    return step


def bare_ive_gan(model):
    """IVE-GAN's step by hand: D_enc+D+D0 on T(x), G(z0, E(x)) given x and G(z0, z), then E+G."""
    cfg, feats, joint, marginal = model.config, model.features, model.joint_head, model.marginal_head
    enc, gen = model.encoder, model.generator
    opt_g = _adam_like(model.optimizers["generator"], [*enc.parameters(), *gen.parameters()])
    opt_d = _adam_like(model.optimizers["discriminator"],
                       [*feats.parameters(), *joint.parameters(), *marginal.parameters()])
    transform, n_noise, n_code = model.transform, cfg.noise_dim, cfg.latent_dim

    def fakes(x):
        n = x.shape[0]
        recon = gen(torch.cat([torch.randn(n, n_noise, device=x.device), enc(x)], 1)).view_as(x)
        prior = torch.rand(n, n_code, device=x.device) * 2 - 1
        generated = gen(torch.cat([torch.randn(n, n_noise, device=x.device), prior], 1)).view_as(x)
        return transform(x), recon, generated

    def scores(x, transformed, recon, generated):
        f = feats(torch.cat([transformed, recon, x, generated])).split(x.shape[0])
        return joint(f[0], f[2]), joint(f[1], f[2]), marginal(f[2]), marginal(f[3])

    def step(x, index):
        with torch.no_grad():
            parts = fakes(x)
        real_pair, fake_pair, real, fake = scores(x, *parts)
        d_loss = (F.softplus(-real_pair).mean() + F.softplus(fake_pair).mean() + F.softplus(-real).mean()
                  + F.softplus(fake).mean())
        _step(opt_d, d_loss)
        for net in (feats, joint, marginal):
            net.requires_grad_(False)
        _, fake_pair, _, fake = scores(x, *fakes(x))
        _step(opt_g, -F.softplus(fake_pair).mean() - F.softplus(fake).mean())  # minimax, the config's default
        for net in (feats, joint, marginal):
            net.requires_grad_(True)
    return step


SAME_AS_BARE = ("train.precision=fp32", "train.channels_last=false", "train.compile=off")

BARE = {"gan": bare_gan, "ali": bare_ali, "glo": bare_glo, "ive_gan": bare_ive_gan}


def _config(name: str, batch: int, device: str, out: Path, extra: tuple[str, ...] = ()):
    return load_config(None, [*MODELS[name], *DATA, f"train.batch_size={batch}", f"train.device={device}",
                              "train.progress=false", "train.log_every=20", "train.sample_every=1000000000",
                              "train.checkpoint_every=1000000000", f"train.out={out}", *extra])


def _library(name: str, batch: int, device: torch.device, out: Path, extra: tuple[str, ...] = ()):
    """A Trainer ready to fit more steps on demand; `extra` overrides the config (fast-path switches, size)."""
    config = _config(name, batch, device.type, out, extra)
    out.mkdir(parents=True, exist_ok=True)
    data = load_data(config).to(device)
    model = build_model(config, data_shape_of(data), seed=0).to(device)
    model.initialize(data)
    trainer = Trainer(config, out, model, data, log=lambda m: None)

    def run(steps: int) -> float:
        config.train.steps = trainer.step + steps
        _sync(device)
        start = time.perf_counter()
        # fit() ends a run with a summary, a sample grid and a checkpoint: one-off costs, not per-step ones.
        with mock.patch("latentgan.train.trainer.write_summary"), \
                mock.patch("latentgan.train.trainer.save_samples"), mock.patch.object(trainer, "checkpoint"):
            trainer.fit()
        _sync(device)
        return (time.perf_counter() - start) / steps
    return run


def _bare(name: str, batch: int, device: torch.device, out: Path, extra: tuple[str, ...] = ()):
    """The hand-written loop over the same data and identical networks."""
    config = _config(name, batch, device.type, out, extra)
    data = load_data(config)
    model = build_model(config, data_shape_of(data), seed=0).to(device).train()
    model.initialize(data.to(device))
    x_all = data.scale(data.x).to(device)
    step_fn, state = BARE[name](model), {"order": torch.randperm(len(x_all)), "pos": 0}

    def next_batch():
        if state["pos"] + batch > len(x_all):
            state["order"], state["pos"] = torch.randperm(len(x_all)), 0
        index = state["order"][state["pos"]:state["pos"] + batch].to(device)
        state["pos"] += batch
        return x_all[index], index

    def run(steps: int) -> float:
        _sync(device)
        start = time.perf_counter()
        for _ in range(steps):
            step_fn(*next_batch())
        _sync(device)
        return (time.perf_counter() - start) / steps
    return run


def main() -> None:
    """Parse flags, time every model's library and bare loops in alternating rounds, print the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--steps", type=int, default=40, help="steps per round")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(f"{'model':>8} {'library ms/step':>16} {'bare ms/step':>13} {'library img/s':>14} {'bare img/s':>11} "
          f"{'overhead':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models.split(","):
            # The bare loop is plain fp32 NCHW: the library runs the same way (bench/fast_path.py times the rest).
            lib = _library(name, args.batch, device, Path(tmp) / name, SAME_AS_BARE)
            bare = _bare(name, args.batch, device, Path(tmp) / f"{name}-bare")
            lib(3), bare(3)  # warm-up: allocator, first-call costs
            times = {"lib": [], "bare": []}
            for _ in range(args.rounds):
                times["lib"].append(lib(args.steps))
                times["bare"].append(bare(args.steps))
            a, b = statistics.median(times["lib"]), statistics.median(times["bare"])
            print(f"{name:>8} {a * 1000:16.2f} {b * 1000:13.2f} {args.batch / a:14.1f} {args.batch / b:11.1f} "
                  f"{100 * (a / b - 1):+8.1f}%")
    print(f"batch {args.batch}, digits at 32 px, {args.rounds} rounds x {args.steps} steps, device {device}, "
          f"{torch.get_num_threads()} threads, torch {torch.__version__}")


if __name__ == "__main__":
    main()
