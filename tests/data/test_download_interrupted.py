"""Downloads cut short by the server or by the user: DataError (or the interrupt), never a file under the final name."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from latentgan.data import download as dl
from latentgan.data.base import DataError

PAYLOAD = bytes(range(256)) * 40  # 10,240 bytes
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    """/full: the payload; /cut: Content-Length of the whole, half the bytes, then the connection closes;
    /chunked-cut: chunked transfer that stops in the middle of a chunk."""

    def do_GET(self) -> None:
        self.send_response(200)
        if self.path == "/chunked-cut":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"%x\r\n" % len(PAYLOAD) + PAYLOAD[:1000])
        else:
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD if self.path == "/full" else PAYLOAD[: len(PAYLOAD) // 2])
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def url():
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_connection_closed_mid_file_leaves_nothing(tmp_path: Path, url):
    dest = tmp_path / "root" / "f.gz"
    with pytest.raises(DataError, match="gave 5120 bytes, the published size is 10240; download again"):
        dl.download_file(f"{url}/cut", dest, SHA, size=len(PAYLOAD))
    assert list(dest.parent.iterdir()) == []
    with pytest.raises(DataError, match="does not match the published"):  # size unknown: the hash catches it
        dl.download_file(f"{url}/cut", dest, SHA, size=None)
    assert list(dest.parent.iterdir()) == []
    assert dl.download_file(f"{url}/full", dest, SHA, size=len(PAYLOAD)).read_bytes() == PAYLOAD


def test_chunked_transfer_cut_short_is_a_data_error(tmp_path: Path, url):
    dest = tmp_path / "root" / "f.gz"
    with pytest.raises(DataError, match="cannot download .*chunked-cut"):
        dl.download_file(f"{url}/chunked-cut", dest, SHA, size=len(PAYLOAD))
    assert list(dest.parent.iterdir()) == []


def test_user_interrupt_mid_download_leaves_no_partial_file(tmp_path: Path, url, monkeypatch):
    def half_then_interrupt(url, out, size, timeout):
        out.write(PAYLOAD[:4096])
        raise KeyboardInterrupt

    monkeypatch.setattr(dl, "_copy_response", half_then_interrupt)
    dest = tmp_path / "root" / "f.gz"
    dest.parent.mkdir()
    dest.with_name("other.txt").write_text("kept")
    with pytest.raises(KeyboardInterrupt):
        dl.download_file(f"{url}/full", dest, SHA, size=len(PAYLOAD))
    assert [p.name for p in dest.parent.iterdir()] == ["other.txt"]
