import pytest
import torch

from latentgan.experiments import ExperimentSettings, get_experiment, grow_order, grow_swissroll
from latentgan.metrics import builtin  # noqa: F401  (registers cfid first, so the stand-in is undone after the test)
from latentgan.metrics.registry import METRICS, MetricSpec, always


def test_variance_shares_attribute_variance_to_the_axis_that_controls_it():
    s1, s2 = grow_swissroll.variance_shares(lambda z: torch.stack([z[:, 0], 3 * z[:, 0]], 1))
    assert s1 == pytest.approx(1.0) and s2 == pytest.approx(0.0, abs=1e-12)
    s1, s2 = grow_swissroll.variance_shares(lambda z: (z[:, :1] + z[:, 1:]) * torch.tensor([[1.0, -2.0]]))
    assert s1 == pytest.approx(0.5) and s2 == pytest.approx(0.5)
    s1, s2 = grow_swissroll.variance_shares(lambda z: z[:, :1] * z[:, 1:])  # pure interaction: no axis alone
    assert s1 == pytest.approx(0.0, abs=1e-12) and s2 == pytest.approx(0.0, abs=1e-12)
    assert grow_swissroll.variance_shares(lambda z: torch.zeros(len(z), 2)) == (0.0, 0.0)


def test_chamfer_is_zero_on_identical_sets_and_grows_with_distance():
    real = torch.randn(50, 2)
    assert grow_swissroll.chamfer(real, real) == pytest.approx((0.0, 0.0), abs=1e-4)
    to_real, to_fake = grow_swissroll.chamfer(real + torch.tensor([3.0, 4.0]), real)
    assert to_real <= 5.0 + 1e-5 and to_fake <= 5.0 + 1e-5 and to_real > 0


def test_block_and_axis_walks_vary_only_what_they_name():
    walk = grow_order.block_walk(lambda z: z, 16, (9, 16), points=5, steps=4)
    assert walk.shape == (17, 16)
    assert torch.equal(walk[:, :8], walk[:1, :8].expand(17, 8)) and walk[:, 8:].std(0).min() > 0
    axis = grow_order.axis_walk(lambda z: z, 64, 5, points=8)
    assert torch.equal(axis[:, [0, 1, 2, 3, 5]], axis[:1, [0, 1, 2, 3, 5]].expand(8, 5))
    assert torch.allclose(axis[:, 4], torch.linspace(-0.25, 0.25, 8))


def test_grow_experiments_are_registered():
    for name in ("grow-swissroll", "grow-order", "grow-dim8"):
        assert get_experiment(name).paper.startswith("Sandström")


def test_grow_swissroll_runs_end_to_end_and_writes_its_card(tmp_path, monkeypatch):
    monkeypatch.setattr(grow_swissroll, "QUICK", grow_swissroll.Budget(4, 1))
    # A learning rate far beyond the thesis' 5 reaches Inf within the first minibatch: the card must say so.
    monkeypatch.setitem(grow_swissroll.ARMS, "from scratch, lr 5", ["model.start_latent_dim=2", "model.lr=1e30"])
    torch.set_num_threads(1)
    card = get_experiment("grow-swissroll").run(ExperimentSettings(tmp_path, quick=True, device="cpu",
                                                                   log=lambda m: None))
    text = card.read_text()
    assert "smoke test only" in text and "grown 1 -> 2" in text and "share of z_1" in text
    assert "diverged at step" in text
    assert len(list(tmp_path.glob("d-*.png"))) == 2
    assert (tmp_path / "grown-1-to-2" / "seed0" / "checkpoints" / "step_0000004.pt").exists()


@pytest.fixture
def stand_in_cfid(monkeypatch):
    # No classifier is trained here: the wiring is under test, the stand-in's number moves with the samples.
    def fake_fid(ctx):
        return {"fid_fake@16": float(ctx.samples(16).std())}

    monkeypatch.setitem(METRICS, "cfid", MetricSpec("cfid", "stand-in", fake_fid, always, 16))
    torch.set_num_threads(1)


def test_grow_order_and_dim8_run_end_to_end_and_write_their_cards(tmp_path, monkeypatch, stand_in_cfid):
    monkeypatch.setattr(grow_order, "QUICK", grow_order.Budget(1, 1, 1, 16))
    monkeypatch.setattr(grow_order, "load_config", _tiny_config)
    settings = ExperimentSettings(tmp_path, quick=True, device="cpu", log=lambda m: None)
    text = get_experiment("grow-order").run(settings).read_text()
    for name in grow_order.VARIANTS:
        assert f"| {name} |" in text
    assert "first/last ratio" in text and "undecided" in text
    assert (tmp_path / "params.png").exists() and (tmp_path / "walk-axes-clggan.png").exists()
    text = get_experiment("grow-dim8").run(settings).read_text()
    assert "bgan-dim8" in text and (tmp_path / "walk-blocks-bgan-dim8.png").exists()


def _tiny_config(name, overrides):
    # 8 channels at 4 px, and 64 of scikit-learn's digits at 32 px (loads in a blink) instead of Fashion-MNIST.
    from latentgan.config import load_config

    return load_config(name, [*overrides, "model.width=8", "data.name=digits", "data.resize=32", "data.pad_to=null",
                              "data.limit=64"])
