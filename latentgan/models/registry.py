"""The model registry: name -> (config dataclass, model class). Add a model by adding one entry."""

from __future__ import annotations

from dataclasses import dataclass

from latentgan.errors import ConfigError
from latentgan.plugins import import_submodules


@dataclass(frozen=True)
class ModelEntry:
    """A registered model: its config dataclass, its class and a one-line description."""

    name: str
    config_class: type
    model_class: type
    description: str


MODELS: dict[str, ModelEntry] = {}


def register_model(name: str, config_class: type, description: str):
    """Class decorator registering a GenerativeModel subclass under `name`."""
    def wrap(model_class: type) -> type:
        MODELS[name] = ModelEntry(name, config_class, model_class, description)
        return model_class
    return wrap


def get_model_entry(name: str) -> ModelEntry:
    """Look up a model by name with a clear error listing the known ones."""
    import_submodules("latentgan.models")
    if name not in MODELS:
        raise ConfigError(f"unknown model '{name}'; known models: {', '.join(sorted(MODELS))}")
    return MODELS[name]
