import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from latentgan.errors import RunDirError
from latentgan.viz.report import write_report
from latentgan.viz.save import save_image

IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)" width="(\d+)" height="(\d+)">')
CONFIG = {"model": {"name": "gan", "loss": "lsgan", "note": "<script>alert(1)</script>"},
          "data": {"name": "ring", "n_modes": 8}, "train": {"steps": 300, "seed": 0}}


def _run_dir(tmp_path: Path, samples: int = 2, colours=("red", "lime"), plots=("blue",)) -> Path:
    """A run directory with config, run.json, metrics, eval.json, summary and solid-colour pictures."""
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.yaml").write_text(yaml.safe_dump(CONFIG, sort_keys=False))
    (run / "run.json").write_text(json.dumps({"model": "gan", "data": "ring", "created": "2025-01-02T03:04:05",
                                              "data_shape": {"sample_shape": [2]}, "latentgan_version": "0.1.0"}))
    lines = [{"step": s, "loss_d": 1.0 / s, "loss_g": 0.5, "images_per_sec": 900.0} for s in range(10, 310, 10)]
    lines[3]["loss_g"] = "nan"
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    metrics = {"fid10k": 23.456789, "modes_captured": 8, "kid": {"mean": 0.0123456, "std": 0.00045678},
               "probe_acc": {"mean": 0.912345, "std": 0.01, "min": 0.9}}
    (run / "eval.json").write_text(json.dumps({"metrics": metrics, "skipped": {"recon_mse": "model has no encode"},
                                               "n": 10000, "seed": 0}))
    (run / "summary.md").write_text("# Run summary: gan on ring\n\n- steps: 300 of 300\n")
    for i in range(samples):
        picture = Image.new("RGB", (160, 120), colours[i % len(colours)])
        save_image(picture, run / "samples" / f"step_{(i + 1) * 100:07d}.png")
    for i, colour in enumerate(plots):
        save_image(Image.new("RGB", (200, 100), colour), run / "plots" / f"plot_{i}.png")
    return run


def _images(text: str) -> list[tuple[bytes, str, int, int]]:
    return [(base64.b64decode(m[0]), m[1], int(m[2]), int(m[3])) for m in IMG.findall(text)]


def test_report_holds_config_metrics_summary_and_every_picture(tmp_path):
    run = _run_dir(tmp_path)
    path = write_report(run)
    assert path == run / "report.html"
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<title>gan on ring" in text and "<h1>gan on ring</h1>" in text
    assert "loss: lsgan" in text and "n_modes: 8" in text
    assert "23.46" in text and "23.456789" not in text and "0.01235 ± 0.0004568" in text
    assert "0.9123 ± 0.01 (min: 0.9)" in text and '<td class="num">8</td>' in text
    assert "<td>recon_mse</td><td>model has no encode</td>" in text and '<td class="num">10000</td>' in text
    assert "steps: 300 of 300" in text and "created 2025-01-02T03:04:05" in text
    # Results before the account: numbers, pictures of held-out data, samples, curves; the config folded last.
    captions = [alt for _, alt, _, _ in _images(text)]
    assert captions == ["plots/plot_0.png", "samples/step_0000200.png", "samples/step_0000100.png", "plots/curves.png"]
    assert text.index("<h2>Evaluation") < text.index("<h2>Pictures") < text.index("<h2>Summary") < text.index(
        "<h2>Config</h2><details>")
    for data, alt, width, height in _images(text):
        assert data == (run / alt.split(":")[0]).read_bytes()
        with Image.open(run / alt.split(":")[0]) as image:
            assert image.size == (width, height)
    assert "http://" not in text and "https://" not in text and "<script" not in text and "<link" not in text


def test_text_is_escaped(tmp_path):
    run = _run_dir(tmp_path)
    (run / "eval.json").write_text(json.dumps({"<b>bold</b>": "<i>x</i>", "fid": 1.0}))
    text = write_report(run).read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text and "&lt;i&gt;x&lt;/i&gt;" in text and "<b>" not in text


def test_flat_eval_json_and_only_the_six_latest_samples(tmp_path):
    run = _run_dir(tmp_path, samples=9)
    (run / "eval.json").write_text(json.dumps({"modes_captured": 7, "high_quality_fraction": 0.912345,
                                               "reverse_kl": "inf"}))
    text = write_report(run).read_text()
    assert "0.9123" in text and "<td>inf</td>" in text and ">7<" in text
    steps = [alt for _, alt, _, _ in _images(text) if alt.startswith("samples/")]
    assert steps == [f"samples/step_{s * 100:07d}.png" for s in range(9, 3, -1)]


def test_a_run_without_eval_json_shows_its_last_training_evaluation_and_each_picture_once(tmp_path):
    run = _run_dir(tmp_path, plots=())
    (run / "eval.json").unlink()
    with open(run / "metrics.jsonl", "a") as f:
        f.write(json.dumps({"step": 300, "reconstruction_class_agreement@1k": 0.957}) + "\n")
    for name, colour in (("reconstructions.png", "red"), ("interpolation.png", "lime")):
        save_image(Image.new("RGB", (40, 20), colour), run / name)
        twin = run / "plots" / name.replace("interpolation", "interpolation_real")
        save_image(Image.new("RGB", (40, 20), colour), twin)
    save_image(Image.new("RGB", (40, 20), "blue"), run / "plots" / "latent_scatter.png")
    text = write_report(run).read_text()
    assert "<h2>Evaluation at step 300 (during training)</h2>" in text and "0.957" in text
    pictures = [alt.split(":")[0] for _, alt, _, _ in _images(text) if not alt.startswith(("samples/", "plots/curves"))]
    assert pictures == ["reconstructions.png", "interpolation.png", "plots/latent_scatter.png"]


def test_a_run_with_only_its_config_gets_a_valid_report(tmp_path):
    run = tmp_path / "bare"
    run.mkdir()
    (run / "config.yaml").write_text(yaml.safe_dump(CONFIG))
    text = write_report(run).read_text()
    assert "<h1>gan on ring</h1>" in text and "<img" not in text and text.rstrip().endswith("</html>")
    assert not (run / "plots").exists()
    assert sorted(p.name for p in run.iterdir()) == ["config.yaml", "report.html"]  # no temporary files left


def test_damaged_pieces_do_not_stop_the_report(tmp_path):
    run = _run_dir(tmp_path)
    (run / "config.yaml").write_text("model: [unclosed\n")
    (run / "eval.json").write_text("{not json")
    (run / "plots" / "broken.png").write_bytes(b"not a png")
    text = write_report(run).read_text()
    assert "<h1>gan on ring</h1>" in text  # title from run.json
    assert "eval.json could not be read" in text and "plots/broken.png (not a readable PNG)" in text


def test_a_directory_that_is_not_a_run_is_refused(tmp_path):
    with pytest.raises(RunDirError, match="not a latentgan run directory"):
        write_report(tmp_path)
    with pytest.raises(RunDirError, match="does not exist"):
        write_report(tmp_path / "missing")


def _chromium() -> str | None:
    return shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def _near(pixels: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 6) -> int:
    """How many pixels of an (H, W, 3) screenshot are within tolerance of a colour."""
    return int((np.abs(pixels.astype(int) - np.array(rgb)).max(axis=-1) <= tolerance).sum())


@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed (Debian: apt-get install chromium "
                    "chromium-driver); the report's rendering check needs it")
def test_report_renders_with_its_images_in_headless_chromium(tmp_path):
    run = _run_dir(tmp_path, samples=2, colours=("red", "lime"), plots=("blue", "magenta"))
    report = write_report(run)
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--dump-dom",
         "--window-size=1200,3000", report.as_uri()],
        capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    # the DOM as Chromium parsed it: every picture is an <img>, and the escaped config stayed text
    dom = result.stdout
    assert len(_images(dom)) == 5 and "&lt;script&gt;" in dom and "<script" not in dom
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB"))
    # each solid-colour picture is drawn at its full size: a broken image would show an icon instead
    for rgb, size in [((255, 0, 0), 160 * 120), ((0, 255, 0), 160 * 120), ((0, 0, 255), 200 * 100),
                      ((255, 0, 255), 200 * 100)]:
        assert _near(pixels, rgb) >= 0.95 * size, f"picture of colour {rgb} did not render"
    assert _near(pixels, (31, 119, 180), tolerance=20) > 200, "the training curves did not render"


def test_results_per_checkpoint_are_one_row_per_step(tmp_path):
    run = _run_dir(tmp_path)
    by_step = {"1000": {"modes": 6, "hq": 0.5}, "200": {"modes": 3}, "3000": {"modes": 8, "hq": 0.9}}
    (run / "eval.json").write_text(json.dumps({"metrics": {"modes": 8}, "by_step": by_step}))
    text = write_report(run).read_text()
    table = text.split("<h3>by checkpoint step</h3>")[1].split("</table>")[0]
    assert "<th>step</th><th>modes</th><th>hq</th>" in table
    rows = table.split("<tr>")[2:]
    assert [r.split("</td>")[0].split(">")[-1] for r in rows] == ["200", "1000", "3000"]
    assert "<td></td>" in rows[0]  # step 200 has no hq
