"""`latentgan compare` and the step each eval result records, on two tiny ring runs."""

import json

import pytest

from latentgan.cli import main


def _ring_run(tmp_path_factory, name, width):
    """A ring GAN of the given hidden width, 40 steps, checkpoints at 20 and 40."""
    from latentgan.api import train
    from latentgan.config import load_config

    out = tmp_path_factory.mktemp(name)
    overrides = ["model.name=gan", "model.latent_dim=2", "data.name=ring", "data.n_points=2000",
                 "train.steps=40", "train.batch_size=64", "train.log_every=10",
                 "train.sample_every=1000", "train.checkpoint_every=20", "train.progress=false",
                 f"train.out={out / 'run'}", "train.device=cpu", f"model.hidden=[{width}, {width}]"]
    return train(load_config(None, overrides), log=lambda message: None)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Two ring GANs that differ in width, the first evaluated for mode coverage."""
    a = _ring_run(tmp_path_factory, "a", 32)
    b = _ring_run(tmp_path_factory, "b", 16)
    return a, b


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_eval_records_the_step_and_checkpoint_of_each_result(two_runs, capsys):
    a, _ = two_runs
    code, _, err = run_cli(capsys, "eval", a, "--metrics", "modes", "--n", "200")
    assert code == 0, err
    data = json.loads((a / "eval.json").read_text())
    assert data["steps"] == {name: 40 for name in data["metrics"]}
    assert data["checkpoint"].startswith("step_") and data["checkpoint"].endswith("40.pt")


def test_compare_tables_metrics_with_steps_curves_and_config_differences(two_runs, tmp_path, capsys):
    a, b = two_runs
    run_cli(capsys, "eval", a, "--metrics", "modes", "--n", "200")
    run_cli(capsys, "eval", b, "--metrics", "modes", "--n", "200")
    code, out, err = run_cli(capsys, "compare", a, b, "--out", tmp_path / "cmp")
    assert code == 0, err
    assert "(step 40)" in out and "model.hidden" in out and "train.out" not in out
    html = (tmp_path / "cmp" / "compare.html").read_text()
    assert "curves.png" in html and "model.hidden" in html
    assert (tmp_path / "cmp" / "curves.png").stat().st_size > 1000
    assert "| metric |" in (tmp_path / "cmp" / "compare.md").read_text()


@pytest.mark.parametrize("case", ["one_run", "not_a_run", "no_eval"])
def test_compare_refuses_bad_inputs_in_one_line_and_writes_nothing(two_runs, tmp_path, capsys, case,
                                                                     tmp_path_factory):
    a, b = two_runs
    if case == "one_run":
        args = [a]
    elif case == "not_a_run":
        args = [a, tmp_path]
    else:
        args = [_ring_run(tmp_path_factory, "c", 8), _ring_run(tmp_path_factory, "d", 8)]
    code, out, err = run_cli(capsys, "compare", *args, "--out", tmp_path / "cmp")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("latentgan: error:")
    assert not (tmp_path / "cmp").exists()


def test_eval_of_every_checkpoint_prints_one_row_per_step_and_keeps_the_newest_as_current(two_runs, capsys):
    _, b = two_runs
    code, out, err = run_cli(capsys, "eval", b, "--metrics", "modes", "--n", "200", "--checkpoints", "all")
    assert code == 0, err
    rows = [line.split()[0] for line in out.splitlines()[2:] if line[:1].isdigit()]
    assert rows == ["20", "40"]
    data = json.loads((b / "eval.json").read_text())
    assert sorted(data["by_step"]) == ["20", "40"] and set(data["steps"].values()) == {40}
    assert data["metrics"] == data["by_step"]["40"]
