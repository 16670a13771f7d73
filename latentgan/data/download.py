"""Explicit, verified downloads (download=True / --download, never implicit): URL, SHA-256 and size per file.

Checksums are the published values recorded in tensorflow/datasets' url_checksums. A file without a
recorded checksum is never downloaded. $LATENTGAN_DOWNLOAD_MIRROR (or mirror=) replaces the origin:
files are then fetched from MIRROR/DATASET/FILENAME.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from latentgan.data.base import DataError

MIRROR_ENV = "LATENTGAN_DOWNLOAD_MIRROR"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """One published file: its name, SHA-256 (None when unknown: never downloaded), size and splits."""

    filename: str
    sha256: str | None
    size: int | None
    splits: tuple[str, ...]


@dataclass(frozen=True)
class Remote:
    """Where a dataset's files are published, and how a downloaded file is put in place."""

    base_url: str
    files: tuple[RemoteFile, ...]
    unpack: Callable[[Path, Path], None] | None = None  # (archive, root) -> None; the archive is then deleted
    present: Callable[[Path, str], bool] | None = None  # (root, split) -> whether nothing needs fetching


def _idx_files(sizes_hashes: dict[str, tuple[int, str]]) -> tuple[RemoteFile, ...]:
    split_of = {"train": ("train",), "t10k": ("test",)}
    return tuple(RemoteFile(name, sha, size, split_of[name.split("-")[0]])
                 for name, (size, sha) in sizes_hashes.items())


def unpack_cifar(archive: Path, root: Path) -> None:
    """Extract only the regular files of cifar-10-batches-py/ from the archive into root."""
    target = root / "cifar-10-batches-py"
    staging = Path(tempfile.mkdtemp(dir=root, prefix=".cifar-"))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if not member.isfile() or len(parts) != 2 or parts[0] != target.name or parts[1] in ("..", "."):
                    continue
                with tar.extractfile(member) as src, open(staging / parts[1], "wb") as dst:
                    shutil.copyfileobj(src, dst)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except (tarfile.TarError, OSError, EOFError) as err:
        raise DataError(f"cannot extract {archive} ({err}); delete it and download again") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)


REMOTES: dict[str, Remote] = {
    "mnist": Remote("https://storage.googleapis.com/cvdf-datasets/mnist/", _idx_files({
        "train-images-idx3-ubyte.gz": (9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
        "train-labels-idx1-ubyte.gz": (28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
        "t10k-images-idx3-ubyte.gz": (1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
        "t10k-labels-idx1-ubyte.gz": (4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    })),
    "fashion-mnist": Remote("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", _idx_files({
        "train-images-idx3-ubyte.gz": (26421880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
        "train-labels-idx1-ubyte.gz": (29515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
        "t10k-images-idx3-ubyte.gz": (4422102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
        "t10k-labels-idx1-ubyte.gz": (5148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
    })),
    "kmnist": Remote("http://codh.rois.ac.jp/kmnist/dataset/kmnist/", _idx_files({
        "train-images-idx3-ubyte.gz": (18165135, "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4"),
        "train-labels-idx1-ubyte.gz": (29497, "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17"),
        "t10k-images-idx3-ubyte.gz": (3041136, "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5"),
        "t10k-labels-idx1-ubyte.gz": (5120, "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c"),
    })),
    "cifar10": Remote(
        "https://www.cs.toronto.edu/~kriz/",
        (RemoteFile("cifar-10-python.tar.gz", "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
                    170498071, ("train", "test")),),
        unpack=unpack_cifar,
        present=lambda root, split: (root / "cifar-10-batches-py" / "test_batch").is_file(),
    ),
    "svhn": Remote("http://ufldl.stanford.edu/housenumbers/", (
        RemoteFile("train_32x32.mat", "435e94d69a87fde4fd4d7f3dd208dfc32cb6ae8af2240d066de1df7508d083b8",
                   182040794, ("train",)),
        RemoteFile("test_32x32.mat", "cdce80dfb2a2c4c6160906d0bd7c68ec5a99d7ca4831afa54f09182025b6a75b",
                   64275384, ("test",)),
        RemoteFile("extra_32x32.mat", "a133a4beb38a00fcdda90c9489e0c04f900b660ce8a316a5e854838379a71eb3",
                   1329278602, ("extra",)),
    )),
}


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def download_file(url: str, dest: Path, sha256: str | None, size: int | None = None, timeout: float = 60.0) -> Path:
    """Fetch url to a temp file beside dest, verify size and SHA-256, then rename it to dest atomically."""
    if sha256 is None:
        raise DataError(f"no published checksum recorded for {dest.name}; download it by hand from {url} "
                        f"into {dest.parent}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            _copy_response(url, out, size, timeout)
        actual = sha256_of(Path(temp))
        if actual != sha256:
            raise DataError(f"{url}: SHA-256 {actual} does not match the published {sha256}; the download "
                            "is damaged or the server sent another file (nothing was kept)")
        os.replace(temp, dest)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
    return dest


def _copy_response(url: str, out: BinaryIO, size: int | None, timeout: float) -> None:
    """Stream url into out, stopping early when it grows past the expected size."""
    written = 0
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            for block in iter(lambda: response.read(_CHUNK), b""):
                written += len(block)
                if size is not None and written > size:
                    raise DataError(f"{url} is larger than the published {size} bytes; not the expected file")
                out.write(block)
    except (urllib.error.URLError, http.client.HTTPException, OSError) as err:  # IncompleteRead: cut short
        raise DataError(f"cannot download {url} ({err}); check the network or set {MIRROR_ENV}") from err
    if size is not None and written != size:
        raise DataError(f"{url} gave {written} bytes, the published size is {size}; download again")


def file_url(name: str, remote: Remote, filename: str, mirror: str | None) -> str:
    """The file's URL at its origin, or at MIRROR/NAME/FILENAME when a mirror is set."""
    mirror = mirror or os.environ.get(MIRROR_ENV)
    if mirror:
        return f"{mirror.rstrip('/')}/{name}/{filename}"
    return remote.base_url + filename


def download(name: str, root: Path, split: str, mirror: str | None = None) -> list[Path]:
    """Fetch the files the split needs into root (skipping ones already there); returns what was fetched."""
    if name not in REMOTES:
        raise DataError(f"download is not supported for {name!r} (only {', '.join(sorted(REMOTES))}); "
                        "get its files by hand (see `latentgan data info NAME`)")
    remote = REMOTES[name]
    if remote.present is not None and remote.present(root, split):
        return []
    fetched = []
    for file in remote.files:
        dest = root / file.filename
        if split not in file.splits or dest.is_file() or (dest.suffix == ".gz" and dest.with_suffix("").is_file()):
            continue
        download_file(file_url(name, remote, file.filename, mirror), dest, file.sha256, file.size)
        if remote.unpack is not None:
            remote.unpack(dest, root)
            dest.unlink()
        fetched.append(dest)
    return fetched
