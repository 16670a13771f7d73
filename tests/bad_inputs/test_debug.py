"""--debug adds the traceback before the one-line message; without it there is none."""

from latentgan.cli import main

ARGS = ["train", "--model", "gan", "--data", "ring", "--steps", "-5", "--quiet"]


def test_traceback_only_with_debug(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(ARGS) == 2
    assert capsys.readouterr().err == "latentgan: error: train.steps must be at least 1, got -5\n"
    assert main(["--debug", *ARGS]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "latentgan.errors.ConfigError: train.steps must be at least 1, got -5" in err
    assert err.endswith("latentgan: error: train.steps must be at least 1, got -5\n")
    assert list(tmp_path.iterdir()) == []
