"""The image commands on tiny runs: encode, reconstruct, interpolate, sample exports and fid, with bad inputs."""

import numpy as np
import pytest
import torch
from PIL import Image

from latentgan.cli import main
from latentgan.errors import InputError
from latentgan.images import load_folder, read_image

TRAIN = ["train.batch_size=32", "train.log_every=10", "train.sample_every=1000", "train.checkpoint_every=1000",
         "train.progress=false", "train.device=cpu", "train.grid_size=16", "data.name=mnist5k", "data.split=train"]


def _train(tmp_path_factory, name, overrides):
    from latentgan.api import train
    from latentgan.config import load_config

    out = tmp_path_factory.mktemp("runs") / name
    return train(load_config(None, [*overrides, *TRAIN, f"train.out={out}"]), log=lambda message: None)


@pytest.fixture(scope="module")
def ali_run(tmp_path_factory):
    """ALI at 1/16 width, 16-D codes, 10 steps on mnist5k: encodes by a forward pass."""
    return _train(tmp_path_factory, "ali", ["model.name=ali", "model.width_scale=0.0625", "model.latent_dim=16",
                                            "model.init=default", "train.steps=10"])


@pytest.fixture(scope="module")
def gan_run(tmp_path_factory):
    """A sample-only DCGAN (width 8) on mnist5k, 10 steps."""
    return _train(tmp_path_factory, "gan", ["model.name=gan", "model.width=8", "model.latent_dim=12",
                                            "train.steps=10"])


@pytest.fixture
def photos(tmp_path):
    """A user's folder: three 40x30 RGB JPEGs, one PNG, a text file and a hidden file."""
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        Image.fromarray(rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)).save(folder / f"p{i}.jpg")
    Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8)).save(folder / "digit.png")
    (folder / "notes.txt").write_text("not an image")
    (folder / ".DS_Store").write_bytes(b"\0")
    return folder


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_load_folder_converts_crops_resizes_and_counts_skipped_files(photos):
    folder = load_folder(photos, like=(1, 28, 28))
    assert folder.images.shape == (4, 1, 28, 28) and folder.images.dtype == torch.uint8
    assert folder.names == ["digit.png", "p0.jpg", "p1.jpg", "p2.jpg"] and folder.skipped == ["notes.txt"]
    assert "skipped 1 non-image file(s): notes.txt" in folder.describe()
    assert read_image(photos / "p0.jpg", (3, 16, 16), fit="stretch").shape == (3, 16, 16)


def test_empty_folders_and_folders_without_images_are_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no images in"):
        load_folder(tmp_path / "empty", like=(1, 28, 28))
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("x")
    with pytest.raises(InputError, match=r"1 file\(s\), none an image"):
        load_folder(tmp_path / "texts", like=(1, 28, 28))


def test_encode_writes_codes_and_names(ali_run, photos, tmp_path, capsys):
    code, out, _ = run_cli(capsys, "encode", ali_run, photos, "--out", tmp_path / "codes.npz")
    assert code == 0 and "read 4 image(s); skipped 1 non-image file(s)" in out
    saved = np.load(tmp_path / "codes.npz")
    assert saved["codes"].shape == (4, 16) and list(saved["names"]) == ["digit.png", "p0.jpg", "p1.jpg", "p2.jpg"]


def test_reconstruct_to_a_grid_and_to_a_folder(ali_run, photos, tmp_path, capsys):
    assert run_cli(capsys, "reconstruct", ali_run, photos, "--out", tmp_path / "grid.png")[0] == 0
    assert Image.open(tmp_path / "grid.png").size[0] > 28
    assert run_cli(capsys, "reconstruct", ali_run, photos, "--out", tmp_path / "recon")[0] == 0
    assert sorted(p.name for p in (tmp_path / "recon").iterdir()) == ["digit.png", "p0.png", "p1.png", "p2.png"]


def test_interpolate_writes_a_strip_framed_by_the_two_images(ali_run, photos, tmp_path, capsys):
    code, _, _ = run_cli(capsys, "interpolate", ali_run, photos / "p0.jpg", photos / "digit.png", "--steps", 5,
                         "--mode", "slerp", "--out", tmp_path / "strip.png")
    assert code == 0
    width, height = Image.open(tmp_path / "strip.png").size
    assert width > 6 * 28 and height < 2 * 28  # one row: A, five decoded steps, B


def test_sample_exports_an_archive_with_codes_and_a_folder_of_pngs(gan_run, tmp_path, capsys):
    assert run_cli(capsys, "sample", gan_run, "--n", 5, "--out", tmp_path / "s.npz")[0] == 0
    saved = np.load(tmp_path / "s.npz")
    assert saved["images"].shape == (5, 1, 28, 28) and saved["images"].dtype == np.uint8
    assert saved["codes"].shape == (5, 12)
    import latentgan

    model = latentgan.load(gan_run)  # the stored codes are the ones the samples were decoded from
    decoded = model.decode(torch.from_numpy(saved["codes"]))
    assert np.abs(latentgan.images.to_uint8(decoded, (-1, 1)).numpy().astype(int)
                  - saved["images"].astype(int)).max() <= 1
    assert run_cli(capsys, "sample", gan_run, "--n", 3, "--out", f"{tmp_path / 'pngs'}/")[0] == 0
    assert sorted(p.name for p in (tmp_path / "pngs").iterdir()) == ["000000.png", "000001.png", "000002.png"]


@pytest.mark.parametrize("args, message", [
    (["encode", "{gan}", "{photos}", "--out", "{tmp}/c.npz"], "has no encoder"),
    (["encode", "{ali}", "{photos}", "--out", "{tmp}/c.csv"], "must end in .npz"),
    (["encode", "{ali}", "{tmp}/nothing", "--out", "{tmp}/c.npz"], "no such file or folder"),
    (["reconstruct", "{ali}", "{photos}", "--out", "{tmp}/r.jpg"], "must be a .png grid or a folder"),
    (["interpolate", "{ali}", "{photos}/notes.txt", "{photos}/p0.jpg", "--out", "{tmp}/s.png"],
     "not a readable image"),
    (["interpolate", "{ali}", "{photos}/p0.jpg", "{photos}/p1.jpg", "--steps", "1", "--out", "{tmp}/s.png"],
     "steps must be >= 2"),
    (["sample", "{gan}", "--n", "0", "--out", "{tmp}/s.npz"], "--n must be at least 1"),
    (["sample", "{gan}", "--out", "{tmp}/s.jpg"], "must end in .png"),
])
def test_errors_exit_2_in_one_line_and_write_nothing(ali_run, gan_run, photos, tmp_path, capsys, args, message):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    fill = {"ali": ali_run, "gan": gan_run, "photos": photos, "tmp": out_dir}
    code, _, err = run_cli(capsys, *[a.format(**fill) for a in args])
    assert code == 2 and message in err and err.count("\n") == 1
    assert list(out_dir.iterdir()) == []


class _PixelFeatures:
    """A stand-in extractor (4x4 average-pooled pixels) so the command's own logic is tested in seconds."""

    name = "pixels"

    def __call__(self, images):
        return torch.nn.functional.adaptive_avg_pool2d(images.float().mean(1, keepdim=True), 4).flatten(1)


def test_fid_command_on_folders_of_mixed_sizes_and_on_a_run(gan_run, photos, tmp_path, capsys, monkeypatch):
    import latentgan.commands.fid as fid_command

    monkeypatch.setattr(fid_command, "get_extractor", lambda *args: _PixelFeatures())
    code, out, _ = run_cli(capsys, "fid", photos, photos)  # native sizes: 40x30 RGB and 28x28 grey together
    assert code == 0 and float(out.split("= ")[1].split()[0]) == pytest.approx(0.0, abs=1e-3) and "4 vs 4" in out
    code, out, _ = run_cli(capsys, "fid", gan_run, photos, "--n", 6)
    assert code == 0 and "6 vs 4" in out and float(out.split("= ")[1].split()[0]) > 0


@pytest.mark.slow
def test_fid_between_folders_and_a_run_against_a_folder(gan_run, tmp_path, capsys, monkeypatch):
    """Digit-classifier features (trained once, ~45 s); the Inception path is the same code with another extractor."""
    a, b = tmp_path / "a", tmp_path / "b"
    run_cli(capsys, "sample", gan_run, "--n", 8, "--seed", 1, "--out", f"{a}/")
    run_cli(capsys, "sample", gan_run, "--n", 8, "--seed", 2, "--out", f"{b}/")
    code, out, _ = run_cli(capsys, "fid", a, a, "--features", "classifier-mnist5k")
    assert code == 0 and float(out.split("= ")[1].split()[0]) == pytest.approx(0.0, abs=1e-3)
    code, out, _ = run_cli(capsys, "fid", gan_run, b, "--n", 8, "--seed", 2, "--features", "classifier-mnist5k")
    assert code == 0 and float(out.split("= ")[1].split()[0]) == pytest.approx(0.0, abs=1e-2) and "8 vs 8" in out
    (tmp_path / "few").mkdir()
    code, _, err = run_cli(capsys, "fid", a, tmp_path / "few", "--features", "classifier-mnist5k")
    assert code == 2 and "holds 0 image(s)" in err
