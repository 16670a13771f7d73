"""`latentgan explore`: the real command serving a run, and its one-line errors."""

import os
import subprocess
import sys

import pytest

from latentgan.cli import main

pytest.importorskip("fastapi", reason="the explorer needs the explore extra: pip install latentgan[explore]")


def test_the_command_serves_the_run_at_the_address_it_prints(ali_run):
    import httpx

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # the address must reach the pipe before the server blocks
    proc = subprocess.Popen([sys.executable, "-m", "latentgan", "explore", str(ali_run), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert "latentgan explorer for" in line and "http://127.0.0.1:" in line, proc.stderr.read()
        url = line.split(" at ")[1].split()[0]
        info = httpx.get(url + "api/info", timeout=30).json()
        assert info["run"] == ali_run.name and info["latent_dim"] == 16
        assert httpx.get(url, timeout=30).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_missing_run_is_one_line_on_stderr(tmp_path, capsys):
    assert main(["explore", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err


def test_without_fastapi_the_command_says_which_extra_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "fastapi", None)  # makes `import fastapi` fail as if it were not installed
    for name in ("latentgan.explore.server", "latentgan.explore.app"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    assert main(["explore", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fastapi is missing" in err and "pip install 'latentgan[explore]'" in err
