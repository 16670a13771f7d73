import pytest
from PIL import Image

from latentgan.viz.curves import numeric_keys, save_metric_curves, series

RECORDS = [
    {"step": 10, "loss_d": 1.0, "loss_g": "nan", "note": "warmup", "flag": True},
    {"step": 30, "loss_d": 0.5, "loss_g": 0.7, "fid@1k": 40.0},
    {"step": 20, "loss_d": 0.8, "loss_g": float("inf")},
]


def test_numeric_keys_skip_step_strings_bools_and_non_finite_values():
    assert numeric_keys(RECORDS) == ["loss_d", "loss_g", "fid@1k"]
    assert numeric_keys(RECORDS, min_points=2) == ["loss_d"]
    assert numeric_keys([{"step": 1, "x": "nan"}]) == []


def test_series_are_sorted_by_step_and_skip_missing_values():
    assert series(RECORDS, "loss_d") == ([10.0, 20.0, 30.0], [1.0, 0.8, 0.5])
    assert series(RECORDS, "loss_g") == ([30.0], [0.7])
    assert series([{"a": 1}, {"a": 2}], "a") == ([0.0, 1.0], [1.0, 2.0])  # no step: the record's index


def test_one_panel_per_key_logged_more_than_once(tmp_path):
    with Image.open(save_metric_curves(RECORDS, tmp_path / "c.png")) as image:
        assert image.format == "PNG" and image.size == (340, 240)  # loss_g and fid@1k have one value each
    with Image.open(save_metric_curves(RECORDS * 2, tmp_path / "d.png")) as image:
        assert image.size == (340, 240)  # loss_g (0.7 twice) and fid@1k (40 twice) never move: not curves
    keys = ["fid@1k", "loss_d", "note", "absent"]  # explicit keys: plotted when they have any value
    with Image.open(save_metric_curves(RECORDS, tmp_path / "e.png", keys=keys)) as image:
        assert image.size == (2 * 340, 240)
    many = [{"step": s, **{f"m{i}": float(s * i) for i in range(5)}} for s in range(50)]  # m0 is constant
    with Image.open(save_metric_curves(many, tmp_path / "f.png")) as image:
        assert image.size == (3 * 340, 2 * 240)


def test_losses_share_one_panel_and_wall_time_is_left_out(tmp_path):
    records = [{"step": s, "d_loss": 1.0 / s, "g_loss": float(s), "images_per_sec": 100.0 + s, "wall_sec": 2.0 * s}
               for s in range(1, 6)]
    with Image.open(save_metric_curves(records, tmp_path / "c.png")) as image:
        assert image.size == (2 * 340, 240)  # [d_loss + g_loss] and images_per_sec


def test_nothing_numeric_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no numeric"):
        save_metric_curves([{"step": 1, "x": "nan"}], tmp_path / "c.png")
