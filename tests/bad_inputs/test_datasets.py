"""Damaged, foreign and inconsistent dataset files: IDX/gzip, image folders, CIFAR, SVHN, CelebA."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import torch
from PIL import Image

from latentgan.data import load_dataset
from tests.data.conftest import idx_bytes, write_mnist_dir
from tests.data.test_celeba import write_celeba
from tests.data.test_cifar import write_cifar
from tests.data.test_svhn import write_svhn

from .harness import Case, expect_clean_failure, train_args

IMAGES, LABELS = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"


class OpensAFile:
    """Unpickling this object would create a file: the proof that code ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


# --- IDX and gzip -------------------------------------------------------------------------------------

def _mnist(tmp: Path, compress: bool = True) -> Path:
    return write_mnist_dir(tmp / "mnist", compress=compress)


def idx_truncated(tmp: Path) -> list[str]:
    root = _mnist(tmp, compress=False)
    path = root / IMAGES
    path.write_bytes(path.read_bytes()[:-100])
    return train_args("mnist", root)


def gzip_truncated(tmp: Path) -> list[str]:
    root = _mnist(tmp)
    path = root / f"{IMAGES}.gz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return train_args("mnist", root)


def gzip_bad_crc(tmp: Path) -> list[str]:
    root = _mnist(tmp)
    path = root / f"{IMAGES}.gz"
    raw = bytearray(path.read_bytes())
    raw[-8] ^= 0xFF  # the CRC-32 trailer no longer matches the content
    path.write_bytes(bytes(raw))
    return train_args("mnist", root)


def gzip_of_garbage(tmp: Path) -> list[str]:
    root = _mnist(tmp)
    (root / f"{IMAGES}.gz").write_bytes(gzip.compress(b"hello, this is not an IDX file"))
    return train_args("mnist", root)


def idx_labels_as_images(tmp: Path) -> list[str]:
    root = _mnist(tmp)
    (root / f"{IMAGES}.gz").write_bytes((root / f"{LABELS}.gz").read_bytes())
    return train_args("mnist", root)


def idx_count_mismatch(tmp: Path) -> list[str]:
    root = _mnist(tmp)
    (root / f"{LABELS}.gz").write_bytes(gzip.compress(idx_bytes(np.arange(29) % 10)))
    return train_args("mnist", root)


def idx_empty(tmp: Path) -> list[str]:
    root = _mnist(tmp, compress=False)
    (root / IMAGES).write_bytes(b"")
    return train_args("mnist", root)


def gzip_empty_content(tmp: Path) -> list[str]:
    root = _mnist(tmp)
    (root / f"{LABELS}.gz").write_bytes(gzip.compress(b""))
    return train_args("mnist", root)


def idx_three_bytes(tmp: Path) -> list[str]:
    root = _mnist(tmp, compress=False)
    (root / IMAGES).write_bytes(b"\x00\x00\x08")
    return train_args("mnist", root)


def idx_header_cut(tmp: Path) -> list[str]:
    root = _mnist(tmp, compress=False)
    (root / IMAGES).write_bytes(b"\x00\x00\x08\x03\x00\x00")
    return train_args("mnist", root)


def idx_label_out_of_range(tmp: Path) -> list[str]:
    root = _mnist(tmp)
    (root / f"{LABELS}.gz").write_bytes(gzip.compress(idx_bytes(np.full(30, 12))))
    return train_args("mnist", root)


def idx_missing_labels(tmp: Path) -> list[str]:
    root = _mnist(tmp)
    (root / f"{LABELS}.gz").unlink()
    return train_args("mnist", root)


# --- image folders -------------------------------------------------------------------------------------

def _folder(tmp: Path) -> Path:
    root = tmp / "images"
    root.mkdir()
    for i in range(3):
        Image.new("RGB", (12, 10), (50 * i, 20, 20)).save(root / f"{i}.png")
    return root


def folder_text_named_png(tmp: Path) -> list[str]:
    root = _folder(tmp)
    (root / "notes.png").write_text("shopping list: eggs, milk")
    return train_args("folder", root, "--set", "data.resolution=8")


def folder_truncated_png(tmp: Path) -> list[str]:
    root = _folder(tmp)
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).save(root / "cut.png")
    (root / "cut.png").write_bytes((root / "cut.png").read_bytes()[:2000])
    return train_args("folder", root, "--set", "data.resolution=8")


def folder_empty_jpg(tmp: Path) -> list[str]:
    root = _folder(tmp)
    (root / "zero.jpg").write_bytes(b"")
    return train_args("folder", root, "--set", "data.resolution=8")


def folder_without_images(tmp: Path) -> list[str]:
    root = tmp / "images"
    root.mkdir()
    (root / "readme.txt").write_text("no pictures here")
    return train_args("folder", root)


# --- CIFAR-10 ------------------------------------------------------------------------------------------

def _cifar_batch(tmp: Path, content: object | None = None, raw: bytes | None = None) -> list[str]:
    folder = write_cifar(tmp / "cifar")
    (folder / "data_batch_1").write_bytes(raw if raw is not None else pickle.dumps(content, protocol=2))
    return train_args("cifar10", tmp / "cifar")


def cifar_wrong_key(tmp: Path) -> list[str]:
    return _cifar_batch(tmp, {b"images": np.zeros((4, 3072), np.uint8), b"labels": [0, 1, 2, 3]})


def cifar_code_execution(tmp: Path) -> list[str]:
    return _cifar_batch(tmp, {b"data": OpensAFile(tmp / "pwned"), b"labels": [0]})


def cifar_truncated(tmp: Path) -> list[str]:
    folder = write_cifar(tmp / "cifar")
    path = folder / "data_batch_1"
    path.write_bytes(path.read_bytes()[:500])
    return train_args("cifar10", tmp / "cifar")


def cifar_empty(tmp: Path) -> list[str]:
    return _cifar_batch(tmp, raw=b"")


def cifar_wrong_shape(tmp: Path) -> list[str]:
    return _cifar_batch(tmp, {b"data": np.zeros((4, 100), np.uint8), b"labels": [0, 1, 2, 3]})


def cifar_not_a_dict(tmp: Path) -> list[str]:
    return _cifar_batch(tmp, [1, 2, 3])


def cifar_label_range(tmp: Path) -> list[str]:
    return _cifar_batch(tmp, {b"data": np.zeros((2, 3072), np.uint8), b"labels": [3, 11]})


def cifar_missing_batch(tmp: Path) -> list[str]:
    (write_cifar(tmp / "cifar") / "data_batch_3").unlink()
    return train_args("cifar10", tmp / "cifar")


# --- SVHN ----------------------------------------------------------------------------------------------

def _svhn(tmp: Path) -> Path:
    root = tmp / "svhn"
    root.mkdir()
    return root


def svhn_without_x(tmp: Path) -> list[str]:
    root = _svhn(tmp)
    scipy.io.savemat(root / "train_32x32.mat", {"y": np.ones((5, 1), np.uint8)})
    return train_args("svhn", root)


def svhn_garbage(tmp: Path) -> list[str]:
    root = _svhn(tmp)
    (root / "train_32x32.mat").write_bytes(b"MATLAB? no." * 20)
    return train_args("svhn", root)


def svhn_count_mismatch(tmp: Path) -> list[str]:
    root = _svhn(tmp)
    images = np.zeros((32, 32, 3, 5), np.uint8)
    scipy.io.savemat(root / "train_32x32.mat", {"X": images, "y": np.ones((4, 1), np.uint8)})
    return train_args("svhn", root)


def svhn_empty(tmp: Path) -> list[str]:
    root = _svhn(tmp)
    write_svhn(root)
    (root / "train_32x32.mat").write_bytes(b"")
    return train_args("svhn", root)


# --- CelebA --------------------------------------------------------------------------------------------

def _celeba_attrs(tmp: Path, edit) -> list[str]:
    root = write_celeba(tmp / "celeba")
    path = root / "list_attr_celeba.txt"
    path.write_bytes(edit(path.read_bytes()))
    return train_args("celeba", root, "--set", "data.resolution=32")


def celeba_missing_column(tmp: Path) -> list[str]:
    return _celeba_attrs(tmp, lambda b: b.replace(b"000002.jpg  -1  1 -1", b"000002.jpg  -1  1"))


def celeba_wrong_count(tmp: Path) -> list[str]:
    return _celeba_attrs(tmp, lambda b: b"6" + b[1:])


def celeba_empty_attributes(tmp: Path) -> list[str]:
    return _celeba_attrs(tmp, lambda b: b"")


def celeba_binary_attributes(tmp: Path) -> list[str]:
    return _celeba_attrs(tmp, lambda b: b[:20] + b"\xff\xfe" + b[20:])


def celeba_bad_partition(tmp: Path) -> list[str]:
    root = write_celeba(tmp / "celeba")
    (root / "list_eval_partition.txt").write_text("000001.jpg 0\n000002.jpg train\n")
    return train_args("celeba", root, "--set", "data.resolution=32")


CASES = [
    Case("idx-truncated", idx_truncated, "has 23436 bytes but its header (30, 28, 28) needs 23536; the file is "
                                         "truncated or corrupt, download it again"),
    Case("gzip-truncated", gzip_truncated, "is a damaged gzip file (Compressed file ended before the "
                                           "end-of-stream marker was reached); download it again"),
    Case("gzip-bad-crc", gzip_bad_crc, "is a damaged gzip file (CRC check failed"),
    Case("gzip-of-garbage", gzip_of_garbage, "is not an IDX file of the expected kind: magic number 0x68656c6c, "
                                             "expected 0x00000803"),
    Case("idx-wrong-magic", idx_labels_as_images, "magic number 0x00000801, expected 0x00000803; is it the right "
                                                  "file (images vs labels)?"),
    Case("idx-count-mismatch", idx_count_mismatch, "mnist: train-images-idx3-ubyte.gz holds 30 images but "
                                                   "train-labels-idx1-ubyte.gz holds 29 labels; the two files do "
                                                   "not belong together"),
    Case("idx-empty", idx_empty, f"{IMAGES} is empty; download it again"),
    Case("gzip-empty-content", gzip_empty_content, f"{LABELS}.gz is empty; download it again"),
    Case("idx-three-bytes", idx_three_bytes, "magic number 0x000008 (the file has only 3 bytes), expected "
                                             "0x00000803"),
    Case("idx-header-cut", idx_header_cut, "is truncated: 6 bytes, shorter than its 16-byte header"),
    Case("idx-label-out-of-range", idx_label_out_of_range, "has label 12 but the dataset has 10 classes"),
    Case("idx-missing-labels", idx_missing_labels, "mnist: train-labels-idx1-ubyte.gz (or "
                                                   "train-labels-idx1-ubyte) not found in"),
    Case("folder-text-named-png", folder_text_named_png, "notes.png (cannot identify image file"),
    Case("folder-truncated-png", folder_truncated_png, "cut.png ("),
    Case("folder-empty-jpg", folder_empty_jpg, "zero.jpg (cannot identify image file"),
    Case("folder-without-images", folder_without_images, "folder: no image files (.bmp, .jpeg, .jpg, .png, "
                                                         ".webp) under"),
    Case("cifar-wrong-key", cifar_wrong_key, "lacks the 'data' and 'labels' entries (found ['images', "
                                             "'labels']); is it a CIFAR-100 or other file?"),
    # The refused callable is io.open (Python <= 3.11) or _io.open (3.12): the text after "io." is common to both.
    Case("cifar-code-execution", cifar_code_execution, "io.open: CIFAR batches hold only arrays)"),
    Case("cifar-truncated", cifar_truncated, "data_batch_1 is not a valid CIFAR-10 python batch"),
    Case("cifar-empty", cifar_empty, "data_batch_1 is not a valid CIFAR-10 python batch (EOFError"),
    Case("cifar-wrong-shape", cifar_wrong_shape, "data_batch_1: 'data' is uint8 (4, 100), expected uint8 "
                                                 "(N, 3072)"),
    Case("cifar-not-a-dict", cifar_not_a_dict, "data_batch_1 holds a list, expected the CIFAR batch dict"),
    Case("cifar-label-range", cifar_label_range, "data_batch_1: labels outside 0..9"),
    Case("cifar-missing-batch", cifar_missing_batch, "cifar10: data_batch_3 missing from"),
    Case("svhn-without-x", svhn_without_x, "train_32x32.mat lacks the 'X' and 'y' variables (found ['y'])"),
    Case("svhn-garbage", svhn_garbage, "train_32x32.mat is not a readable SVHN .mat file"),
    Case("svhn-count-mismatch", svhn_count_mismatch, "train_32x32.mat: X holds 5 images but y holds 4 labels"),
    Case("svhn-empty", svhn_empty, "train_32x32.mat is not a readable SVHN .mat file"),
    Case("celeba-missing-column", celeba_missing_column, "list_attr_celeba.txt, line 4: expected a file name "
                                                         "and 3 values of 1 or -1, got '000002.jpg  -1  1'"),
    Case("celeba-wrong-count", celeba_wrong_count, "list_attr_celeba.txt announces 6 images but lists 5; the "
                                                   "file is truncated"),
    Case("celeba-empty-attributes", celeba_empty_attributes, "list_attr_celeba.txt: expected a count line then "
                                                             "the attribute names"),
    Case("celeba-binary-attributes", celeba_binary_attributes, "list_attr_celeba.txt is not a plain-text CelebA "
                                                               "list (byte 20 is not ASCII)"),
    Case("celeba-bad-partition", celeba_bad_partition, "list_eval_partition.txt, line 2: expected 'FILENAME "
                                                       "0|1|2', got '000002.jpg train'"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_dataset_file(tmp_path, capsys, case):
    expect_clean_failure(capsys, tmp_path, case.make(tmp_path), case.message)
    assert not (tmp_path / "run").exists()  # the data is checked before a run directory is made
    assert not (tmp_path / "pwned").exists()  # no pickled code ran


def test_mixed_grayscale_rgba_and_palette_images_are_converted_not_refused(tmp_path):
    root = tmp_path / "mixed"
    root.mkdir()
    Image.new("L", (10, 10), 77).save(root / "gray.png")
    Image.new("RGBA", (10, 10), (10, 20, 30, 0)).save(root / "rgba.png")
    Image.new("P", (10, 10), 3).save(root / "palette.png")
    Image.new("RGB", (10, 10), (200, 100, 0)).save(root / "rgb.jpg")
    rgb = load_dataset("folder", root=root, resolution=4)
    assert rgb.x.shape == (4, 3, 4, 4)
    by_name = dict(zip(["gray", "palette", "rgb", "rgba"], rgb.x, strict=True))  # sorted file order
    assert torch.all(by_name["gray"] == 77)
    assert by_name["rgba"][:, 0, 0].tolist() == [10, 20, 30]  # alpha is dropped, colour kept
    gray = load_dataset("folder", root=root, resolution=4, channels=1)
    assert gray.x.shape == (4, 1, 4, 4) and torch.all(gray.x[0] == 77)
