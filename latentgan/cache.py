"""The on-disk cache for decoded datasets, trained metric classifiers and real-data statistics."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(*parts: str) -> Path:
    """$LATENTGAN_CACHE (else ~/.cache/latentgan), joined with `parts`; not created here."""
    root = Path(os.environ.get("LATENTGAN_CACHE") or Path.home() / ".cache" / "latentgan")
    return root.joinpath(*parts)
