"""IVE-GAN on MNIST digits (Figures 4, 5, 7, 8, 9): 3-d codes that separate classes better than 3-d PCA, and 16-d
reconstructions that keep the digit's class."""

from __future__ import annotations

from pathlib import Path

import torch

import latentgan
from latentgan.data.base import to_unit_range
from latentgan.experiments.card import Card
from latentgan.experiments.ive_common import (
    ALI_32,
    IMAGE_BUDGETS,
    INVARIANT_COLUMN,
    IVE_MNIST,
    PAPER,
    class_agreement,
    code_space_rows,
    image_departures,
    test_images,
    train_image_run,
    transformed_agreement,
)
from latentgan.experiments.protocol import DecisionRule, decide, finish_card, pick_budget
from latentgan.experiments.registry import ExperimentSettings, register_experiment
from latentgan.nn.in_batches import map_in_batches
from latentgan.viz.grid import save_image_grid
from latentgan.viz.interpolation import save_interpolation_grid
from latentgan.viz.latent_scatter import save_latent_scatter

CLAIM = ("With class-invariant transformations (shifts <= 4 px, rotations <= 20 deg) IVE-GAN's 3-d codes separate "
         "the digit classes without labels (k-NN accuracy above 3-d PCA's), and 16-d reconstructions keep the "
         "class of the digit (Figures 4, 5).")
# The paper shows pictures only (Figures 4, 5); the thresholds are issue 23's measurable stand-ins.
KNN_RULE = DecisionRule("3-d code k-NN minus 3-d PCA k-NN", 0.05, "above", seeds=3, aggregate="every",
                        source="Figure 5 shows classes separated in 3-d; stand-in: 5 points above PCA in every seed")
AGREE_RULE = DecisionRule("16-d reconstructions keeping the class (invariant classifier)", 0.80, "above", seeds=3,
                          source="Figure 4 shows reconstructions of the same digit; stand-in from issue 23")


def noise_grid(model, rows: int = 8, cols: int = 8, seed: int = 0) -> torch.Tensor:
    """Figure 7: the same code z along each row, the same noise z0 down each column."""
    g = torch.Generator().manual_seed(seed)
    z = model.prior(rows, g).repeat_interleave(cols, dim=0)
    z0 = model.noise(cols, g).repeat(rows, 1)
    return model.sample(rows * cols, z=z, z0=z0)


def mnist_figures(runs: dict[int, Path], dataset: str, space: dict, out: Path) -> list[Path]:
    """Figures 4, 5, 7, 8 and 9 for one seed's 16-d and 3-d runs."""
    x, y, value_range = test_images(runs[16], 16)
    models = {d: latentgan.load(r) for d, r in runs.items()}
    unit = lambda t: to_unit_range(t, value_range)  # noqa: E731
    rows = torch.cat([unit(x), unit(models[16].reconstruct(x)), unit(models[3].reconstruct(x))])
    figures = [save_image_grid(rows, out / f"{dataset}_reconstructions_16d_3d.png", nrow=16)]
    figures.append(save_latent_scatter(space["codes"]["IVE-GAN, 3-d"][1], space["test_y"],
                                       out / f"{dataset}_codes_3d.png",
                                       title=f"{dataset}: IVE-GAN 3-d codes of test images"))
    figures.append(save_image_grid(unit(noise_grid(models[16])), out / f"{dataset}_same_z_rows_same_z0_columns.png",
                                   nrow=8))
    pairs = map_in_batches(models[16].encode, x).view(8, 2, -1)
    figures.append(save_interpolation_grid(models[16].decode, pairs, out / f"{dataset}_interpolations.png",
                                           value_range=value_range, endpoints=x.view(8, 2, *x.shape[1:])))
    figures.append(save_latent_scatter(space["codes"]["IVE-GAN, 16-d"][1], space["test_y"],
                                       out / f"{dataset}_tsne_codes.png", method="tsne",
                                       title=f"{dataset}: t-SNE of IVE-GAN 16-d codes"))
    figures.append(save_latent_scatter(space["test_x"].flatten(1), space["test_y"], out / f"{dataset}_tsne_pixels.png",
                                       method="tsne", title=f"{dataset}: t-SNE of raw pixels"))
    return figures


def run_seed(seed: int, budget, settings: ExperimentSettings) -> tuple[list[dict], dict, dict[int, Path]]:
    """One seed: IVE-GAN with 16-d and 3-d codes and ALI with 3-d codes; rows, decided values and the IVE runs."""
    out = settings.out_dir / budget.dataset / f"seed{seed}"
    runs = {d: train_image_run(IVE_MNIST, budget, d, budget.width_scale, seed, out / f"ive-{d}d", settings)
            for d in (16, 3)}
    ali = train_image_run(ALI_32, budget, 3, budget.ali_width, seed, out / "ali-3d", settings)
    space_rows, space = code_space_rows({"IVE-GAN, 3-d": runs[3], "IVE-GAN, 16-d": runs[16], "ALI, 3-d": ali},
                                        4000, budget.eval_n)
    mse16, agree16, inv16 = class_agreement(runs[16], budget.eval_n, settings.device)
    _, agree3, inv3 = class_agreement(runs[3], budget.eval_n, settings.device)
    t_plain, t_inv = transformed_agreement(runs[16], budget.eval_n)
    rows = [{"seed": seed, **r} for r in space_rows]
    rows += [{"seed": seed, "space": "IVE-GAN 16-d reconstructions", "class agreement": agree16,
              INVARIANT_COLUMN: inv16, "reconstruction MSE": mse16},
             {"seed": seed, "space": "IVE-GAN 3-d reconstructions", "class agreement": agree3, INVARIANT_COLUMN: inv3},
             {"seed": seed, "space": "T(x): a perfect reconstruction", "class agreement": t_plain,
              INVARIANT_COLUMN: t_inv}]
    by_space = {r["space"]: r["k-NN (k=10) accuracy"] for r in space_rows}
    values = {"knn_gap": by_space["IVE-GAN, 3-d"] - by_space["PCA, 3-d"], "agree16": inv16}
    settings.log(f"seed {seed}: {space_rows}, 16-d agreement {inv16:.3f}")
    return rows, {"values": values, "space": space}, runs


def run_ive_mnist(settings: ExperimentSettings) -> Path:
    """Per seed: three runs, k-NN in code spaces, class agreement; figures from seed 0; decisions; the card."""
    budget = pick_budget(IMAGE_BUDGETS, settings.budget)
    seeds = settings.seeds or budget.seeds
    rows, values, figures = [], [], []
    for seed in range(seeds):
        seed_rows, result, runs = run_seed(seed, budget, settings)
        rows += seed_rows
        values.append(result["values"])
        if seed == 0:  # beside card.md, which links by name
            figures = mnist_figures(runs, budget.dataset, result["space"], settings.out_dir)
    decisions = [decide(KNN_RULE, [v["knn_gap"] for v in values]),
                 decide(AGREE_RULE, [v["agree16"] for v in values])]
    verdict = "; ".join(d.summary() for d in decisions) + "."
    notes = [f"Budget: {budget.describe()}; Table 2, z0 4-d.",
             "k-NN uses every training code (4,000 at most) with k = 10 and is tested on held-out images; the "
             "invariant classifier is the library's classifier trained on digits shifted <= 4 px and rotated "
             "<= 20 deg (T's range), so it labels a variant T(x) like x, as the paper's reading of Figure 4 does. "
             "The T(x) row scores T(x) itself, what Eq. 3 makes G aim for.",
             f"ALI: the SVHN 32 px table at width x {budget.ali_width:g} with a 3-d Gaussian code, same data and "
             "steps."]
    card = Card(name="ive-mnist", paper=PAPER, claim=CLAIM, verdict=verdict, reproduced=None, rows=rows, notes=notes,
                figures=figures, decisions=decisions, departures=image_departures(budget),
                paper_number="pictures only (Figures 4, 5)")
    return finish_card(card, settings)


@register_experiment("ive-mnist", PAPER, CLAIM)
def ive_mnist(settings: ExperimentSettings) -> Path:
    """IVE-GAN on MNIST digits: reconstructions, 3-d codes against PCA, noise grid, interpolations."""
    return run_ive_mnist(settings)
