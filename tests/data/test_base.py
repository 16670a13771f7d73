import pytest
import torch

from latentgan.data.base import DataError, Dataset, IndexBatcher, to_unit_range


def test_indexbatcher_resumes_same_order():
    batcher = IndexBatcher(103, 10, seed=5)
    for _ in range(13):  # into the second epoch
        batcher.next()
    state = batcher.state_dict()
    expected = [batcher.next() for _ in range(15)]
    resumed = IndexBatcher(103, 10, seed=5)
    resumed.load_state_dict(state)
    assert all(torch.equal(a, b) for a, b in zip(expected, [resumed.next() for _ in range(15)], strict=True))


def test_indexbatcher_epoch_is_permutation_and_shards_are_disjoint():
    batcher = IndexBatcher(40, 10, seed=1)
    epoch = torch.cat([batcher.next() for _ in range(4)])
    assert sorted(epoch.tolist()) == list(range(40))
    shards = [IndexBatcher(40, 5, seed=1, rank=r, world_size=2) for r in range(2)]
    a, b = (torch.cat([s.next() for _ in range(4)]) for s in shards)
    assert not set(a.tolist()) & set(b.tolist())


def test_indexbatcher_too_small():
    with pytest.raises(DataError, match="fewer than one batch"):
        IndexBatcher(5, 10)


def test_dataset_scaling_and_properties():
    ds = Dataset("t", torch.tensor([[[[0, 255]]]], dtype=torch.uint8), torch.tensor([3]))
    x, _, _ = ds.batch(torch.tensor([0]))
    assert x.flatten().tolist() == [-1.0, 1.0] and ds.is_image and ds.sample_shape == (1, 1, 2)
    assert ds.num_classes == 4
    assert to_unit_range(x, ds.value_range).flatten().tolist() == [0.0, 1.0]
