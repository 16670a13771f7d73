"""GLO's Figure 1 (Bojanowski et al., 2017): GLO's codes, trained from a random start, spread the information over
more latent directions than PCA, whose cumulative singular-value curve rises faster."""

from __future__ import annotations

from pathlib import Path

import torch

import latentgan
from latentgan.experiments.card import Card
from latentgan.experiments.glo_common import (
    PAPER,
    ReconBudget,
    cpu_departures,
    fitted_pca,
    over_seeds,
    train_run,
    training_data,
)
from latentgan.experiments.protocol import DecisionRule, decide, finish_card
from latentgan.experiments.registry import ExperimentSettings, register_experiment
from latentgan.nn.in_batches import map_in_batches

CLAIM = ("Figure 1: GLO's codes (especially from a random start) spread the information over more latent directions "
         "than PCA, whose cumulative singular-value curve rises faster.")
BUDGETS = {
    "smoke": ReconBudget(("mnist5k",), 128, 10, 16, 5, latent_dim=8, width=8, batch_size=32),
    # cpu: the quick run of 2026-11-21 (PCA 0.74, GLO random 0.54 in the top half) sized the gap; seeds fixed here.
    "cpu": ReconBudget(("fashion-mnist",), 1000, 2000, 200, 100, width=16),
    "paper": ReconBudget(("fashion-mnist",), None, 20_000, 1000, 500),
}
# Figure 1 is a picture; the stand-in reads its gap at half the code size. Fixed before the cpu runs.
RULE = DecisionRule("PCA's minus GLO's (random init, MSE) share of the singular-value sum in the top half of the "
                    "code dimensions", 0.05, "above", seeds=3,
                    source="Figure 1 shows PCA's curve above GLO's; stand-in: at least 5 points apart at d/2")
VAE_RULE = DecisionRule("VAE posterior means' minus GLO's (random init) top-half share", 0.0, "above", seeds=3,
                        source="section 3.3.1: 'PCA or autoencoders tend to concentrate the information in a few "
                               "directions'")
CURVES = ("PCA", "GLO, random init", "GLO, PCA init", "VAE (posterior means)")


def singular_spectrum(codes: torch.Tensor) -> torch.Tensor:
    """Cumulative sum of the singular values of the centred code matrix (N, d), normalised to end at 1: (d,)."""
    z = codes.detach().double().cpu()
    s = torch.linalg.svdvals(z - z.mean(0))
    return (s.cumsum(0) / s.sum().clamp_min(1e-12)).float()


def top_half_share(curve: torch.Tensor) -> float:
    """The cumulative share of the singular-value sum at half the code size."""
    return curve[max(curve.shape[0] // 2, 1) - 1].item()


def seed_spectra(budget: ReconBudget, seed: int, out_dir: str, device: str) -> dict[str, list[float]]:
    """One seed's four curves: PCA scores, GLO codes (MSE loss, random and PCA init), VAE posterior means."""
    settings = ExperimentSettings(Path(out_dir), budget="cpu", device=device, log=lambda m: None)
    dataset, out = budget.datasets[0], Path(out_dir) / f"seed{seed}"
    data = training_data(dataset, budget)
    x = data.scale(data.x)
    curves = {"PCA": singular_spectrum(fitted_pca(data, budget.latent_dim).encode(x))}
    for init in ("random", "pca"):
        run = train_run("glo", dataset, budget, ["model.loss=l2", f"model.code_init={init}", f"train.seed={seed}"],
                        out / f"glo-{init}", settings)
        curves[f"GLO, {init.replace('pca', 'PCA')} init"] = singular_spectrum(latentgan.load(run).codes.weight)
    vae = latentgan.load(train_run("vae", dataset, budget, [f"train.seed={seed}"], out / "vae", settings))
    curves["VAE (posterior means)"] = singular_spectrum(map_in_batches(vae.encode, x))
    return {label: curve.tolist() for label, curve in curves.items()}


def plot_spectra(curves: dict[str, list[float]], path: Path) -> Path:
    """Figure 1: the cumulative singular-value curves, one line per code matrix."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    for label, curve in curves.items():
        ax.plot(range(1, len(curve) + 1), curve, label=label)
    ax.set_xlabel("number of singular values")
    ax.set_ylabel("cumulative share of their sum")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


@register_experiment("glo-spectrum", PAPER, CLAIM)
def glo_spectrum(settings: ExperimentSettings) -> Path:
    """Figure 1 over seeds: the top-half share of PCA, GLO (random and PCA init) and VAE codes; decided per seed."""
    budget, per_seed = over_seeds(seed_spectra, BUDGETS, RULE.seeds, settings)
    shares = [{label: top_half_share(torch.tensor(curve)) for label, curve in curves.items()} for curves in per_seed]
    rows = [{"seed": s, **{f"{label}: top-half share": round(v, 4) for label, v in share.items()}}
            for s, share in enumerate(shares)]
    decisions = [decide(RULE, [s["PCA"] - s["GLO, random init"] for s in shares]),
                 decide(VAE_RULE, [s["VAE (posterior means)"] - s["GLO, random init"] for s in shares])]
    figure = plot_spectra(per_seed[0], settings.out_dir / "spectrum.png")
    notes = [f"Budget: {budget.describe()}.",
             "Codes of every training image: PCA scores, GLO's learned table (MSE loss, codes projected on the "
             "ball), the VAE's posterior means (same decoder, Gaussian likelihood with std 0.2). The top-half "
             "share is the cumulative singular-value curve at d/2; a flatter curve (lower share) spreads the "
             "information over more directions. spectrum.png: seed 0."]
    card = Card("glo-spectrum", PAPER, CLAIM, "; ".join(d.summary() for d in decisions) + ".", None, rows, notes,
                [figure], decisions=decisions, paper_number="a picture (Figure 1): PCA's curve above GLO's")
    if settings.budget != "paper":
        card.departures = cpu_departures(budget) + [
            "The paper's Figure 1 has no number; the decided statistic is the curves' gap at d/2 (a stand-in).",
            "MSE loss for the GLO codes (the paper's Figure 1 does not say which loss; Table 1 uses both)."]
    return finish_card(card, settings)
