"""Experiments: one module per paper claim; importing this package registers them all."""

from latentgan.experiments.card import Card
from latentgan.experiments.registry import EXPERIMENTS, ExperimentSettings, get_experiment, register_experiment

__all__ = ["EXPERIMENTS", "Card", "ExperimentSettings", "get_experiment", "register_experiment"]
