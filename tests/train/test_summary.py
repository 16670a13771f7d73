"""summary.md: what a finished run shows without another command."""

from PIL import Image

import latentgan
from latentgan.config import load_config
from latentgan.train.metrics_log import final_evaluation
from latentgan.train.summary import PAIRS


def _train(tmp_path, model: list[str], steps: int = 20):
    config = load_config(None, [*model, "data.name=mnist5k", "data.split=train", "data.limit=256",
                                f"train.steps={steps}", "train.batch_size=32", "train.progress=false",
                                f"train.eval_every={steps}", "train.eval_metrics=[recon]", "train.eval_n=64",
                                f"train.checkpoint_every={steps}", f"train.sample_every={steps}"])
    return latentgan.train(config, out=tmp_path / "run")


def test_an_encoder_run_shows_heldout_reconstructions_interpolations_and_its_final_evaluation(tmp_path):
    run = _train(tmp_path, ["model.name=vae", "model.latent_dim=8", "model.width=8"])
    text = (run / "summary.md").read_text()
    assert "## Evaluation at step 20" in text and "reconstruction_class_agreement" in text
    assert "![reconstructions](reconstructions.png)" in text and "![interpolation](interpolation.png)" in text
    # 2 * PAIRS originals each beside its reconstruction: one row of 8 pairs per 8 images, 28 px + 2 px padding
    width, height = Image.open(run / "reconstructions.png").size
    assert (width, height) == (2 + 16 * 30, 2 + 2 * 30)
    # PAIRS rows of 8 decoded steps with the two real images added at the ends
    width, height = Image.open(run / "interpolation.png").size
    assert (width, height) == (2 + 10 * 30, 2 + PAIRS * 30)
    assert "## Final losses" in text and "- reconstruction_class_agreement" not in text.split("## Evaluation")[0]


def test_a_run_without_an_encoder_draws_no_reconstruction(tmp_path):
    config = load_config(None, ["model.name=gan", "data.name=ring", "train.steps=10", "train.progress=false"])
    run = latentgan.train(config, out=tmp_path / "ring")
    assert not (run / "reconstructions.png").exists() and "Pictures of held-out" not in (run / "summary.md").read_text()


def test_final_evaluation_takes_the_eval_line_at_the_last_step_only():
    records = [{"step": 0, "params_total": 5}, {"step": 10, "loss": 1.0, "images_per_sec": 9.0},
               {"step": 10, "fid": 50.0}, {"step": 20, "loss": 0.5, "images_per_sec": 9.0}, {"step": 20, "fid": 30.0}]
    assert final_evaluation(records, 20) == {"fid": 30.0}
    assert final_evaluation(records[:4], 20) == {}
