import json

from latentgan.train.metrics_log import MetricsLog


def test_nan_is_written_as_json_null_and_infinity_keeps_its_sign(tmp_path):
    log = MetricsLog(tmp_path / "metrics.jsonl")
    log.append({"step": 1, "loss_d": float("nan"), "reverse_kl": float("inf"), "low": float("-inf"), "x": 0.5})
    line = (tmp_path / "metrics.jsonl").read_text().strip()
    # strict JSON: Python's parser would accept NaN, so refuse it explicitly the way jq and browsers do
    record = json.loads(line, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    assert record == {"step": 1, "loss_d": None, "reverse_kl": "inf", "low": "-inf", "x": 0.5}
    assert log.read() == [record]
