"""Typed run configuration: YAML files plus `--set key=value` overrides, validated with clear errors.

A run config has three sections: `model` (the model's own dataclass, chosen by `model.name`),
`data` (DataConfig; keys that are not DataConfig fields are the dataset's own options) and `train`.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from latentgan.errors import ConfigError, LatentganError
from latentgan.plugins import registry_function

# Choices as types: the loader checks a value against them and lists them in its error (check_choice).
Precision = Literal["auto", "fp32", "bf16"]
CompileMode = Literal["off", "default", "reduce-overhead", "max-autotune"]
LrDecay = Literal["none", "linear", "cosine"]
OnDivergence = Literal["stop", "rollback"]
PRECISIONS = typing.get_args(Precision)
COMPILE_MODES = typing.get_args(CompileMode)
LR_DECAYS = typing.get_args(LrDecay)


def check_choice(value: Any, choices: Any, key: str) -> Any:
    """Return value if it is one of a Literal type's choices; else a ConfigError listing them."""
    allowed = typing.get_args(choices) if typing.get_origin(choices) is Literal else tuple(choices)
    if value not in allowed:
        raise ConfigError(f"{key} must be one of {', '.join(map(str, allowed))}, got {value!r}")
    return value

PACKAGED_CONFIGS = Path(__file__).parent / "configs"


@dataclass
class DataConfig:
    """Which dataset to train on and how to present it; dataset-specific keys live in `options`."""

    name: str = "ring"
    root: str | None = None
    split: str = "train"
    value_range: list[float] = field(default_factory=lambda: [-1.0, 1.0])
    pad_to: int | None = None
    resize: int | None = None
    limit: int | None = None
    download: bool = False
    options: dict = field(default_factory=dict)

    def validate(self) -> None:
        """Check values that do not depend on the dataset itself."""
        if len(self.value_range) != 2 or self.value_range[0] >= self.value_range[1]:
            raise ConfigError(f"data.value_range must be [low, high] with low < high, got {self.value_range}")
        for key in ("pad_to", "resize", "limit"):
            value = getattr(self, key)
            if value is not None and value < 1:
                raise ConfigError(f"data.{key} must be a positive integer or null, got {value}")


@dataclass
class TrainConfig:
    """The training loop: length, batch, seed, device and how often to log, sample and checkpoint."""

    steps: int = 2000
    batch_size: int = 64
    seed: int = 0
    device: str = "auto"
    out: str | None = None
    log_every: int = 50
    sample_every: int = 500
    checkpoint_every: int = 500
    keep_checkpoints: int = 3
    grid_size: int = 64
    progress: bool = True
    # CPU threads for training (torch.set_num_threads): 1 by measurement on a shared 2-core machine, where more
    # threads only add synchronisation (docs/performance.md); 0 keeps PyTorch's own choice (one per core).
    threads: int = 1
    # Besides metrics.jsonl (always written): csv (metrics.csv), tensorboard (RUN_DIR/tensorboard; the optional
    # tensorboard package). Your own callbacks go to latentgan.train(callbacks=[...]); see docs/loggers.md.
    loggers: list[str] = field(default_factory=lambda: ["jsonl"])
    eval_every: int = 0
    eval_metrics: list[str] = field(default_factory=list)
    eval_n: int | None = None
    on_divergence: OnDivergence = "stop"  # NaN/Inf in a loss or parameter: stop, or rollback to the newest checkpoint
    rollback_lr_factor: float = 0.5  # each rollback multiplies every learning rate by this
    max_rollbacks: int = 3
    sync_batch_norm: bool = False  # under torchrun on GPUs: batch statistics over the whole job's batch
    # GPU fast paths (train/fast_path.py); defaults chosen by measurement, see docs/performance.md
    precision: Precision = "fp32"  # fp32, bf16 (autocast), or auto (bf16 on GPUs that have it)
    channels_last: bool | None = None  # image networks in NHWC memory layout; null = on for image data
    compile: CompileMode | bool = "off"  # torch.compile the networks: off, default, reduce-overhead, max-autotune
    cudnn_benchmark: bool = True  # let cuDNN time its convolution algorithms once per shape (CUDA only)
    lr_decay: LrDecay = "none"  # none, linear or cosine: every learning rate falls to 0 at the last step
    lr_decay_start: int = 0  # the step the decay starts from (e.g. half of train.steps, as pix2pix and CycleGAN)
    # Exponential moving average of the generating networks' weights (train/weight_average.py): 0 = off, else its
    # decay, e.g. 0.999; samples, evaluation and latentgan.load use the average from train.ema_start on.
    ema: float = 0.0
    ema_start: int = 0

    def validate(self) -> None:
        """Check ranges, the device name, the divergence policy and the periodic-evaluation metrics."""
        for key in ("steps", "batch_size", "log_every", "sample_every", "checkpoint_every",
                    "keep_checkpoints", "grid_size"):
            if getattr(self, key) < 1:
                raise ConfigError(f"train.{key} must be at least 1, got {getattr(self, key)}")
        if self.threads < 0:
            raise ConfigError(f"train.threads must be 0 (PyTorch's default) or a positive count, got {self.threads}")
        if self.device != "auto" and self.device.split(":")[0] not in ("cpu", "cuda", "mps"):
            raise ConfigError(f"train.device must be auto, cpu, cuda, cuda:N or mps, got '{self.device}'")
        if isinstance(self.compile, bool):  # YAML reads a bare off/on as a boolean
            self.compile = "default" if self.compile else "off"
        check_choice(self.precision, Precision, "train.precision")
        check_choice(self.compile, CompileMode, "train.compile")
        check_choice(self.lr_decay, LrDecay, "train.lr_decay")
        if not 0 <= self.lr_decay_start < self.steps:
            raise ConfigError(f"train.lr_decay_start must be in [0, train.steps) = [0, {self.steps}), got "
                              f"{self.lr_decay_start}")
        if not 0 <= self.ema < 1 or self.ema_start < 0:
            raise ConfigError(f"train.ema must be in [0, 1) (0 = off; e.g. 0.999) and train.ema_start >= 0, got "
                              f"{self.ema} and {self.ema_start}")
        check_choice(self.on_divergence, OnDivergence, "train.on_divergence")
        if not 0 < self.rollback_lr_factor < 1 or self.max_rollbacks < 1:
            raise ConfigError("train.rollback_lr_factor must lie strictly between 0 and 1 and train.max_rollbacks "
                              f"be at least 1, got {self.rollback_lr_factor} and {self.max_rollbacks}")
        registry_function("latentgan.train.loggers", "check_loggers")(self.loggers)
        if self.eval_every < 0 or (self.eval_n is not None and self.eval_n < 1):
            raise ConfigError("train.eval_every must be >= 0 (0 = off) and train.eval_n positive or null")
        if self.eval_every and not self.eval_metrics:
            raise ConfigError("train.eval_every is set but train.eval_metrics is empty; name metrics, e.g. "
                              "train.eval_metrics=[modes]")
        if self.eval_metrics:
            parse_metric_names = registry_function("latentgan.metrics.registry", "parse_metric_names")
            try:
                parse_metric_names(self.eval_metrics)
            except LatentganError as e:
                raise ConfigError(f"train.eval_metrics: {e}") from e


@dataclass
class RunConfig:
    """A whole run: the model's config dataclass, the data and the training loop."""

    model: Any
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self) -> dict:
        """Plain nested dict (data options flattened back), as written to config.yaml."""
        data = dataclasses.asdict(self.data)
        data.update(data.pop("options"))
        return {"model": dataclasses.asdict(self.model), "data": data, "train": dataclasses.asdict(self.train)}


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", str(tp))


def _coerce(value: Any, tp: Any, key: str) -> Any:
    """Check `value` against a type hint, converting int -> float and tuple -> list where harmless."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, key)
            except ConfigError as e:
                errors.append(str(e))
        raise ConfigError(errors[0])
    if origin is Literal:
        return check_choice(value, tp, key)
    if origin is list or tp is list:
        if isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, list):
            raise ConfigError(f"{key} must be a list, got {value!r}")
        (item,) = typing.get_args(tp) or (Any,)
        return [_coerce(v, item, key) for v in value]
    if tp is Any:
        return value
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp is float and isinstance(value, str):
        # YAML 1.1 reads 1e-3 (no dot) as a string; users mean the number.
        try:
            value = float(value)
        except ValueError:
            pass
    if tp is float and isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{key} must be a finite number, got {value}")
    if tp is dict and isinstance(value, dict):
        return value
    if tp in (int, float) and isinstance(value, bool) or not isinstance(value, tp):
        raise ConfigError(f"{key} must be of type {_type_name(tp)}, got {value!r}")
    return value


def build_dataclass(cls: type, values: dict, section: str, extra: str | None = None) -> Any:
    """Make `cls` from a dict, refusing unknown keys (unless collected into the `extra` field)."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.name != extra]
    kwargs, leftovers = {}, {}
    for key, value in values.items():
        if key in names:
            kwargs[key] = _coerce(value, hints[key], f"{section}.{key}")
        elif extra is not None:
            leftovers[key] = value
        else:
            raise ConfigError(f"unknown key '{section}.{key}'; valid keys are: {', '.join(names)}")
    if extra is not None:
        kwargs[extra] = {**values.get(extra, {}), **leftovers} if isinstance(values.get(extra), dict) \
            else leftovers
        kwargs[extra].pop(extra, None)
    return cls(**kwargs)


def read_yaml(path: str | Path) -> dict:
    """Read a config file (a path, or the name of a packaged config such as 'quickstart')."""
    p = Path(path)
    if not p.exists() and (PACKAGED_CONFIGS / f"{path}.yaml").exists():
        p = PACKAGED_CONFIGS / f"{path}.yaml"
    if not p.exists():
        names = ", ".join(sorted(c.stem for c in PACKAGED_CONFIGS.glob("*.yaml")))
        raise ConfigError(f"config file '{path}' not found; give a YAML path or a packaged config: {names}")
    try:
        loaded = yaml.safe_load(p.read_text())
    except yaml.YAMLError as e:
        raise ConfigError(f"config file '{p}' is not valid YAML ({str(e).splitlines()[0]}); fix its syntax") from e
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"config file '{p}' must hold a mapping with model/data/train sections")
    return loaded


def apply_override(tree: dict, assignment: str) -> None:
    """Apply one `section.key=value` override (value parsed as YAML) to a nested dict in place."""
    if "=" not in assignment:
        raise ConfigError(f"override '{assignment}' must look like section.key=value, e.g. train.steps=500")
    dotted, raw = assignment.split("=", 1)
    parts = dotted.strip().split(".")
    if len(parts) < 2 or parts[0] not in ("model", "data", "train") or not all(parts):
        raise ConfigError(f"override key '{dotted}' must start with model., data. or train., e.g. train.steps")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as e:
        raise ConfigError(f"override '{assignment}': value is not valid YAML") from e
    node = tree
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override key '{dotted}': '{part}' is not a section")
    node[parts[-1]] = value


def config_from_dict(tree: dict) -> RunConfig:
    """Validate a nested dict into a RunConfig with the model's own config class."""
    get_model_entry = registry_function("latentgan.models.registry", "get_model_entry")
    unknown = set(tree) - {"model", "data", "train"}
    if unknown:
        raise ConfigError(f"unknown section(s) {sorted(unknown)}; a config has model, data and train")
    sections = {}
    for name in ("model", "data", "train"):
        value = tree.get(name) or {}
        if not isinstance(value, dict):
            raise ConfigError(f"section '{name}' must be a mapping of keys to values")
        sections[name] = dict(value)
    model_name = sections["model"].pop("name", "gan")
    if not isinstance(model_name, str):
        raise ConfigError(f"model.name must be the name of a model (see `latentgan models list`), got {model_name!r}")
    entry = get_model_entry(model_name)
    model = build_dataclass(entry.config_class, sections["model"], "model")
    data = build_dataclass(DataConfig, sections["data"], "data", extra="options")
    train = build_dataclass(TrainConfig, sections["train"], "train")
    for part in (model, data, train):
        part.validate()
    return RunConfig(model=model, data=data, train=train)


def checked_config(config: RunConfig) -> RunConfig:
    """A RunConfig edited in Python, checked as a file would be: types, ranges, and no misspelt attribute."""
    if not isinstance(config, RunConfig):
        raise ConfigError(f"train() takes a RunConfig (from latentgan.load_config), got {type(config).__name__}")
    for name in ("model", "data", "train"):
        part = getattr(config, name)
        fields = {f.name for f in dataclasses.fields(part)}
        unknown = sorted(set(vars(part)) - fields)
        if unknown:
            raise ConfigError(f"unknown attribute(s) {', '.join(f'{name}.{k}' for k in unknown)} set on the config; "
                              f"valid keys are: {', '.join(sorted(fields - {'options'}))}")
    return config_from_dict(config.to_dict())


def load_config(path: str | Path | None = None, overrides: list[str] | tuple = ()) -> RunConfig:
    """Build a RunConfig from an optional YAML file and `section.key=value` overrides."""
    tree = read_yaml(path) if path is not None else {}
    for assignment in overrides:
        apply_override(tree, assignment)
    return config_from_dict(tree)
