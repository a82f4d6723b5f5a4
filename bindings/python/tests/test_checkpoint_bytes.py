"""Checkpoints are byte for byte those of 0.4.0: the SHA-256 of a fresh model's checkpoint, for
every kind and option that changes which tensors a checkpoint holds, was recorded with 0.4.0's
library. Refactoring how the library names and shapes its parameters must not change a byte."""

import hashlib

import pytest

import charnn

LABELS = ["Early", "Late", "Upper"]

# name: (Model arguments, SHA-256 of Model(LABELS, **arguments).to_bytes() as 0.4.0 wrote it)
CASES = {
    "elman": (
        dict(kind="elman", hidden_size=16, seed=3),
        "50323e6a912410a56ae1944045e8c5efe456e3dc70d2ea0f5912135e9bbf3d26",
    ),
    "elman-zeros": (
        dict(kind="elman", hidden_size=8, hidden_init="zeros", seed=4),
        "925cfeab1030eb52d83daa8e198a5c32519740463c81a8c614ec0d441201e446",
    ),
    "gru": (
        dict(kind="gru", hidden_size=16, seed=5),
        "3950ab6926f8c4cf17ebfa4d511d2ea0e3373605b1670fe345f8e350eefd19cc",
    ),
    "gru-1layer": (
        dict(kind="gru", hidden_size=12, num_layers=1, seed=6),
        "de4eda541559681ef82b3fe38653b61554fccdfbbeddc95c259f3e31e3701284",
    ),
    "lstm": (
        dict(kind="lstm", hidden_size=16, seed=7),
        "3d234d3893697dcb764753d9bdf8a3d3d10ca282d67a6ec75e310a50e80b96ad",
    ),
    "gru-options": (
        dict(
            kind="gru",
            hidden_size=8,
            num_layers=2,
            embedding_size=5,
            bidirectional=True,
            pooling="max",
            dropout=0.25,
            ngrams=64,
            ngram_dim=4,
            ngram_min=2,
            ngram_max=4,
            seed=8,
        ),
        "39b8d0fc3dc76e0c66bab5820390b4eb6c7dc6f124b2e3acebf6e27399139853",
    ),
    "lstm-bidirectional": (
        dict(kind="lstm", hidden_size=8, num_layers=3, bidirectional=True, pooling="mean", seed=9),
        "13199405dfc4680a9e04c246254e713b48352652bd7d24f3b969e65ba12b93cd",
    ),
    "ngrams-only": (
        dict(kind="gru", hidden_size=0, ngrams=32, ngram_dim=3, seed=10),
        "6af014fae07eecfe3a0b37dfca6613575799063eddad324b1990c094d150efc1",
    ),
    "gru-explicit-alphabet": (
        dict(kind="gru", hidden_size=8, alphabet="explicit", symbols="abcxyz", seed=11),
        "964eb6f7da9ce2a6fd36d6a17ee6244ef0d710b02346408fb4f6ed1981a49e1d",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fresh_checkpoint_bytes_are_those_of_0_4_0(case):
    arguments, digest = CASES[case]
    with charnn.Model(LABELS, **arguments) as model:
        data = model.to_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
        with charnn.Model.from_bytes(data) as again:
            assert again.to_bytes() == data
