"""Bounded property tests: only latentgan's own errors may escape the parsers (long run: scripts/fuzz_parsers.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from .fuzz_targets import TARGETS

BUDGET = settings(max_examples=50, deadline=None, database=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_only_latentgan_errors_escape(tmp_path_factory, name):
    strategy, check = TARGETS[name]
    folder = tmp_path_factory.mktemp(name)

    @BUDGET
    @given(strategy)
    def property_(value):
        check(folder, value)

    property_()


# What the long fuzz run found (docs/reliability.md), kept as regressions.

def test_regression_cifar_ragged_or_undecodable_labels(tmp_path):
    import pickle

    from latentgan.data.base import DataError
    from latentgan.data.cifar import batch_arrays

    for labels in ([None, []], [b"\xc2\x80", ""]):
        (tmp_path / "b").write_bytes(pickle.dumps({"data": None, "labels": labels}, protocol=2))
        with pytest.raises(DataError, match="'data' and 'labels' are not arrays"):
            batch_arrays(tmp_path / "b")


def test_regression_model_name_that_is_not_text():
    from latentgan.config import load_config
    from latentgan.errors import ConfigError

    with pytest.raises(ConfigError, match=r"model.name must be the name of a model .* got \[\]"):
        load_config(None, ["model.name=[]"])


def test_regression_idx_dims_whose_product_overflows_int64(tmp_path):
    import struct

    from latentgan.data.base import DataError
    from latentgan.data.idx import IMAGES_MAGIC, read_idx

    (tmp_path / "f").write_bytes(struct.pack(">4I", IMAGES_MAGIC, 2**32 - 1, 2**32 - 1, 2**32 - 1))
    with pytest.raises(DataError, match="needs 79228162458924105385300197391"):
        read_idx(tmp_path / "f", IMAGES_MAGIC)
