"""Recipes: the packaged config that trains a given model on a given dataset, so `--model M --data D` starts from
settings measured to learn rather than from bare defaults; and a config's data split adapted to another dataset."""

from __future__ import annotations

from latentgan.config import PACKAGED_CONFIGS, read_yaml


def recipes() -> dict[tuple[str, str], str]:
    """(model name, dataset name) -> the packaged config for that pair (the first by file name when several)."""
    found: dict[tuple[str, str], str] = {}
    for path in sorted(PACKAGED_CONFIGS.glob("*.yaml")):
        tree = read_yaml(path)
        pair = ((tree.get("model") or {}).get("name", "gan"), (tree.get("data") or {}).get("name"))
        if pair[1] is not None:
            found.setdefault(pair, path.stem)
    return found


def recipe_for(model: str, data: str) -> str | None:
    """The packaged config name for this model and dataset, or None."""
    return recipes().get((model, data))


def adapted_split(config_tree: dict, data: str) -> str | None:
    """When a config meant for another dataset names a split that `data` lacks, the split to use instead (train)."""
    from latentgan.data.registry import get_spec

    section = config_tree.get("data") or {}
    split = section.get("split")
    if section.get("name") in (None, data) or split is None:
        return None
    try:
        splits = get_spec(data).splits
    except Exception:  # an unknown dataset: loading it names the valid ones
        return None
    return None if split in splits else "train"
