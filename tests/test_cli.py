import subprocess
import sys

import pytest
import torch

from latentgan.cli import main
from latentgan.config import load_config


def run_cli(*args):
    """The real command in a subprocess: exit code, stdout, stderr."""
    p = subprocess.run([sys.executable, "-m", "latentgan", *map(str, args)], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


RING = ["--model", "gan", "--data", "ring", "--steps", "40", "--quiet", "--device", "cpu",
        "--set", "data.n_points=2000", "--set", "model.latent_dim=2", "--set", "train.checkpoint_every=20"]


def test_train_resume_sample_round_trip(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", *RING, "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    for name in ("config.yaml", "run.json", "metrics.jsonl", "summary.md", "samples/step_0000040.png"):
        assert (out / name).exists(), name
    assert "Mode coverage" in (out / "summary.md").read_text()
    assert main(["resume", str(out), "--steps", "60"]) == 0
    assert (out / "checkpoints" / "step_0000060.pt").exists()
    assert main(["sample", str(out), "--n", "16", "--out", str(tmp_path / "s.pt")]) == 0
    assert torch.load(tmp_path / "s.pt").shape == (16, 2)
    assert main(["sample", str(out), "--n", "16", "--out", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").stat().st_size > 0


def test_listing_commands():
    code, out, _ = run_cli("models", "list")
    assert code == 0 and "gan" in out
    code, out, _ = run_cli("data", "list")
    assert code == 0 and "mnist5k" in out and "ring" in out
    code, out, _ = run_cli("data", "info", "ring")
    assert code == 0 and "n_modes" in out
    code, out, _ = run_cli("train", "--help")
    assert code == 0 and "--set" in out


@pytest.mark.parametrize("args, message", [
    (["train", "--data", "nosuchdata", "--steps", "1"], "unknown dataset"),
    (["train", "--set", "model.lr=3"], "unknown key 'model.lr'"),
    (["train", "--config", "missing.yaml"], "not found"),
    (["resume", "not_a_run"], "does not exist"),
    (["sample", "not_a_run", "--out", "x.png"], "does not exist"),
    (["data", "info", "nosuchdata"], "unknown dataset"),
])
def test_user_errors_are_one_line_without_traceback(tmp_path, args, message):
    p = subprocess.run([sys.executable, "-m", "latentgan", *args], capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 2
    assert message in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_existing_run_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", *RING, "--out", str(out)]) == 0
    before = (out / "metrics.jsonl").read_bytes()
    assert main(["train", *RING, "--out", str(out)]) == 2
    assert "already holds a run" in capsys.readouterr().err
    assert (out / "metrics.jsonl").read_bytes() == before


def test_directory_that_is_not_a_run_and_foreign_checkpoint(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["resume", str(tmp_path / "empty")]) == 2
    assert "not a latentgan run directory" in capsys.readouterr().err
    out = tmp_path / "run"
    assert main(["train", *RING, "--out", str(out)]) == 0
    ckpt = out / "checkpoints" / "step_0000040.pt"
    state = torch.load(ckpt, weights_only=True)
    state["model_name"] = "ali"
    torch.save(state, ckpt)
    assert main(["sample", str(out), "--out", str(tmp_path / "x.png")]) == 2
    assert "written by model 'ali'" in capsys.readouterr().err


def test_corrupt_checkpoint_is_reported_and_the_previous_one_used(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", *RING, "--out", str(out)]) == 0
    (out / "checkpoints" / "step_0000040.pt").write_bytes(b"garbage")
    assert main(["sample", str(out), "--out", str(tmp_path / "x.png")]) == 0
    assert main(["resume", str(out)]) == 0
    assert "cannot be read" in capsys.readouterr().out


def test_reproduce_unknown_experiment_names_the_known_ones(capsys):
    assert main(["reproduce", "no-such-claim"]) == 2
    assert "unknown experiment 'no-such-claim'" in capsys.readouterr().err


def test_card_renders_claim_verdict_and_table(tmp_path):
    from latentgan.experiments import Card

    card = Card("demo", "A paper", "X beats Y", "reproduced at this budget", True,
                rows=[{"method": "X", "ours": 1.5, "paper": 2.0}], notes=["3 seeds"])
    text = card.write(tmp_path).read_text()
    assert "**Verdict (reproduced):**" in text and "| X | 1.5 | 2 |" in text and "- 3 seeds" in text


@pytest.mark.slow
def test_the_readme_quickstart_learns_a_latent_space_and_says_so(tmp_path, capsys):
    # The README's first command as written: GLO on mnist5k, 1,500 steps (a few minutes on 2 cores).
    out = tmp_path / "quickstart"
    assert main(["train", "--config", "quickstart", "--out", str(out), "--quiet"]) == 0
    said = capsys.readouterr().out
    assert "final evaluation: " in said and "reconstruction_class_agreement@1k" in said and "pictures: " in said
    summary = (out / "summary.md").read_text()
    agreement = float(summary.split("reconstruction_class_agreement@1k: ")[1].split()[0])
    assert agreement >= 0.8, summary  # held-out digits keep their class (0.957 when the config was chosen)
    assert (out / "reconstructions.png").exists() and (out / "interpolation.png").exists()


def test_model_and_data_start_from_the_packaged_recipe_for_that_pair(tmp_path, capsys):
    assert main(["train", "--model", "gan", "--data", "ring", "--steps", "4", "--quiet", "--out",
                 str(tmp_path / "r")]) == 0
    assert "trained with the packaged recipe 'gan-ring'" in capsys.readouterr().err
    recipe = load_config("gan-ring")
    assert load_config(tmp_path / "r" / "config.yaml").model.hidden == recipe.model.hidden
    assert main(["train", "--model", "gan", "--data", "ring", "--steps", "4", "--quiet", "--no-recipe", "--out",
                 str(tmp_path / "bare")]) == 0
    assert "recipe" not in capsys.readouterr().err


def test_a_config_for_another_dataset_trains_on_a_split_the_new_dataset_has(tmp_path, capsys):
    # ali-mnist reads mnist5k's split "all"; Fashion-MNIST has only train and test.
    assert main(["train", "--config", "dcgan-mnist", "--data", "ring", "--steps", "2", "--quiet", "--set",
                 "model.arch=mlp", "--out", str(tmp_path / "r")]) == 0
    assert "trained on its train split" in capsys.readouterr().err
    assert load_config(tmp_path / "r" / "config.yaml").data.split == "train"
