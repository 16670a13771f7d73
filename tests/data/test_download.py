import hashlib
import io
import tarfile
import threading
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path

import pytest

from latentgan.data import download as dl
from latentgan.data import load_dataset
from latentgan.data.base import DataError

from .conftest import write_mnist_dir
from .test_cifar import write_cifar


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path):
    """A local HTTP server (port 0, in a thread) serving tmp_path/served; yields (folder, base URL)."""
    served = tmp_path / "served"
    served.mkdir()
    httpd = HTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(served)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fake_remote(folder: Path, wrong: str | None = None) -> dl.Remote:
    files = []
    for path in sorted(folder.iterdir()):
        split = ("train",) if path.name.startswith("train") else ("test",)
        sha = _sha(path) if wrong != path.name else "0" * 64
        files.append(dl.RemoteFile(path.name, sha, path.stat().st_size, split))
    return dl.Remote("http://unused.invalid/", tuple(files))


def test_download_then_load(tmp_path: Path, server, monkeypatch):
    served, url = server
    write_mnist_dir(served / "mnist")
    monkeypatch.setitem(dl.REMOTES, "mnist", _fake_remote(served / "mnist"))
    monkeypatch.setenv(dl.MIRROR_ENV, url)
    root = tmp_path / "data" / "mnist"
    ds = load_dataset("mnist", root=root, download=True)
    assert len(ds) == 30
    assert sorted(p.name for p in root.iterdir()) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    assert dl.download("mnist", root, "train") == []  # present files are not fetched again


def test_wrong_hash_leaves_nothing(tmp_path: Path, server):
    served, url = server
    (served / "file.bin").write_bytes(b"payload")
    dest = tmp_path / "root" / "file.bin"
    with pytest.raises(DataError, match="does not match the published"):
        dl.download_file(f"{url}/file.bin", dest, "0" * 64, size=7)
    assert list(dest.parent.iterdir()) == []
    with pytest.raises(DataError, match="published size is 9"):
        dl.download_file(f"{url}/file.bin", dest, _sha(served / "file.bin"), size=9)
    with pytest.raises(DataError, match="larger than the published 3 bytes"):
        dl.download_file(f"{url}/file.bin", dest, _sha(served / "file.bin"), size=3)
    assert list(dest.parent.iterdir()) == []
    assert dl.download_file(f"{url}/file.bin", dest, _sha(served / "file.bin"), size=7).read_bytes() == b"payload"


def test_wrong_hash_through_load_dataset(tmp_path: Path, server, monkeypatch):
    served, url = server
    write_mnist_dir(served / "mnist")
    monkeypatch.setitem(dl.REMOTES, "mnist", _fake_remote(served / "mnist", wrong="train-labels-idx1-ubyte.gz"))
    root = tmp_path / "root"
    with pytest.raises(DataError, match="SHA-256"):
        dl.download("mnist", root, "train", mirror=url)
    assert [p.name for p in root.iterdir()] == ["train-images-idx3-ubyte.gz"]


def test_unknown_checksum_refused(tmp_path: Path):
    with pytest.raises(DataError, match="no published checksum recorded for f.gz; download it by hand from"):
        dl.download_file("http://127.0.0.1:9/f.gz", tmp_path / "f.gz", None)
    assert not any(tmp_path.iterdir())


def test_unreachable_server(tmp_path: Path, server):
    _, url = server
    with pytest.raises(DataError, match="cannot download"):
        dl.download_file(f"{url}/missing.gz", tmp_path / "root" / "missing.gz", "0" * 64)
    assert not any((tmp_path / "root").iterdir())


def test_cifar_archive_is_extracted(tmp_path: Path, server, monkeypatch):
    served, url = server
    write_cifar(tmp_path / "src")
    archive = served / "cifar10" / "cifar-10-python.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "src" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
        evil = tarfile.TarInfo("../escape.txt")
        evil.size = 3
        tar.addfile(evil, io.BytesIO(b"bad"))
    remote = dl.REMOTES["cifar10"]
    file = dl.RemoteFile(archive.name, _sha(archive), archive.stat().st_size, ("train", "test"))
    monkeypatch.setitem(dl.REMOTES, "cifar10", dl.Remote(remote.base_url, (file,), remote.unpack, remote.present))
    monkeypatch.setenv(dl.MIRROR_ENV, url)
    root = tmp_path / "root"
    ds = load_dataset("cifar10", root=root, split="test", download=True)
    assert len(ds) == 4 and sorted(p.name for p in root.iterdir()) == ["cifar-10-batches-py"]
    assert not (tmp_path / "escape.txt").exists()


def test_table_has_published_checksums():
    for name in ("mnist", "fashion-mnist", "kmnist", "cifar10", "svhn"):
        for file in dl.REMOTES[name].files:
            assert file.sha256 is not None and len(file.sha256) == 64 and file.size > 0


def test_download_unsupported_and_needs_root():
    with pytest.raises(DataError, match="download is not supported for 'celeba'"):
        dl.download("celeba", Path("."), "train")
    with pytest.raises(DataError, match="download=True needs a directory to download"):
        load_dataset("mnist", download=True)
