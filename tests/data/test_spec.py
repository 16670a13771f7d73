from pathlib import Path

import pytest

from latentgan.data.base import DataError
from latentgan.data.spec import DatasetSpec, require, require_root


def test_spec_defaults_and_frozen():
    spec = DatasetSpec("x", "points", "d", "s", builder=lambda *a: None, options={"k": 1})
    assert spec.splits == ("train", "test") and spec.locate is None
    with pytest.raises(AttributeError):
        spec.name = "y"


def test_require_raises_dataerror_with_message():
    require(True, "never")
    with pytest.raises(DataError, match="must be positive"):
        require(False, "must be positive")


def test_require_root_names_expected_files(tmp_path: Path):
    assert require_root(tmp_path, "mnist", "files") == tmp_path
    with pytest.raises(DataError, match=r"mnist needs its files: pass --data-root DIR .*train-images"):
        require_root(None, "mnist", "train-images-idx3-ubyte.gz")
