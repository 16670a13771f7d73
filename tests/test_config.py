import pytest

from latentgan.config import PACKAGED_CONFIGS, load_config
from latentgan.errors import ConfigError


def test_yaml_and_overrides_combine(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("model: {name: gan, loss: lsgan}\ndata: {name: ring, n_modes: 6}\ntrain: {steps: 10}\n")
    config = load_config(path, ["train.steps=20", "model.lr_d=0.001", "data.radius=3"])
    assert config.model.loss == "lsgan" and config.model.lr_d == 0.001
    assert config.train.steps == 20
    assert config.data.options == {"n_modes": 6, "radius": 3}
    assert config.to_dict()["data"]["n_modes"] == 6


def test_packaged_config_by_name():
    assert load_config("quickstart").data.name == "mnist5k"


@pytest.mark.parametrize("name", sorted(p.stem for p in PACKAGED_CONFIGS.glob("*.yaml")))
def test_every_packaged_config_loads_and_validates(name):
    assert load_config(name).train.steps >= 1


def test_alice_configs_carry_the_reconstruction_term_and_ali_configs_stay_plain_ali():
    # ALICE (Li et al. 2017) is beyond the ALI paper: the configs that reproduce ALI must not switch it on.
    names = sorted(p.stem for p in PACKAGED_CONFIGS.glob("*.yaml"))
    alice = [n for n in names if n.startswith("alice-")]
    assert "alice-fashion" in alice and "alice-mnist" in alice
    assert all(load_config(n).model.recon_weight > 0 for n in alice)
    assert all(load_config(n).model.recon_weight == 0 for n in names if n.startswith("ali-"))


@pytest.mark.parametrize("override, message", [("model.recon_weight=-1", "must be >= 0 \\(0: plain ALI\\)"),
                                               ("model.output_bias=pixel", "model.output_bias 'pixel' is unknown"),
                                               ("model.update=sometimes", "model.update 'sometimes' is unknown")])
def test_alice_fashion_refuses_bad_values_with_one_clear_message(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config("alice-fashion", [override])


@pytest.mark.parametrize("override, message", [
    ("model.lr=0.1", "unknown key 'model.lr'"),
    ("model.loss=hinge9", "model.loss 'hinge9' is unknown"),
    ("train.steps=0", "train.steps must be at least 1"),
    ("train.steps=ten", "train.steps must be of type int"),
    ("train.batch_size=true", "must be of type int"),
    ("model.name=nosuchmodel", "unknown model 'nosuchmodel'"),
    ("steps=3", "must start with model., data. or train."),
    ("train.steps", "section.key=value"),
    ("train.device=tpu", "train.device must be"),
])
def test_bad_values_name_the_problem(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(None, [override])


def test_bad_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(tmp_path / "list.yaml")


def test_int_is_accepted_for_float_keys():
    assert load_config(None, ["model.lr_g=1"]).model.lr_g == 1.0
    assert load_config(None, ["model.lr_g=1e-3"]).model.lr_g == 0.001
