"""A run that cannot start says why in one line and leaves no run directory; a resume that trains nothing changes
nothing."""

import pytest
from PIL import Image

import latentgan
from latentgan.config import load_config
from latentgan.data.base import DataError
from latentgan.errors import ConfigError


def _ring(*extra):
    return load_config(None, ["model.name=gan", "data.name=ring", "train.steps=4", "train.progress=false", *extra])


def test_a_config_edited_in_python_with_a_wrong_type_is_refused_before_the_disk(tmp_path):
    config = _ring()
    config.train.steps = "100"
    with pytest.raises(ConfigError, match="train.steps must be of type int"):
        latentgan.train(config, out=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_a_misspelt_attribute_is_named_with_the_valid_keys(tmp_path):
    config = _ring()
    config.train.stepz = 100
    with pytest.raises(ConfigError, match=r"unknown attribute\(s\) train.stepz .*valid keys are: .*steps"):
        latentgan.train(config, out=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_a_folder_smaller_than_one_batch_leaves_no_run_directory(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    for i in range(3):
        Image.new("L", (8, 8), color=40 * i).save(images / f"{i}.png")
    config = load_config(None, ["model.name=gan", "data.name=folder", f"data.root={images}", "data.resolution=8",
                                "data.channels=1", "train.batch_size=64", "train.progress=false"])
    with pytest.raises(DataError, match="fewer than one batch of 64; lower train.batch_size"):
        latentgan.train(config, out=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_resume_with_steps_it_has_already_reached_rewrites_nothing(tmp_path):
    run = latentgan.train(_ring(), out=tmp_path / "run", log=lambda m: None)
    before = (run / "config.yaml").read_text()
    said = []
    latentgan.resume(run, steps=2, log=said.append)
    assert (run / "config.yaml").read_text() == before and "already at step 4" in said[-1]
