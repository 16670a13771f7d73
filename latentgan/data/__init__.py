"""Datasets held in memory as tensors, loaded by name through one validated entry point."""

from latentgan.data.base import DataError, Dataset, IndexBatcher
from latentgan.data.registry import DATASETS, DatasetSpec, dataset_info, load_dataset

__all__ = ["DATASETS", "DataError", "Dataset", "DatasetSpec", "IndexBatcher", "dataset_info", "load_dataset"]
