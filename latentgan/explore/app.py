"""The explorer's web app: JSON endpoints over an `Explorer` and the one static page that calls them.

Every answer is JSON; images travel as PNG data URLs and codes as lists of floats (exact float32 values,
so a code sent back decodes to the same image). Bad requests answer 4xx with {"detail": message}.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import torch
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from torch import Tensor

from latentgan.explore.adapter import ExplorerError
from latentgan.explore.explorer import Explorer, RequestError, interpolate
from latentgan.explore.images import ImageRefused, data_urls, read_upload
from latentgan.explore.run_metrics import metrics_table

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SET = 64  # images per arithmetic set: a mean of more adds little and costs encodes

Condition = list[float] | int | None


class CodeIn(BaseModel):
    """A latent code (latent_dim numbers) and, for conditional models, a class index or a y_dim vector."""

    code: list[float] = Field(max_length=4096)
    y: Condition = None


class EncodeIn(BaseModel):
    """A test image by index."""

    index: int


class InterpolateIn(BaseModel):
    """Two codes, the fraction t shown large, and how many images the strip holds."""

    a: CodeIn
    b: CodeIn
    t: float = Field(0.5, ge=0.0, le=1.0)
    steps: int = Field(8, ge=2, le=32)
    mode: str = "linear"


class Offset(BaseModel):
    """Move along one direction: kind principal|coordinate|block, its index, amount in standard deviations."""

    kind: str
    index: int
    amount: float = Field(ge=-10.0, le=10.0)


class WalkIn(CodeIn):
    """A base code and the slider offsets to add to it."""

    offsets: list[Offset] = Field(default_factory=list, max_length=1024)


class WalkStripIn(CodeIn):
    """A base code and one direction to show at `steps` amounts from -span to +span standard deviations."""

    kind: str
    index: int
    span: float = Field(3.0, gt=0.0, le=10.0)
    steps: int = Field(7, ge=2, le=15)


class Ref(BaseModel):
    """An image for arithmetic: a test image by index, or a code (with its y for conditional models)."""

    index: int | None = None
    code: list[float] | None = Field(None, max_length=4096)
    y: Condition = None


class ArithmeticIn(BaseModel):
    """mean(A) - mean(B) + C, on codes (GLO's Figure 9)."""

    a: list[Ref] = Field(min_length=1, max_length=MAX_SET)
    b: list[Ref] = Field(min_length=1, max_length=MAX_SET)
    c: Ref


def create_app(run_dir: str | Path, device: str = "cpu", explorer: Explorer | None = None) -> FastAPI:
    """The FastAPI app exploring one run; the model is loaded here, once (pass `explorer` to share one)."""
    ex = explorer or Explorer(run_dir, device=device)
    app = FastAPI(title=f"latentgan explorer: {ex.run_dir.name}", docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.explorer = ex
    _add_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_page_routes(app, ex)
    _add_image_routes(app, ex)
    _add_latent_routes(app, ex)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    def answer(status: int, message: str) -> JSONResponse:
        return JSONResponse({"detail": message}, status_code=status)

    @app.exception_handler(RequestError)
    async def request_error(request: Request, e: RequestError) -> JSONResponse:
        return answer(e.status, str(e))

    @app.exception_handler(ImageRefused)
    async def image_refused(request: Request, e: ImageRefused) -> JSONResponse:
        return answer(e.status, str(e))

    @app.exception_handler(ExplorerError)
    async def explorer_error(request: Request, e: ExplorerError) -> JSONResponse:
        return answer(409, str(e))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, e: Exception) -> JSONResponse:
        # A bug, not the user's fault: the page still gets a message to show, and the server keeps serving.
        return answer(500, f"internal error: {type(e).__name__}: {e}")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        # One readable line per problem instead of pydantic's nested structure.
        parts = [f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', 'invalid')}" for err in e.errors()]
        return answer(422, "invalid request: " + "; ".join(parts))


def _add_page_routes(app: FastAPI, ex: Explorer) -> None:
    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/report.html", include_in_schema=False)
    def report() -> FileResponse:
        path = ex.run_dir / "report.html"
        if not path.is_file():
            raise RequestError(f"run '{ex.run_dir.name}' has no report.html; write one with `latentgan report`", 404)
        return FileResponse(path)

    @app.get("/api/info")
    def info() -> dict:
        """The run and what its model can do: the page shows only the panels that apply."""
        return {"run": ex.run_dir.name, "data": ex.config.data.name, **ex.adapter.describe(),
                "test_count": ex.test_count(), "test_note": ex.test_note,
                "has_report": (ex.run_dir / "report.html").is_file()}

    @app.get("/api/metrics")
    def metrics() -> dict:
        """eval.json as rows [name, value] and [name, reason skipped], and the report's link when present."""
        return metrics_table(ex.run_dir)


def _add_image_routes(app: FastAPI, ex: Explorer) -> None:
    vr = ex.adapter.value_range

    @app.get("/api/samples")
    def samples(n: Annotated[int, Query(ge=1, le=64)] = 16, seed: Annotated[int, Query(ge=0)] = 0) -> dict:
        """n samples with their codes (and conditions), fixed by seed."""
        codes, y, images = ex.samples(n, seed)
        return {"items": [_code_out(codes[i], None if y is None else y[i], url)
                          for i, url in enumerate(data_urls(images, vr))]}

    @app.get("/api/test-images")
    def test_images(offset: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=1, le=200)] = 48) -> dict:
        """A page of the run's test images with their labels."""
        total = ex.test_count()
        indices = list(range(offset, min(offset + limit, total)))
        items = []
        if indices:
            x, _ = ex.test_images(indices)
            labels = ex.test.y
            for i, url in zip(indices, data_urls(x, vr), strict=True):
                items.append({"index": i, "label": _label(ex, None if labels is None else labels[i]), "image": url})
        elif ex.test is None:
            ex.check_indices([])  # the 409 saying why there is no test data
        return {"total": total, "note": ex.test_note, "items": items}

    @app.post("/api/encode")
    def encode(body: EncodeIn) -> dict:
        """Encode a test image: its code, the original and the reconstruction, and their mean squared error."""
        x, y = ex.test_images([body.index])
        code = ex.encode_test([body.index])
        return {"index": body.index, **_reconstruction(ex, x, code, y)}

    @app.post("/api/encode-upload")
    async def encode_upload(request: Request, label: Annotated[int | None, Query()] = None) -> dict:
        """Encode an uploaded PNG/JPEG sent as the raw request body (at most 5 MB; never resized)."""
        data = await _read_capped(request, MAX_UPLOAD_BYTES)
        return await run_in_threadpool(_encode_upload, ex, data, label)

    @app.post("/api/decode")
    def decode(body: CodeIn) -> dict:
        """The image of one code."""
        z, y = _code(ex, body.code), _condition(ex, body.y)
        return _code_out(z[0], None if y is None else y[0], data_urls(ex.decode(z, y), vr)[0])

    @app.post("/api/conditional")
    def conditional(body: CodeIn) -> dict:
        """For conditional models: the code decoded with each class (or each attribute alone), z fixed."""
        cond = ex.adapter.conditioning
        if cond is None:
            raise RequestError(f"the {ex.adapter.name} model is not conditional", 409)
        z = _code(ex, body.code).expand(cond.y_dim, -1)
        images = ex.decode(z, torch.eye(cond.y_dim))
        return {"kind": cond.kind, "names": cond.names, "images": data_urls(images, vr)}


def _add_latent_routes(app: FastAPI, ex: Explorer) -> None:
    vr = ex.adapter.value_range

    @app.post("/api/interpolate")
    def interpolation(body: InterpolateIn) -> dict:
        """The image at fraction t between codes a and b, and the strip of `steps` images along the path."""
        a, b = _code(ex, body.a.code)[0], _code(ex, body.b.code)[0]
        ya, yb = _condition(ex, body.a.y), _condition(ex, body.b.y)
        fractions = torch.cat([torch.tensor([body.t]), torch.linspace(0.0, 1.0, body.steps)])
        codes = interpolate(a, b, fractions, body.mode)
        # Conditions (one-hot classes or attributes) move linearly with the code, as vectors.
        y = None if ya is None else interpolate(ya[0], yb[0], fractions, "linear")
        current = ex.decode(codes[:1], None if y is None else y[:1])  # alone, as the page's /api/decode would
        strip = ex.decode(codes[1:], None if y is None else y[1:])
        return {**_code_out(codes[0], None if y is None else y[0], data_urls(current, vr)[0]), "t": body.t,
                "strip": data_urls(strip, vr), "strip_t": fractions[1:].tolist()}

    @app.get("/api/axes")
    def axes() -> dict:
        """The walk directions: top principal axes (with explained variance), coordinates and blocks of 8."""
        with ex.lock:
            ax = ex.axes()
        d = ex.adapter.latent_dim
        return {"source": ax.source, "count": ax.count, "block_size": 8,
                "principal": {"stds": ax.principal.stds.tolist(), "explained": ax.explained.tolist(),
                              "vectors": ax.principal.vectors.tolist()},
                "coordinates": {"stds": ax.coordinates.stds.tolist()},
                "blocks": {"stds": ax.blocks.stds.tolist(),
                           "ranges": [[s + 1, min(s + 8, d)] for s in range(0, d, 8)]}}

    @app.post("/api/walk")
    def walk(body: WalkIn) -> dict:
        """The base code moved by every slider offset (amounts in standard deviations), decoded."""
        z, y = _code(ex, body.code), _condition(ex, body.y)
        with ex.lock:
            ax = ex.axes()
        for offset in body.offsets:
            z = z + offset.amount * _direction(ax.get(offset.kind), offset.index, offset.kind)
        return _code_out(z[0], None if y is None else y[0], data_urls(ex.decode(z, y), vr)[0])

    @app.post("/api/walk-strip")
    def walk_strip(body: WalkStripIn) -> dict:
        """The base code moved from -span to +span standard deviations along one direction (GLO's Figure 8)."""
        z, y = _code(ex, body.code), _condition(ex, body.y)
        with ex.lock:
            ax = ex.axes()
        amounts = torch.linspace(-body.span, body.span, body.steps)
        codes = z + amounts[:, None] * _direction(ax.get(body.kind), body.index, body.kind)
        ys = None if y is None else y.expand(body.steps, -1)
        return {"amounts": amounts.tolist(), "images": data_urls(ex.decode(codes, ys), vr)}

    @app.post("/api/arithmetic")
    def arithmetic(body: ArithmeticIn) -> dict:
        """mean(A) - mean(B) + C on codes, decoded with C's condition; also the two means' and C's images."""
        za, ya = _refs(ex, body.a)
        zb, yb = _refs(ex, body.b)
        zc, yc = _refs(ex, [body.c])
        mean_a, mean_b = za.mean(0, keepdim=True), zb.mean(0, keepdim=True)
        result = mean_a - mean_b + zc
        codes = torch.cat([mean_a, mean_b, zc, result])
        ys = None if yc is None else torch.cat([ya.mean(0, keepdim=True), yb.mean(0, keepdim=True), yc, yc])
        mean_a_url, mean_b_url, c_url, result_url = data_urls(ex.decode(codes, ys), vr)
        return {**_code_out(result[0], None if yc is None else yc[0], result_url), "mean_a": mean_a_url,
                "mean_b": mean_b_url, "c": c_url}


def _encode_upload(ex: Explorer, data: bytes, label: int | None) -> dict:
    x = read_upload(data, ex.adapter.shape, ex.adapter.value_range)
    y = None if ex.adapter.conditioning is None else _condition(ex, label, "the upload's ?label=")
    return {"index": None, **_reconstruction(ex, x, ex.encode_images(x, y), y)}


async def _read_capped(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestError(f"the upload is {int(declared) / 2**20:.1f} MB; the limit is {limit // 2**20} MB", 413)
    chunks, size = [], 0
    async for chunk in request.stream():  # counted as it arrives: a lying or absent length cannot get past
        size += len(chunk)
        if size > limit:
            raise RequestError(f"the upload exceeds the {limit // 2**20} MB limit", 413)
        chunks.append(chunk)
    if not size:
        raise RequestError("the upload is empty: send the PNG or JPEG file as the request body", 400)
    return b"".join(chunks)


def _reconstruction(ex: Explorer, x: Tensor, code: Tensor, y: Tensor | None) -> dict:
    vr = ex.adapter.value_range
    recon = ex.decode(code, y)
    original_url, recon_url = data_urls(torch.cat([x, recon]), vr)
    return {**_code_out(code[0], None if y is None else y[0], recon_url), "original": original_url,
            "reconstruction": recon_url, "mse": float((recon - x).pow(2).mean())}


def _code(ex: Explorer, code: list[float]) -> Tensor:
    """A code from JSON -> (1, d), refusing a wrong length or non-finite numbers."""
    d = ex.adapter.latent_dim
    if len(code) != d:
        raise RequestError(f"the code has {len(code)} numbers; this model's codes have {d}")
    z = torch.tensor(code, dtype=torch.float32)[None]
    if not torch.isfinite(z).all():
        raise RequestError("the code holds NaN or infinite numbers")
    return z


def _condition(ex: Explorer, y: Condition, what: str = "y") -> Tensor | None:
    """A class index or y_dim vector -> (1, y_dim); None for unconditional models (which refuse a y)."""
    cond = ex.adapter.conditioning
    if cond is None:
        if y is not None:
            raise RequestError(f"the {ex.adapter.name} model is not conditional; send no {what}")
        return None
    if y is None:
        raise RequestError(f"this model is conditional: give {what} as a class index or {cond.y_dim} numbers")
    if isinstance(y, int):
        if cond.kind != "classes" or not 0 <= y < cond.y_dim:
            raise RequestError(f"{what}={y} is not a class of this model (0 to {cond.y_dim - 1})"
                               if cond.kind == "classes" else f"this model takes {what} as {cond.y_dim} numbers")
        return torch.nn.functional.one_hot(torch.tensor([y]), cond.y_dim).float()
    if len(y) != cond.y_dim:
        raise RequestError(f"{what} has {len(y)} numbers; this model's conditions have {cond.y_dim}")
    return torch.tensor(y, dtype=torch.float32)[None]


def _refs(ex: Explorer, refs: list[Ref]) -> tuple[Tensor, Tensor | None]:
    """Codes (N, d) and conditions (N, y_dim) of arithmetic references: test indices or given codes."""
    codes, conditions = [], []
    for ref in refs:
        if (ref.index is None) == (ref.code is None):
            raise RequestError("each arithmetic entry needs exactly one of index (a test image) or code")
        if ref.index is not None:
            codes.append(ex.encode_test([ref.index]))
            y = ex.test_images([ref.index])[1]
        else:
            codes.append(_code(ex, ref.code))
            y = _condition(ex, ref.y)
        conditions.append(y)
    return torch.cat(codes), None if conditions[0] is None else torch.cat(conditions)


def _direction(directions, index: int, kind: str) -> Tensor:
    """One direction scaled by the codes' standard deviation along it: (1, d)."""
    count = directions.vectors.shape[0]
    if not 0 <= index < count:
        raise RequestError(f"{kind} direction {index} does not exist; there are {count} (0 to {count - 1})", 404)
    return (directions.vectors[index] * directions.stds[index])[None]


def _code_out(code: Tensor, y: Tensor | None, image: str) -> dict:
    return {"code": code.tolist(), "y": None if y is None else y.tolist(), "image": image}


def _label(ex: Explorer, y: Tensor | None):
    """A dataset label for display: the class name, or the attribute vector."""
    if y is None:
        return None
    if y.dim() == 0:
        names = ex.test.class_names
        return names[int(y)] if names and int(y) < len(names) else int(y)
    return y.tolist()
