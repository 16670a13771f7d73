"""Fuzz targets shared by the bounded suite (test_fuzz.py) and the long run (scripts/fuzz_parsers.py).

Each target is (strategy, check): `check(tmp_dir, value)` feeds one drawn input to a latentgan parser.
The parser may accept the input or refuse it with a LatentganError; any other exception is a finding.
"""

from __future__ import annotations

import dataclasses
import gzip
import pickle
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from latentgan.config import DataConfig, TrainConfig, apply_override, config_from_dict, load_config
from latentgan.data.celeba import read_attributes, read_partition
from latentgan.data.cifar import batch_arrays
from latentgan.data.idx import IMAGES_MAGIC, LABELS_MAGIC, read_idx
from latentgan.errors import LatentganError

# --- mutations shared by the binary formats ----------------------------------------------------------


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """data unchanged, truncated, with a few bytes overwritten, or with junk appended."""
    kind = draw(st.sampled_from(["same", "truncate", "flip", "append"]))
    if kind == "truncate" and data:
        return data[: draw(st.integers(0, len(data) - 1))]
    if kind == "flip" and data:
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 4))):
            out[draw(st.integers(0, len(out) - 1))] = draw(st.integers(0, 255))
        return bytes(out)
    if kind == "append":
        return data + draw(st.binary(min_size=1, max_size=16))
    return data


# --- IDX -------------------------------------------------------------------------------------------------

@st.composite
def idx_files(draw) -> tuple[bytes, int]:
    """(file content, expected magic): random bytes, or an IDX file of plausible shape, maybe gzipped and damaged."""
    magic = draw(st.sampled_from([IMAGES_MAGIC, LABELS_MAGIC]))
    if draw(st.booleans()):
        data = draw(st.binary(max_size=200))
    else:
        header_magic = draw(st.one_of(st.just(magic), st.integers(0, 2**32 - 1)))
        ndim = magic & 0xFF
        small = st.integers(0, 12)
        dims = draw(st.lists(st.one_of(small, small, st.integers(0, 2**32 - 1)), min_size=ndim, max_size=ndim))
        body = int(np.prod([min(d, 1000) for d in dims]))
        data = struct.pack(">I", header_magic) + struct.pack(f">{ndim}I", *dims) + draw(
            st.binary(min_size=min(body, 2000), max_size=min(body, 2000)))
    if draw(st.booleans()):
        data = gzip.compress(data)
    return draw(mutated(data)), magic


def check_idx(tmp: Path, drawn: tuple[bytes, int]) -> None:
    content, magic = drawn
    path = tmp / "file-idx-ubyte"
    path.write_bytes(content)
    try:
        array = read_idx(path, magic)
    except LatentganError:
        return
    assert array.dtype == np.uint8 and array.ndim == magic & 0xFF


# --- CIFAR-10 batches ------------------------------------------------------------------------------------

_ARRAYS = hnp.arrays(dtype=st.sampled_from([np.uint8, np.int64, np.float32, np.bool_]),
                     shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6))
_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-300, 300), st.floats(), st.binary(max_size=8),
                    st.text(max_size=8), _ARRAYS)
_VALUES = st.recursive(_LEAVES, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner), max_leaves=12)
_KEYS = st.sampled_from([b"data", b"labels", "data", "labels", b"label_names", b"x", 1, None])


@st.composite
def cifar_batches(draw) -> bytes:
    """A pickle of a dict with CIFAR-like keys and arbitrary values (or of anything), maybe damaged."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    content = draw(st.one_of(st.dictionaries(_KEYS, _VALUES, max_size=4), _VALUES))
    if isinstance(content, dict) and draw(st.booleans()):
        n = draw(st.integers(0, 4))
        content[b"data"] = draw(hnp.arrays(np.uint8, (n, 3072)))
        content.setdefault(b"labels", draw(st.lists(st.integers(-2, 12), min_size=n, max_size=n)))
    return draw(mutated(pickle.dumps(content, protocol=draw(st.sampled_from([2, 3, 4, 5])))))


def check_cifar(tmp: Path, content: bytes) -> None:
    path = tmp / "data_batch_1"
    path.write_bytes(content)
    try:
        x, y = batch_arrays(path)
    except LatentganError:
        return
    assert x.dtype == np.uint8 and x.shape[1:] == (3, 32, 32) and y.shape == (len(x),)


# --- CelebA attribute and partition lists ----------------------------------------------------------------

_CELL = st.one_of(st.sampled_from(["1", "-1", "0", "", "1.0", "x", "²", "-"]), st.text(max_size=4))


@st.composite
def celeba_lists(draw) -> bytes:
    """An attribute-file-like text: count line, names, rows of values (of any width), maybe raw bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    names = draw(st.lists(st.text("ABCxyz_", min_size=1, max_size=5), min_size=0, max_size=4))
    rows = draw(st.lists(st.tuples(st.text("0123456789.jpg", max_size=10),
                                   st.lists(_CELL, max_size=len(names) + 2)), max_size=5))
    count = draw(st.one_of(st.just(str(len(rows))), st.text(max_size=4), st.integers(-3, 9).map(str)))
    lines = [count, " ".join(names)] + [" ".join([name, *cells]) for name, cells in rows]
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n", "\n\n  \n"]))
    return draw(mutated(text.encode("utf-8")))


def check_celeba(tmp: Path, content: bytes) -> None:
    path = tmp / "list_attr_celeba.txt"
    path.write_bytes(content)
    try:
        names, rows = read_attributes(path)
        assert all(len(v) == len(names) and set(v) <= {0.0, 1.0} for v in rows.values())
    except LatentganError:
        pass
    try:
        read_partition(path, "train")
    except LatentganError:
        pass


# --- config: overrides, nested dicts, YAML files -----------------------------------------------------------

def _field_names(cls) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


_KNOWN = ([f"train.{n}" for n in _field_names(TrainConfig)] + [f"data.{n}" for n in _field_names(DataConfig)]
          + [f"model.{n}" for n in ("name", "latent_dim", "hidden", "loss", "lr_g", "lr_d", "betas", "lens",
                                    "width", "arch", "prior", "d_steps", "projection", "code_init", "sampler")])
_MODELS = st.sampled_from(["gan", "ali", "bigan", "glo", "vae", "pca", "nosuch"])
_YAML_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(), st.text(max_size=10), _MODELS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8)


@st.composite
def override_lists(draw) -> list[str]:
    """`--set` strings: known keys with YAML-ish values, or arbitrary text."""
    known = st.builds(lambda k, v: f"{k}={v}", st.sampled_from(_KNOWN),
                      st.one_of(st.text(max_size=12), _YAML_VALUES.map(
                          lambda v: yaml.safe_dump(v, default_flow_style=True).strip().removesuffix("..."))))
    return draw(st.lists(st.one_of(known, known, st.text(max_size=30)), max_size=4))


def check_overrides(tmp: Path, overrides: list[str]) -> None:
    try:
        load_config(None, overrides)
    except LatentganError:
        pass


@st.composite
def config_trees(draw) -> object:
    """A nested dict shaped like a config (known sections and keys, any values), or anything YAML can hold."""
    if draw(st.integers(0, 4)) == 0:
        return draw(_YAML_VALUES)
    tree: dict = {}
    for key in draw(st.lists(st.sampled_from(_KNOWN + ["model.nonsense", "extra.key"]), max_size=5)):
        section, name = key.split(".", 1)
        node = tree.setdefault(section, {})
        if isinstance(node, dict):
            node[name] = draw(_YAML_VALUES)
    if draw(st.booleans()):
        tree.setdefault("model", {})["name"] = draw(_MODELS)
    return tree


def check_tree(tmp: Path, tree: object) -> None:
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(tree))
    for attempt in (lambda: config_from_dict(tree) if isinstance(tree, dict) else None,
                    lambda: load_config(path)):
        try:
            attempt()
        except LatentganError:
            pass


def check_yaml_text(tmp: Path, text: str) -> None:
    path = tmp / "config.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_config(path)
    except LatentganError:
        pass


def check_single_override(tmp: Path, assignment: str) -> None:
    try:
        apply_override({}, assignment)
    except LatentganError:
        pass


TARGETS: dict[str, tuple[st.SearchStrategy, Callable[[Path, object], None]]] = {
    "idx": (idx_files(), check_idx),
    "cifar": (cifar_batches(), check_cifar),
    "celeba-attributes": (celeba_lists(), check_celeba),
    "config-overrides": (override_lists(), check_overrides),
    "config-trees": (config_trees(), check_tree),
    "config-yaml-text": (st.text(max_size=120), check_yaml_text),
    "override-syntax": (st.text(max_size=40), check_single_override),
}
