import json
import math

import pytest

from latentgan.errors import ConfigError
from latentgan.experiments.card import Card
from latentgan.experiments.protocol import DecisionRule, combine, decide, map_jobs, pick_budget, seeds_needed
from latentgan.experiments.registry import ExperimentSettings
from latentgan.experiments.scoreboard import publish_card, read_card, write_scoreboard

BELOW = DecisionRule("ratio", 0.6, "below", seeds=3)


def test_a_mean_clearly_on_the_papers_side_is_reproduced():
    assert decide(BELOW, [0.50, 0.52, 0.51]).verdict == "reproduced"
    assert decide(DecisionRule("modes gained", 0.0, "above"), [3.0, 2.5, 4.0]).verdict == "reproduced"


def test_a_mean_clearly_on_the_other_side_is_not_reproduced():
    assert decide(BELOW, [0.70, 0.72, 0.71]).verdict == "not reproduced"
    assert decide(DecisionRule("modes gained", 0.0, "above"), [-3.0, -2.5, -4.0]).verdict == "not reproduced"


def test_an_interval_that_straddles_the_threshold_is_inconclusive_and_says_how_many_seeds_would_decide():
    decision = decide(BELOW, [0.50, 0.66, 0.56])
    assert decision.verdict == "inconclusive"
    assert decision.low < 0.6 < decision.high
    assert decision.seeds_to_decide is not None and decision.seeds_to_decide > 3
    more = [0.50, 0.66, 0.56] * math.ceil(decision.seeds_to_decide / 3)
    assert decide(BELOW, more).verdict == "reproduced"  # the promised seed count does decide at this spread
    assert "seeds would decide" in decision.summary()


def test_one_seed_can_never_decide_a_mean():
    assert decide(BELOW, [0.1]).verdict == "inconclusive"
    assert seeds_needed([0.1], 0.6) is None


def test_every_seed_rules_fail_on_one_bad_seed_and_a_diverged_seed_counts_against_the_paper():
    every = DecisionRule("modes", 8, "above", aggregate="every")
    assert decide(every, [8, 8, 8]).verdict == "reproduced"
    assert decide(every, [8, 7, 8]).verdict == "not reproduced"
    assert decide(BELOW, [0.5, float("nan"), 0.5]).verdict == "not reproduced"


def test_combined_verdicts_and_bad_rules():
    yes, no = decide(BELOW, [0.5, 0.5, 0.51]), decide(BELOW, [0.9, 0.9, 0.91])
    maybe = decide(BELOW, [0.5, 0.66, 0.56])
    assert combine([yes, yes]) == "reproduced"
    assert combine([yes, maybe]) == "inconclusive"
    assert combine([yes, maybe, no]) == "not reproduced"
    with pytest.raises(ConfigError):
        DecisionRule("x", 1.0, "sideways")
    with pytest.raises(ConfigError, match="smoke, cpu, paper"):
        pick_budget({"smoke": 1, "cpu": 2, "paper": 3}, "huge")


def test_settings_map_quick_to_the_smoke_tier(tmp_path):
    assert ExperimentSettings(tmp_path, quick=True).budget == "smoke"
    assert ExperimentSettings(tmp_path).budget == "cpu" and not ExperimentSettings(tmp_path).quick
    assert ExperimentSettings(tmp_path, budget="smoke").quick
    with pytest.raises(ConfigError):
        ExperimentSettings(tmp_path, jobs=0)


def _pow(a, b):
    return a ** b


def test_map_jobs_keeps_the_order_in_one_process_and_in_two():
    tasks = [(2, 3), (3, 2), (5, 1)]
    assert map_jobs(_pow, tasks, jobs=1) == map_jobs(_pow, tasks, jobs=2) == [8, 9, 5]


def test_the_scoreboard_is_made_from_published_cards(tmp_path):
    runs, docs = tmp_path / "runs", tmp_path / "docs"
    for name, values in (("card-a", [0.5, 0.52, 0.51]), ("card-b", [0.7, 0.72, 0.71])):
        (runs / name).mkdir(parents=True)
        (runs / name / "plot.png").write_bytes(b"png")
        card = Card(name, "a paper", "a claim", "a sentence", None, figures=[runs / name / "plot.png"],
                    decisions=[decide(BELOW, values)], tier="cpu", paper_number="0.64")
        card.write(runs / name)
        publish_card(runs / name, docs, name)
    (docs / "card-c.md").write_text("# card-c\n\n**Verdict (undecided):** an old quick card.\n")
    board = write_scoreboard(docs, ["card-a", "card-b", "card-c", "card-d"]).read_text()
    assert "**1 reproduced, 1 not reproduced, 0 inconclusive, 2 without a verdict yet** (of 4 cards)" in board
    assert "| [card-a](card-a.md) | reproduced | cpu | 0.64 |" in board
    assert "| card-d | no card yet |" in board
    assert "![plot](card-a/plot.png)" in (docs / "card-a.md").read_text()
    assert (docs / "card-a" / "plot.png").exists()
    assert read_card(docs, "card-c")["status"] == "undecided"
    assert json.loads((docs / "card-b" / "card.json").read_text())["status"] == "not reproduced"


def test_a_smoke_card_never_claims_a_verdict(tmp_path):
    card = Card("x", "p", "c", "v", None, decisions=[decide(BELOW, [0.5, 0.5, 0.51])], tier="smoke")
    assert card.status.startswith("smoke") and "reproduced" not in card.status
