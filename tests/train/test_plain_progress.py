import latentgan
from latentgan.config import load_config


def test_output_that_is_not_a_terminal_gets_plain_lines_and_evaluations_as_they_happen(tmp_path, capsys):
    config = load_config(None, ["model.name=gan", "data.name=ring", "train.steps=40", "train.batch_size=8",
                                "train.log_every=10", "train.eval_every=20", "train.eval_metrics=[modes]",
                                "train.eval_n=64", "train.progress=true", f"train.out={tmp_path / 'run'}"])
    latentgan.train(config, log=lambda *a: None)
    err = capsys.readouterr().err  # captured by pytest: not a terminal
    assert "\r" not in err
    lines = err.splitlines()
    assert any(line.startswith("step 40/40 ") and "loss" in line for line in lines)
    assert any(line.startswith("step 20 eval: ") and "modes" in line for line in lines)
    assert all(len(line) <= 200 for line in lines)
