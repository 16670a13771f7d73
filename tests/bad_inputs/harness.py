"""Run one bad-input case through the CLI: one clear line, exit 2, no traceback, no file changed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from latentgan.cli import main


@dataclass(frozen=True)
class Case:
    """A bad input: `make(tmp_path)` writes it and returns the CLI arguments; `message` must be in the error."""

    name: str
    make: Callable[[Path], list[str]]
    message: str

    def __str__(self) -> str:
        return self.name


def snapshot(root: Path) -> dict[str, str]:
    """SHA-256 of every file under root, by relative path."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def train_args(data: str, root: Path, *extra: str) -> list[str]:
    """`latentgan train` on a dataset for one tiny step (the data fails to load first)."""
    return ["train", "--model", "gan", "--data", data, "--data-root", str(root), "--steps", "1", "--quiet",
            "--device", "cpu", "--set", "model.width=8", "--out", str(root.parent / "run"), *extra]


def expect_clean_failure(capsys, tmp_path: Path, argv: list[str], message: str) -> str:
    """Run the CLI in-process on argv and check the four promises; returns the error line."""
    capsys.readouterr()
    before = snapshot(tmp_path)
    code = main(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, f"exit {code}, stderr: {err}"
    assert "Traceback" not in err
    assert len(lines) == 1 and lines[0].startswith("latentgan: error: "), err
    assert message in lines[0], lines[0]
    assert snapshot(tmp_path) == before, "the failed command changed or created files"
    return lines[0]
