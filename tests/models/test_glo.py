import pytest
import torch

from latentgan.config import load_config
from latentgan.data import IndexBatcher, load_dataset
from latentgan.errors import ConfigError
from latentgan.latent import project_codes
from latentgan.losses import mse_loss
from latentgan.models.base import DataShape
from latentgan.models.glo import GLO, GLOConfig
from latentgan.models.pca import PCAConfig, PCAModel
from latentgan.samplers import fit_gaussian, fit_gaussian_mixture


def _glo(data, **kw) -> GLO:
    torch.manual_seed(0)
    model = GLO(GLOConfig(**{"latent_dim": 16, "width": 16, **kw}), DataShape(data.sample_shape, data.value_range))
    model.initialize(data)
    return model


def _train(model: GLO, data, steps: int, batch_size: int = 64) -> None:
    batcher = IndexBatcher(len(data), batch_size, seed=0)
    for step in range(steps):
        model.training_step(data.batch(batcher.next()), step)


@pytest.fixture(scope="module")
def digits():
    return load_dataset("mnist5k", split="train", limit=256)


@pytest.fixture(scope="module")
def trained(digits):
    torch.set_num_threads(1)  # one thread trains faster than two contended ones; conftest restores the count
    model = _glo(digits, loss="l2", width=8)
    _train(model, digits, 250)
    return model.eval()


def test_glo_reconstructs_its_training_set_better_than_pca(digits, trained):
    x = digits.scale(digits.x)
    pca = PCAModel(PCAConfig(latent_dim=16), DataShape(digits.sample_shape, digits.value_range))
    pca.initialize(digits)
    with torch.no_grad():
        glo_mse = mse_loss(trained.decode(trained.codes.weight), x).item()
        pca_mse = mse_loss(pca.decode(pca.encode(x)), x).item()
    assert glo_mse < 0.5 * pca_mse, (glo_mse, pca_mse)


def test_encode_recovers_the_code_of_a_generated_image(trained):
    torch.set_num_threads(1)
    # Codes off the table (its rows moved and re-projected), so the nearest-row start is not already the answer.
    noise = torch.randn(16, 16, generator=torch.Generator().manual_seed(0))
    z = project_codes(trained.codes.weight[:16].detach() + 0.3 * noise, trained.config.projection)
    with torch.no_grad():
        x = trained.decode(z)
    z_hat = trained.encode(x)
    with torch.no_grad():
        err = mse_loss(trained.decode(z_hat), x).item()
    cosine = torch.nn.functional.cosine_similarity(z, z_hat).median().item()
    assert err < 0.01 and cosine > 0.9, (err, cosine)
    assert trained.generator.training is False and all(p.requires_grad for p in trained.generator.parameters())


def test_encode_starts_each_image_from_the_table_code_decoding_nearest_to_it(trained):
    rows = torch.tensor([5, 77, 200])
    with torch.no_grad():
        x = trained.decode(trained.codes.weight[rows])
    assert torch.equal(trained.start_codes(x), trained.codes.weight[rows].detach())


@pytest.mark.parametrize("projection", ["sphere", "ball"])
def test_codes_stay_on_the_sphere_or_in_the_ball(digits, projection):
    model = _glo(digits, projection=projection, code_init="random")
    _train(model, digits, 6)
    norms = model.codes.weight.detach().norm(dim=1)
    if projection == "sphere":
        assert torch.allclose(norms, torch.ones_like(norms), atol=1e-5)
    else:
        assert norms.max() <= 1 + 1e-5


def test_an_update_touches_only_the_batch_rows_and_keeps_no_code_optimizer_state(digits):
    model = _glo(digits)
    before = model.codes.weight.detach().clone()
    index = torch.arange(10, 30)
    model.training_step(digits.batch(index), 0)
    after = model.codes.weight.detach()
    outside = torch.ones(len(digits), dtype=torch.bool)
    outside[index] = False
    assert torch.equal(before[outside], after[outside])
    assert not torch.equal(before[index], after[index])
    assert model.codes.weight.grad is None or model.codes.weight.grad.is_sparse
    assert len(model.optimizers["codes"].state_dict()["state"]) == 0


def test_gaussian_sampler_matches_the_codes_mean_and_covariance():
    gen = torch.Generator().manual_seed(0)
    mix = torch.tensor([[1.0, 0.0, 0.0], [0.8, 0.5, 0.0], [0.1, -0.3, 0.2]])
    codes = torch.randn(4000, 3, generator=gen) @ mix + torch.tensor([0.5, -1.0, 2.0])
    z = fit_gaussian(codes).sample(20000, torch.Generator().manual_seed(1)).float()
    assert torch.allclose(z.mean(0), codes.mean(0), atol=0.03)
    assert torch.allclose(torch.cov(z.T), torch.cov(codes.T), atol=0.03)


def test_gmm_sampler_finds_two_separated_clusters():
    gen = torch.Generator().manual_seed(0)
    codes = torch.cat([torch.randn(500, 2, generator=gen) * 0.1 - 3, torch.randn(500, 2, generator=gen) * 0.1 + 3])
    z = fit_gaussian_mixture(codes, 2).sample(1000, torch.Generator().manual_seed(1))
    assert ((z[:, 0] - 3).abs() < 1).float().mean() > 0.4 and ((z[:, 0] + 3).abs() < 1).float().mean() > 0.4


def test_samples_are_images_in_range_and_leave_global_rng_alone(trained):
    state = torch.get_rng_state()
    x = trained.sample(8, torch.Generator().manual_seed(0))
    assert x.shape == (8, 1, 28, 28) and x.min() >= -1 and x.max() <= 1
    assert torch.equal(state, torch.get_rng_state())


def test_projection_formulas():
    z = torch.tensor([[3.0, 4.0], [0.3, 0.4]])
    assert torch.allclose(project_codes(z, "sphere"), torch.tensor([[0.6, 0.8], [0.6, 0.8]]))
    assert torch.allclose(project_codes(z, "ball"), torch.tensor([[0.6, 0.8], [0.3, 0.4]]))


@pytest.mark.parametrize("override", ["model.projection=cube", "model.loss=l3", "model.code_init=zeros",
                                      "model.lr_codes=0", "model.loss_weights={l2: 1, ssim: 1}",
                                      "model.sampler=flow"])
def test_bad_glo_config_is_refused(override):
    with pytest.raises(ConfigError):
        load_config(None, ["model.name=glo", "data.name=mnist5k", override])
