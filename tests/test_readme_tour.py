"""Every `latentgan` command in the README, run top to bottom in a fresh folder, each made cheap by fixed rules.

A user copies the README's commands in order; this test does the same (fewer steps and samples, so it fits a slow
test), and fails when a command errors, when a picture or file a command promises is missing, or when a command is
added to the README that this test neither runs nor names below with the reason it is not run.
"""

import re
import shlex
from pathlib import Path

import pytest
from PIL import Image

from latentgan.cli import main
from latentgan.data.idx import FASHION_DEBIAN_DIR

README = Path(__file__).parents[1] / "README.md"

# Commands not run here, and why; each is covered elsewhere.
NOT_RUN = {
    "explore": "serves a web page until stopped (tests/explore drive the same server)",
    "reproduce --all": "every card at the cpu tier takes hours (tests/experiments run each card's smoke tier)",
    "--budget paper": "needs a GPU (a missing GPU's one-line refusal is tests/bad_inputs/test_devices.py)",
}
STEPS, SAMPLES, EVAL_N = 30, 64, 256


def readme_commands() -> list[str]:
    """The latentgan command lines of the README's bash blocks, in order, without comments and prefixes."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.S)
    commands = []
    for line in "\n".join(blocks).splitlines():
        for part in line.split("#")[0].split("&&"):
            words = part.strip()
            words = words.removeprefix(".venv/bin/")
            if words.startswith("latentgan "):
                commands.append(words)
    return commands


def _set_option(argv: list[str], flag: str, value, most: int | None = None) -> list[str]:
    """argv with `flag value` set: replaced where present (capped at `most`), else appended."""
    if flag in argv:
        i = argv.index(flag) + 1
        argv[i] = str(min(int(argv[i]), most) if most is not None else value)
        return argv
    return argv + [flag, str(value)]


def cheap(argv: list[str]) -> list[str]:
    """The same command with fewer steps and samples; what it does and where it writes stay the same."""
    command = argv[0]
    if command == "train":
        # A schedule's start moves inside the shorter run, so the option is still exercised.
        argv = [f"train.lr_decay_start={STEPS // 2}" if a.startswith("train.lr_decay_start=") else a for a in argv]
        argv = _set_option(argv, "--steps", STEPS) + ["--quiet", "--set", f"train.eval_n={EVAL_N}"]
    elif command == "resume" and "--steps" in argv:
        argv = _set_option(argv, "--steps", 2 * STEPS)
    elif command in ("sample", "fid"):
        argv = _set_option(argv, "--n", SAMPLES, most=SAMPLES) if command == "sample" or "--n" in argv else argv
    elif command == "eval":
        argv = _set_option(argv, "--n", EVAL_N, most=EVAL_N)
    elif command == "reproduce" and "--budget" in argv:
        argv = _set_option(argv, "--jobs", 1)
        argv[argv.index("--budget") + 1] = "smoke"
    return argv


def _images(folder: Path, count: int) -> None:
    """`count` held-out digits as PNG files, the user's own images of the tour."""
    from latentgan.data.registry import load_dataset

    test = load_dataset("mnist5k", split="test")
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        pixels = ((test.x[i, 0] + 1) * 127.5).clamp(0, 255).byte().numpy()
        Image.fromarray(pixels, mode="L").save(folder / f"digit_{i}.png")


@pytest.mark.slow
def test_every_readme_command_runs_in_order_from_a_fresh_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _images(tmp_path / "my_digits", SAMPLES)
    for name, index in (("a.png", 0), ("b.png", 1)):
        (tmp_path / name).write_bytes((tmp_path / "my_digits" / f"digit_{index}.png").read_bytes())
    ran, skipped = [], []
    for line in readme_commands():
        reason = next((why for key, why in NOT_RUN.items() if key in line), None)
        if reason is None and "fashion" in line and not any(FASHION_DEBIAN_DIR.glob("*")):
            reason = f"Fashion-MNIST is not installed at {FASHION_DEBIAN_DIR}"
        if reason:
            skipped.append((line, reason))
            continue
        argv = cheap(shlex.split(line)[1:])
        code = main(argv)
        said = capsys.readouterr()
        assert code == 0, f"`{line}` (run as {argv}) exited {code}: {said.err[-2000:]}"
        ran.append(line)
    assert len(ran) >= 30 and len(skipped) <= len(NOT_RUN) + 1, (ran, skipped)
    # What the tour's commands promise to write.
    for path in ("runs/quickstart/summary.md", "runs/quickstart/report.html", "runs/glo/reconstructions.png",
                 "codes.npz", "recon.png", "strip.png", "compare", "ring.png", "runs/glo/eval.json"):
        assert (tmp_path / path).exists(), path
    assert len(list((tmp_path / "samples").glob("*.png"))) == SAMPLES
    assert (tmp_path / "docs" / "reproductions" / "glo-recon.md").exists()


def test_the_tour_reader_finds_the_readme_commands_and_rewrites_them_cheaply():
    commands = readme_commands()
    assert commands[0] == "latentgan train --config quickstart --out runs/quickstart"
    assert any(c.startswith("latentgan encode ") for c in commands) and not any("#" in c for c in commands)
    assert cheap(["train", "--config", "x", "--steps", "5000"])[:4] == ["train", "--config", "x", "--steps"]
    assert cheap(["train", "--config", "x", "--steps", "5000"])[4] == str(STEPS)
    assert cheap(["sample", "r", "--n", "10000", "--out", "s/"]) == ["sample", "r", "--n", str(SAMPLES), "--out", "s/"]
    assert cheap(["eval", "r"]) == ["eval", "r", "--n", str(EVAL_N)]
    assert cheap(["reproduce", "glo-recon", "--budget", "cpu", "--jobs", "2"]) == [
        "reproduce", "glo-recon", "--budget", "smoke", "--jobs", "1"]
