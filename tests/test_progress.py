"""Long steps say what they are doing: a bar on a terminal, a start and an end line in a log."""

import torch

from latentgan.metrics.fid import generated_features
from latentgan.progress import task


def test_in_a_log_a_task_prints_one_start_and_one_end_line_without_carriage_returns(monkeypatch, capsys):
    monkeypatch.setenv("LATENTGAN_PROGRESS", "1")
    with task("training the mnist5k classifier", total=3) as bar:
        for _ in range(3):
            bar.update(1)
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "training the mnist5k classifier ..." and "\r" not in err
    assert err.splitlines()[1].startswith("training the mnist5k classifier: done in ")


def test_progress_can_be_silenced(monkeypatch, capsys):
    monkeypatch.setenv("LATENTGAN_PROGRESS", "0")
    with task("quiet", total=1) as bar:
        bar.update(1)
    assert capsys.readouterr().err == ""


def test_fid_feature_extraction_names_its_sample_count(monkeypatch, capsys):
    monkeypatch.setenv("LATENTGAN_PROGRESS", "1")

    class Extractor:
        name = "toy"

        def __call__(self, images):
            return images.flatten(1)

    features = generated_features(lambda k: torch.rand(k, 1, 2, 2), 600, Extractor(), (1, 2, 2), batch_size=250)
    assert features.shape == (600, 4)
    assert "features of 600 samples (toy) ..." in capsys.readouterr().err
