"""The explorer's JSON endpoints over tiny trained runs, including the requests they must refuse."""

import io
import json
import shutil

import numpy as np
import pytest
import torch
from PIL import Image

pytest.importorskip("fastapi", reason="the explorer needs the explore extra: pip install latentgan[explore]")
from fastapi.testclient import TestClient  # noqa: E402

from latentgan.errors import RunDirError  # noqa: E402
from latentgan.explore.adapter import ExplorerError  # noqa: E402
from latentgan.explore.app import MAX_UPLOAD_BYTES, create_app  # noqa: E402
from latentgan.explore.explorer import Explorer  # noqa: E402
from latentgan.explore.images import pixels_of_data_url, to_uint8  # noqa: E402

VR = (-1.0, 1.0)


def expected(images: torch.Tensor) -> np.ndarray:
    """The pixels the explorer must show for images (N, C, H, W) in the data range."""
    return to_uint8(images, VR)


def png(array: np.ndarray, fmt: str = "PNG", mode: str | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format=fmt)
    return buffer.getvalue()


def test_info_describes_the_run_and_what_its_model_can_do(ali_client):
    info = ali_client.get("/api/info").json()
    assert info["model"] == "ali" and info["data"] == "mnist5k" and info["latent_dim"] == 16
    assert info["image_shape"] == [1, 28, 28] and info["can_encode"] and info["encode_kind"] == "forward pass"
    assert info["conditional"] is None and info["test_count"] == 1000 and not info["has_report"]


def test_page_and_its_assets_are_served_locally(ali_client):
    page = ali_client.get("/")
    assert page.status_code == 200 and 'src="/static/app.js"' in page.text
    for asset in ("/static/app.js", "/static/style.css"):
        assert ali_client.get(asset).status_code == 200
    # nothing is fetched from elsewhere: every src/href on the page is local
    assert "http://" not in page.text and "https://" not in page.text
    assert ali_client.get("/static/nope.js").status_code == 404


def test_samples_are_fixed_by_seed_and_show_their_codes(ali_client, ali_explorer):
    first = ali_client.get("/api/samples", params={"n": 4, "seed": 3}).json()["items"]
    again = ali_client.get("/api/samples", params={"n": 4, "seed": 3}).json()["items"]
    other = ali_client.get("/api/samples", params={"n": 4, "seed": 4}).json()["items"]
    assert len(first) == 4 and first == again and first[0]["code"] != other[0]["code"]
    codes = torch.tensor([item["code"] for item in first])
    shown = np.stack([pixels_of_data_url(item["image"]) for item in first])
    assert shown.shape == (4, 28, 28, 1)
    assert shown.astype(int).std(axis=0).mean() > 2, "the tiny model decodes every code alike: tests would be void"
    np.testing.assert_array_equal(shown, expected(ali_explorer.model.decode(codes)))
    for n in (0, 65):
        response = ali_client.get("/api/samples", params={"n": n})
        assert response.status_code == 422 and "n" in response.json()["detail"]


def test_test_images_are_the_datasets_pixels_with_labels(ali_client, ali_explorer):
    page = ali_client.get("/api/test-images", params={"offset": 10, "limit": 3}).json()
    assert page["total"] == 1000 and [item["index"] for item in page["items"]] == [10, 11, 12]
    test = ali_explorer.test
    for item in page["items"]:
        assert item["label"] == test.class_names[int(test.y[item["index"]])]
        np.testing.assert_array_equal(pixels_of_data_url(item["image"])[..., 0], test.x[item["index"], 0].numpy())
    assert ali_client.get("/api/test-images", params={"offset": 5000}).json()["items"] == []
    assert ali_client.get("/api/test-images", params={"limit": 500}).status_code == 422


def test_encode_a_test_image_gives_its_code_and_reconstruction(ali_client, ali_explorer):
    data = ali_client.post("/api/encode", json={"index": 7}).json()
    x = ali_explorer.test.batch(torch.tensor([7]))[0]
    model = ali_explorer.model
    code = torch.tensor([data["code"]])
    torch.testing.assert_close(code, model.encode(x), rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        recon = model.decode(code)
    np.testing.assert_array_equal(pixels_of_data_url(data["reconstruction"]), expected(recon)[0])
    np.testing.assert_array_equal(pixels_of_data_url(data["original"]), expected(x)[0])
    assert data["image"] == data["reconstruction"] and data["mse"] == pytest.approx(float((recon - x).pow(2).mean()))


@pytest.mark.parametrize("body, status, message", [
    ({"index": 1000}, 404, "test image 1000 does not exist"),
    ({"index": -1}, 404, "does not exist"),
    ({}, 422, "index"),
    ({"index": "seven"}, 422, "index"),
])
def test_encode_refuses_unknown_or_malformed_indices(ali_client, body, status, message):
    response = ali_client.post("/api/encode", json=body)
    assert response.status_code == status and message in response.json()["detail"]


def test_malformed_json_is_a_422_with_a_message(ali_client):
    response = ali_client.post("/api/decode", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and "JSON" in response.json()["detail"]


def test_an_uploaded_png_encodes_like_the_same_test_image(ali_client, ali_explorer):
    pixels = ali_explorer.test.x[5, 0].numpy()
    data = ali_client.post("/api/encode-upload", content=png(pixels), headers={"Content-Type": "image/png"}).json()
    from_index = ali_client.post("/api/encode", json={"index": 5}).json()
    np.testing.assert_array_equal(pixels_of_data_url(data["original"])[..., 0], pixels)
    np.testing.assert_allclose(data["code"], from_index["code"], rtol=1e-5, atol=1e-6)
    jpeg = ali_client.post("/api/encode-upload", content=png(pixels, "JPEG"))
    assert jpeg.status_code == 200 and len(jpeg.json()["code"]) == 16


@pytest.mark.parametrize("make, status, message", [
    (lambda: b"this is a text file, not an image", 415, "not a readable PNG or JPEG"),
    (lambda: png(np.zeros((28, 28), np.uint8), "GIF"), 415, "only PNG or JPEG"),
    (lambda: png(np.zeros((28, 28, 3), np.uint8)), 400, "grayscale (1 channel)"),
    (lambda: png(np.zeros((28, 28, 4), np.uint8)), 400, "Pillow mode RGBA"),
    (lambda: png(np.zeros((32, 28), np.uint8)), 400, "28x28 px"),
    (lambda: png(np.random.default_rng(0).integers(0, 256, (28, 28), np.uint8))[:300], 415, "not a readable"),
    (lambda: b"", 400, "empty"),
    (lambda: b"\x89PNG" + b"\0" * MAX_UPLOAD_BYTES, 413, "limit is 5 MB"),
])
def test_uploads_that_are_not_the_models_kind_of_image_are_refused(ali_client, make, status, message):
    response = ali_client.post("/api/encode-upload", content=make(), headers={"Content-Type": "image/png"})
    assert response.status_code == status and message in response.json()["detail"]


def test_an_oversized_upload_without_a_length_is_stopped_while_it_streams(ali_client):
    def chunks():  # a generator body goes out chunked, with no Content-Length to check up front
        for _ in range(6):
            yield b"\0" * 2**20
    response = ali_client.post("/api/encode-upload", content=chunks())
    assert response.status_code == 413 and "exceeds the 5 MB limit" in response.json()["detail"]


def test_decode_shows_the_image_of_any_code_and_refuses_wrong_shapes(ali_client, ali_explorer):
    code = torch.linspace(-1, 1, 16)
    data = ali_client.post("/api/decode", json={"code": code.tolist()}).json()
    np.testing.assert_array_equal(pixels_of_data_url(data["image"]), expected(ali_explorer.model.decode(code[None]))[0])
    huge = '{"code": [1e999' + ", 0" * 15 + "]}"  # valid JSON that overflows to infinity
    for body, message in [(json.dumps({"code": [0.0] * 15}), "has 15 numbers; this model's codes have 16"),
                          (huge, "NaN or infinite"), (huge.replace("1e999", "NaN"), "NaN or infinite"),
                          (json.dumps({"code": [0.0] * 16, "y": 3}), "not conditional")]:
        response = ali_client.post("/api/decode", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400 and message in response.json()["detail"], response.json()
    assert ali_client.post("/api/decode", json={"code": "zeros"}).status_code == 422
    assert ali_client.post("/api/decode", json={"code": [[0.0] * 16]}).status_code == 422


def test_interpolation_shows_the_decoded_code_at_t_and_the_whole_strip(ali_client, ali_explorer):
    a, b = torch.randn(16, generator=torch.Generator().manual_seed(1)), torch.zeros(16)
    data = ali_client.post("/api/interpolate", json={"a": {"code": a.tolist()}, "b": {"code": b.tolist()},
                                                     "t": 0.3, "steps": 5}).json()
    decode = ali_explorer.model.decode
    z = (1 - torch.tensor(0.3)) * a + torch.tensor(0.3) * b
    torch.testing.assert_close(torch.tensor(data["code"]), z)
    np.testing.assert_array_equal(pixels_of_data_url(data["image"]), expected(decode(z[None]))[0])
    assert data["strip_t"] == pytest.approx([0, 0.25, 0.5, 0.75, 1]) and len(data["strip"]) == 5
    ends = np.stack([pixels_of_data_url(data["strip"][i]) for i in (0, 4)]).astype(int)
    # a batch of 5 may round differently from a batch of 2 in the last bit, hence a tolerance of one level
    assert np.abs(ends - expected(decode(torch.stack([a, b])))).max() <= 1


def test_spherical_interpolation_keeps_the_norm_of_equal_norm_codes(ali_client):
    a, b = torch.zeros(16), torch.zeros(16)
    a[0], b[1] = 2.0, 2.0
    data = ali_client.post("/api/interpolate", json={"a": {"code": a.tolist()}, "b": {"code": b.tolist()},
                                                     "t": 0.5, "mode": "spherical"}).json()
    assert torch.tensor(data["code"]).norm() == pytest.approx(2.0)


@pytest.mark.parametrize("change, status", [({"t": 1.5}, 422), ({"steps": 1}, 422), ({"steps": 33}, 422),
                                            ({"mode": "cubic"}, 400), ({"b": {"code": [0.0] * 3}}, 400)])
def test_interpolation_refuses_bad_parameters(ali_client, change, status):
    body = {"a": {"code": [0.0] * 16}, "b": {"code": [1.0] * 16}, **change}
    assert ali_client.post("/api/interpolate", json=body).status_code == status


def test_axes_come_from_encoded_test_codes_and_are_orthonormal(ali_client):
    axes = ali_client.get("/api/axes").json()
    assert axes["source"] == "the codes of 1000 encoded test images" and axes["count"] == 1000
    vectors = torch.tensor(axes["principal"]["vectors"])
    assert vectors.shape == (8, 16)
    torch.testing.assert_close(vectors @ vectors.T, torch.eye(8), atol=1e-5, rtol=0)
    stds = axes["principal"]["stds"]
    assert stds == sorted(stds, reverse=True) and 0 < sum(axes["principal"]["explained"]) <= 1 + 1e-6
    assert axes["blocks"]["ranges"] == [[1, 8], [9, 16]] and len(axes["coordinates"]["stds"]) == 16


def test_walk_adds_each_slider_offset_in_standard_deviations(ali_client, ali_explorer):
    axes = ali_client.get("/api/axes").json()
    base = torch.full((16,), 0.1)
    offsets = [{"kind": "principal", "index": 1, "amount": 2.0}, {"kind": "coordinate", "index": 3, "amount": -1.5}]
    data = ali_client.post("/api/walk", json={"code": base.tolist(), "offsets": offsets}).json()
    want = base + 2.0 * axes["principal"]["stds"][1] * torch.tensor(axes["principal"]["vectors"][1])
    want[3] -= 1.5 * axes["coordinates"]["stds"][3]
    torch.testing.assert_close(torch.tensor(data["code"]), want)
    np.testing.assert_array_equal(pixels_of_data_url(data["image"]), expected(ali_explorer.model.decode(
        torch.tensor([data["code"]])))[0])
    block = ali_client.post("/api/walk", json={"code": base.tolist(),
                                               "offsets": [{"kind": "block", "index": 1, "amount": 3.0}]}).json()
    moved = (torch.tensor(block["code"]) - base).abs() > 0
    assert not moved[:8].any() and moved[8:].any()  # block 2 (dims 9-16) moves only its own coordinates


@pytest.mark.parametrize("offset, status, message", [
    ({"kind": "sideways", "index": 0, "amount": 1}, 400, "unknown walk kind"),
    ({"kind": "principal", "index": 8, "amount": 1}, 404, "principal direction 8 does not exist"),
    ({"kind": "block", "index": 2, "amount": 1}, 404, "block direction 2"),
    ({"kind": "coordinate", "index": 0, "amount": 11}, 422, "amount"),
])
def test_walk_refuses_unknown_directions_and_huge_amounts(ali_client, offset, status, message):
    response = ali_client.post("/api/walk", json={"code": [0.0] * 16, "offsets": [offset]})
    assert response.status_code == status and message in response.json()["detail"]


def test_walk_strip_is_centred_on_the_base_code(ali_client, ali_explorer):
    base = torch.full((16,), -0.2)
    data = ali_client.post("/api/walk-strip", json={"code": base.tolist(), "kind": "principal", "index": 0,
                                                    "span": 2, "steps": 5}).json()
    assert data["amounts"] == pytest.approx([-2, -1, 0, 1, 2]) and len(data["images"]) == 5
    middle = pixels_of_data_url(data["images"][2]).astype(int)
    assert np.abs(middle - expected(ali_explorer.model.decode(base[None]))[0]).max() <= 1


def test_arithmetic_decodes_mean_a_minus_mean_b_plus_c(ali_client, ali_explorer):
    a1, a2, b1, c = (torch.full((16,), v) for v in (1.0, 3.0, 0.5, -1.0))
    body = {"a": [{"code": a1.tolist()}, {"code": a2.tolist()}], "b": [{"code": b1.tolist()}], "c": {"index": 4}}
    data = ali_client.post("/api/arithmetic", json=body).json()
    c = torch.tensor(ali_client.post("/api/encode", json={"index": 4}).json()["code"])
    torch.testing.assert_close(torch.tensor(data["code"]), (a1 + a2) / 2 - b1 + c)
    assert {"mean_a", "mean_b", "c", "image"} <= set(data)
    for body, status in [({"a": [], "b": [{"index": 1}], "c": {"index": 2}}, 422),
                         ({"a": [{"index": 1, "code": [0.0] * 16}], "b": [{"index": 1}], "c": {"index": 2}}, 400),
                         ({"a": [{"index": 1}], "b": [{"index": 99999}], "c": {"index": 2}}, 404),
                         ({"a": [{"index": 1}], "b": [{"index": 2}], "c": {}}, 400)]:
        assert ali_client.post("/api/arithmetic", json=body).status_code == status, body


def test_unconditional_models_refuse_the_conditional_panel(ali_client):
    response = ali_client.post("/api/conditional", json={"code": [0.0] * 16})
    assert response.status_code == 409 and "not conditional" in response.json()["detail"]


def test_unknown_routes_and_methods_answer_4xx(ali_client):
    assert ali_client.get("/api/nope").status_code == 404
    assert ali_client.get("/api/decode").status_code == 405
    assert ali_client.get("/api/info").status_code == 200  # and the app still answers after all of the above


def test_a_sample_only_gan_samples_walks_and_interpolates_but_does_not_encode(gan_run):
    client = TestClient(create_app(gan_run))
    info = client.get("/api/info").json()
    assert not info["can_encode"] and info["encode_kind"] is None and info["latent_dim"] == 12
    items = client.get("/api/samples", params={"n": 2}).json()["items"]
    assert items[0]["image"] != items[1]["image"]
    axes = client.get("/api/axes").json()
    assert axes["source"] == "2000 codes drawn from the model's prior"
    assert axes["blocks"]["ranges"] == [[1, 8], [9, 12]]
    walk = client.post("/api/walk", json={"code": items[0]["code"],
                                          "offsets": [{"kind": "principal", "index": 0, "amount": 1}]})
    between = client.post("/api/interpolate", json={"a": {"code": items[0]["code"]}, "b": {"code": items[1]["code"]}})
    assert walk.status_code == 200 and between.status_code == 200 and len(between.json()["strip"]) == 8
    for response in (client.post("/api/encode", json={"index": 0}),
                     client.post("/api/encode-upload", content=png(np.zeros((28, 28), np.uint8))),
                     client.post("/api/arithmetic", json={"a": [{"index": 0}], "b": [{"index": 1}],
                                                          "c": {"index": 2}})):
        assert response.status_code == 409 and "no encoder" in response.json()["detail"]


def test_conditional_ali_decodes_each_class_with_z_fixed(conditional_run):
    explorer = Explorer(conditional_run)
    client = TestClient(create_app(conditional_run, explorer=explorer))
    info = client.get("/api/info").json()
    assert info["conditional"] == {"y_dim": 10, "kind": "classes", "names": [str(d) for d in range(10)]}
    item = client.get("/api/samples", params={"n": 1}).json()["items"][0]
    assert sorted(item["y"]) == [0.0] * 9 + [1.0]  # samples carry their one-hot class
    z = torch.tensor([item["code"]])
    data = client.post("/api/conditional", json={"code": item["code"]}).json()
    assert data["kind"] == "classes" and len(data["images"]) == 10
    y3 = torch.nn.functional.one_hot(torch.tensor([3]), 10).float()
    want = expected(explorer.model.decode(z, y3))[0]
    np.testing.assert_array_equal(pixels_of_data_url(client.post("/api/decode", json={"code": item["code"], "y": 3})
                                                     .json()["image"]), want)
    assert np.abs(pixels_of_data_url(data["images"][3]).astype(int) - want).max() <= 1
    encoded = client.post("/api/encode", json={"index": 0}).json()
    assert encoded["y"] == torch.nn.functional.one_hot(explorer.test.y[0], 10).float().tolist()
    upload = png(explorer.test.x[0, 0].numpy())
    assert client.post("/api/encode-upload", params={"label": 0}, content=upload).status_code == 200
    code = item["code"]
    for response, message in [(client.post("/api/decode", json={"code": code}), "this model is conditional"),
                              (client.post("/api/decode", json={"code": code, "y": 10}), "not a class"),
                              (client.post("/api/decode", json={"code": code, "y": [1.0] * 3}), "has 3 numbers"),
                              (client.post("/api/encode-upload", content=upload), "?label=")]:
        assert response.status_code == 400 and message in response.json()["detail"]


def test_glo_encodes_by_optimisation_and_walks_its_learned_codes(glo_run):
    client = TestClient(create_app(glo_run))
    assert client.get("/api/info").json()["encode_kind"] == "optimisation"
    data = client.post("/api/encode", json={"index": 2}).json()
    assert len(data["code"]) == 8 and torch.tensor(data["code"]).norm() <= 1.0 + 1e-5  # the ball, GLO's default
    assert client.get("/api/axes").json()["source"] == "the 4000 learned codes of the training images"


def test_metrics_table_and_report_link_when_the_run_has_them(ali_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(ali_run, run)
    explorer = Explorer(run)
    client = TestClient(create_app(run, explorer=explorer))
    empty = client.get("/api/metrics").json()
    assert empty["rows"] == [] and "latentgan eval" in empty["note"] and empty["report"] is None
    assert client.get("/report.html").status_code == 404
    (run / "eval.json").write_text(json.dumps({"metrics": {"fid_classifier-mnist5k@500": 12.345678, "n": 3,
                                                           "probe": {"mean": 0.5, "std": 0.01}},
                                               "skipped": {"modes@2500": "needs point data"}}))
    (run / "report.html").write_text("<html><body>the report</body></html>")
    data = client.get("/api/metrics").json()
    assert data["rows"] == [["fid_classifier-mnist5k@500", "12.35"], ["n", "3"], ["probe", "0.5 ± 0.01"]]
    assert data["skipped"] == [["modes@2500", "needs point data"]] and data["report"] == "/report.html"
    assert "the report" in client.get("/report.html").text
    (run / "eval.json").write_text("{broken")
    assert "could not be read" in client.get("/api/metrics").json()["note"]
    (run / "eval.json").write_text('{"metrics": [1, 2], "skipped": "none"}')  # hand-edited into another shape
    assert client.get("/api/metrics").json()["rows"] == []


def test_a_missing_run_or_point_data_is_refused_before_serving(tmp_path, ali_run):
    with pytest.raises(RunDirError, match="does not exist"):
        create_app(tmp_path / "missing")
    with pytest.raises(RunDirError, match="not a latentgan run directory"):
        create_app(tmp_path)
    from latentgan.api import train
    from latentgan.config import load_config

    ring = train(load_config(None, ["model.name=gan", "model.latent_dim=2", "model.hidden=[8]", "data.name=ring",
                                    "data.n_points=200", "train.steps=2", "train.batch_size=16", "train.progress=false",
                                    "train.device=cpu", f"train.out={tmp_path / 'ring'}"]), log=lambda m: None)
    with pytest.raises(ExplorerError, match="explorer shows images.*2-D points"):
        create_app(ring)


def test_a_run_whose_data_is_gone_still_samples_and_says_why_encoding_is_off(ali_run, tmp_path):
    import yaml

    run = tmp_path / "moved"
    shutil.copytree(ali_run, run)
    config = yaml.safe_load((run / "config.yaml").read_text())
    config["data"]["root"] = str(tmp_path / "no-such-folder")  # as on a machine without the dataset
    (run / "config.yaml").write_text(yaml.safe_dump(config))
    client = TestClient(create_app(run))
    info = client.get("/api/info").json()
    assert info["test_count"] == 0 and "could not be loaded" in info["test_note"]
    assert client.get("/api/samples", params={"n": 2}).status_code == 200
    for response in (client.get("/api/test-images"), client.post("/api/encode", json={"index": 0})):
        assert response.status_code == 409 and "no test images" in response.json()["detail"]
    assert client.get("/api/axes").json()["source"] == "2000 codes drawn from the model's prior"
