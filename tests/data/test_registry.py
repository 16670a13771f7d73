from pathlib import Path

import pytest

from latentgan import data
from latentgan.data import DATASETS, DataError, dataset_info, load_dataset
from latentgan.data.registry import DatasetSpec, resolve_options

EXPECTED = {"ring", "grid", "swissroll", "mnist", "fashion-mnist", "kmnist", "emnist", "mnist5k", "digits",
            "stacked-mnist", "cifar10", "svhn", "celeba", "folder"}


def test_package_exports():
    for name in ("Dataset", "DataError", "IndexBatcher", "load_dataset", "DATASETS", "dataset_info"):
        assert hasattr(data, name)


def test_every_dataset_registered_with_a_valid_spec():
    assert set(DATASETS) == EXPECTED
    for name, spec in DATASETS.items():
        assert isinstance(spec, DatasetSpec) and spec.name == name and spec.kind in ("points", "image")
        assert spec.description and spec.source and "\n" not in spec.description


def test_unknown_dataset_lists_known_ones():
    with pytest.raises(DataError, match=r"unknown dataset 'minst'; known datasets: .*mnist"):
        load_dataset("minst")


def test_unknown_option_lists_allowed_with_defaults():
    with pytest.raises(DataError, match=r"unknown option 'modes' .*n_modes=8, radius=2.0"):
        load_dataset("ring", modes=3)
    with pytest.raises(DataError, match=r"unknown option 'resolution' .*allowed options .*: none"):
        load_dataset("digits", resolution=3)


def test_option_types_are_checked_and_strings_coerced():
    spec = DATASETS["ring"]
    assert resolve_options(spec, {"n_modes": "4", "radius": 3}) == {
        "n_modes": 4, "radius": 3.0, "std": 0.02, "n_points": 100_000}
    assert resolve_options(DATASETS["celeba"], {"cache": "false"})["cache"] is False
    with pytest.raises(DataError, match="n_modes='four' of dataset 'ring' must be a int"):
        load_dataset("ring", n_modes="four")
    with pytest.raises(DataError, match="must be a int"):
        load_dataset("ring", n_modes=2.5)
    with pytest.raises(DataError, match="must be a str"):
        load_dataset("emnist", subset=3)


@pytest.mark.parametrize("kwargs, message", [
    ({"split": "valid"}, "no split 'valid'; choose one of train, test"),
    ({"value_range": (1, -1)}, "low < high"),
    ({"value_range": "ab"}, "two numbers"),
    ({"limit": 0}, "limit must be a positive integer"),
    ({"seed": -1}, "seed must be a non-negative integer"),
    ({"pad_to": 32}, "pad_to and resize apply to images"),
])
def test_common_arguments_checked(kwargs, message):
    with pytest.raises(DataError, match=message):
        load_dataset("ring", n_points=10, **kwargs)


def test_limit_resize_pad_and_value_range():
    ds = load_dataset("digits", limit=10, resize=16, pad_to=20, value_range=(0, 1))
    assert ds.x.shape == (10, 1, 20, 20) and ds.y.shape == (10,) and ds.value_range == (0.0, 1.0)
    assert ds.info["split"] == "train" and ds.info["limit"] == 10
    x, _, _ = ds.batch(ds.y.new_tensor([0, 1]))
    assert x.min() >= 0 and x.max() <= 1


def test_missing_root_directory(tmp_path: Path):
    with pytest.raises(DataError, match=r"root .*nope does not exist.*download=True"):
        load_dataset("cifar10", root=tmp_path / "nope")


def test_dataset_info_describes_everything(tmp_path: Path):
    text = dataset_info("ring")
    assert "kind:     points" in text and "n_modes=8" in text and "built in" in text
    info = dataset_info("mnist", root=tmp_path)
    assert "download: supported" in info and f"not found in {tmp_path}" in info
    assert "splits:   train, valid, test, all" in dataset_info("celeba")
    with pytest.raises(DataError, match="unknown dataset"):
        dataset_info("nope")
