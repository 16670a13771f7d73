"""A run opened for exploration: the model loaded once, its test images, cached codes and latent directions.

Every operation takes and returns plain tensors; `app.py` turns them into JSON. Model calls hold one lock,
because the web server answers requests from a thread pool and GLO's encode toggles its generator's state.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from latentgan.data import Dataset
from latentgan.data.from_config import HELDOUT
from latentgan.errors import LatentganError
from latentgan.explore.adapter import ExplorerError, ModelAdapter
from latentgan.latent import path_at

TEST_LIMIT = 1000  # test images offered (and encoded for the principal axes): enough for stable axes, fast on CPU
REFERENCE_SAMPLES = 2000  # prior codes whose principal axes sample-only models walk along
BLOCK_SIZE = 8  # the growing models add latent dimensions in blocks of 8: 1-8, 9-16, ...
TOP_AXES = 8
ENCODE_BATCH = 250


class RequestError(ValueError):
    """A request the explorer cannot answer (unknown index, wrong code length, ...); status is the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Directions:
    """Unit directions (K, d) in latent space with the codes' standard deviation along each (K,)."""

    vectors: Tensor
    stds: Tensor


@dataclass
class LatentAxes:
    """The walks a code can take: top principal axes, single coordinates and blocks of 8 coordinates."""

    source: str  # what the directions were computed from, said on the page
    count: int
    principal: Directions
    explained: Tensor  # fraction of the codes' variance along each principal axis (K,)
    coordinates: Directions
    blocks: Directions

    def get(self, kind: str) -> Directions:
        """The directions of one kind: 'principal', 'coordinate' or 'block'."""
        table = {"principal": self.principal, "coordinate": self.coordinates, "block": self.blocks}
        if kind not in table:
            raise RequestError(f"unknown walk kind '{kind}'; choose principal, coordinate or block")
        return table[kind]


class Explorer:
    """The model of one run directory, loaded once, with what the explorer's panels need from it."""

    def __init__(self, run_dir: str | Path, device: str = "cpu", test_limit: int = TEST_LIMIT):
        from latentgan.run import Run

        self.run = Run.open(run_dir)  # RunDirError, with its message, for a non-run
        self.run_dir, self.config, shape = self.run.path, self.run.config, self.run.data_shape
        if not shape.is_image:
            raise ExplorerError(f"the explorer shows images, but run '{self.run_dir}' models "
                                f"{shape.sample_shape[0]}-D points ({self.config.data.name}); use `latentgan "
                                "sample RUN --out points.png` for a scatter plot")
        self.model = self.run.model(device=device)
        self.test, self.test_note = self._load_test(test_limit)
        names = self.test.class_names if self.test is not None else None
        self.adapter = ModelAdapter(self.model, class_names=names)
        self.lock = threading.RLock()
        self._codes: dict[int, Tensor] = {}
        self._axes: LatentAxes | None = None

    def _load_test(self, limit: int) -> tuple[Dataset | None, str]:
        """The run's test split (its own split when the dataset has none), or None and why it is missing."""
        from latentgan.data.from_config import resolve_split

        split = resolve_split(self.config, HELDOUT)
        try:
            data = self.run.data(split)
        except (LatentganError, OSError) as e:
            # Samples, walks and interpolation still work without data; the page says why encoding is off.
            return None, f"the {self.config.data.name} {split} split could not be loaded: {e}"
        if len(data) > limit:
            data = dataclasses.replace(data, x=data.x[:limit], y=None if data.y is None else data.y[:limit])
        return data, f"the first {len(data)} images of the {self.config.data.name} {split} split"

    # --- images from the dataset and the model -------------------------------------------------------

    def test_count(self) -> int:
        """How many test images are offered (0 when the data could not be loaded)."""
        return 0 if self.test is None else len(self.test)

    def test_images(self, indices: list[int]) -> tuple[Tensor, Tensor | None]:
        """Test images (N, C, H, W) in the data range and their condition vectors (N, y_dim) or None."""
        self.check_indices(indices)
        x, y, _ = self.test.batch(torch.tensor(indices, dtype=torch.long))
        return x, self.condition_of_labels(y)

    def check_indices(self, indices: list[int]) -> None:
        """Refuse unknown test indices (404), or any index when the test data is missing (409)."""
        if self.test is None:
            raise RequestError(f"no test images: {self.test_note}", status=409)
        for i in indices:
            if not 0 <= i < len(self.test):
                raise RequestError(f"test image {i} does not exist; indices run from 0 to {len(self.test) - 1}",
                                   status=404)

    def condition_of_labels(self, y: Tensor | None) -> Tensor | None:
        """Dataset labels (N,) or attribute vectors (N, A) -> the model's condition vectors, None if unconditional."""
        cond = self.adapter.conditioning
        if cond is None:
            return None
        if y is None:
            raise RequestError("this model is conditional but the test data has no labels", status=409)
        if y.dim() == 1:
            return torch.nn.functional.one_hot(y.long(), cond.y_dim).float()
        return y.float()

    def samples(self, n: int, seed: int) -> tuple[Tensor, Tensor | None, Tensor]:
        """n random (codes, conditions, images), fixed by seed."""
        codes = self.adapter.random_codes(n, seed)
        y = self.adapter.random_conditions(n, seed)
        return codes, y, self.decode(codes, y)

    def decode(self, codes: Tensor, y: Tensor | None = None) -> Tensor:
        """codes (N, d) -> images (N, C, H, W) in the data range."""
        with self.lock:
            return self.adapter.decode(codes, y)

    def encode_test(self, indices: list[int]) -> Tensor:
        """Codes (N, d) of test images, each encoded once and then served from a cache."""
        self._require_encoder()
        self.check_indices(indices)
        missing = sorted({i for i in indices if i not in self._codes})
        if missing:
            x, y = self.test_images(missing)
            with self.lock:
                for start in range(0, len(missing), ENCODE_BATCH):
                    part = slice(start, start + ENCODE_BATCH)
                    codes = self.adapter.encode(x[part], None if y is None else y[part])
                    self._codes.update(zip(missing[part], codes, strict=True))
        return torch.stack([self._codes[i] for i in indices])

    def encode_images(self, x: Tensor, y: Tensor | None) -> Tensor:
        """Codes (N, d) of images given by the user (uploads)."""
        self._require_encoder()
        with self.lock:
            return self.adapter.encode(x, y)

    def _require_encoder(self) -> None:
        if not self.adapter.can_encode:
            raise RequestError(f"the {self.adapter.name} model has no encoder: it can sample, walk and "
                               "interpolate between random codes, but not encode images", status=409)

    # --- latent directions ----------------------------------------------------------------------------

    def axes(self) -> LatentAxes:
        """The latent walks' directions, computed once from reference codes (see `reference_codes`)."""
        if self._axes is None:
            source, codes = self.reference_codes()
            self._axes = latent_axes(codes, source)
        return self._axes

    def reference_codes(self) -> tuple[str, Tensor]:
        """Codes describing where the model's codes live: learned, encoded test images, or prior samples."""
        table = self.model.training_codes()
        if table is not None and table.shape[0] > 1:
            return f"the {table.shape[0]} learned codes of the training images", table.cpu()
        if self.adapter.encode_kind == "forward pass" and self.test is not None:
            n = len(self.test)
            return f"the codes of {n} encoded test images", self.encode_test(list(range(n)))
        return (f"{REFERENCE_SAMPLES} codes drawn from the model's prior",
                self.adapter.random_codes(REFERENCE_SAMPLES, seed=12345))


def latent_axes(codes: Tensor, source: str, top: int = TOP_AXES, block: int = BLOCK_SIZE) -> LatentAxes:
    """Principal axes of codes (N, d), the d coordinate axes, and each block's own first principal axis."""
    codes = codes.double()
    d = codes.shape[1]
    vectors, stds = _principal(codes)
    total = codes.var(0).sum().clamp_min(1e-12)
    k = min(top, vectors.shape[0])
    principal = Directions(vectors[:k].float(), stds[:k].float())
    explained = (stds[:k] ** 2 / total).float()
    coordinates = Directions(torch.eye(d), codes.std(0).float())
    block_vectors, block_stds = [], []
    for start in range(0, d, block):
        v, s = _principal(codes[:, start:start + block])
        full = torch.zeros(d, dtype=torch.float64)
        full[start:start + v.shape[1]] = v[0]
        block_vectors.append(full)
        block_stds.append(s[0])
    blocks = Directions(torch.stack(block_vectors).float(), torch.stack(block_stds).float())
    return LatentAxes(source, codes.shape[0], principal, explained, coordinates, blocks)


def _principal(codes: Tensor) -> tuple[Tensor, Tensor]:
    """Principal directions (K, d) of codes (N, d), sign fixed so the largest entry is positive, and their stds."""
    centred = codes - codes.mean(0)
    _, s, vh = torch.linalg.svd(centred, full_matrices=False)
    # An SVD's signs are arbitrary; fixing them keeps "slider right" meaning the same thing on every load.
    signs = torch.sign(vh.gather(1, vh.abs().argmax(1, keepdim=True)))
    return vh * signs, s / max(codes.shape[0] - 1, 1) ** 0.5


def interpolate(a: Tensor, b: Tensor, t: Tensor, mode: str = "linear") -> Tensor:
    """Codes along the path a -> b (each (d,)) at fractions t (T,): (T, d); 'spherical' (slerp) keeps the norm's arc."""
    try:
        return path_at(a, b, t, mode)
    except ValueError as e:
        raise RequestError(f"unknown interpolation mode '{mode}'; choose linear or spherical") from e
