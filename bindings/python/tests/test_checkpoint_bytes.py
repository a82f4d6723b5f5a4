"""Checkpoints are byte for byte those of 0.4.0 plus the integrity fields: the SHA-256 of a fresh
model's checkpoint, for every kind and option that changes which tensors a checkpoint holds, was
recorded with 0.4.0's library. Refactoring how the library names and shapes its parameters must
not change a byte.

Issue 18 added CRC-32C checksums to the metadata (`integrity`, `data_crc32c`, `header_crc32c`),
which changes every checkpoint's bytes: the second digest of each case was regenerated then. The
file with those three fields removed (and the header re-padded) is still 0.4.0's, byte for byte,
which the first digest checks."""

import hashlib
import json
import struct

import pytest

import charnn

LABELS = ["Early", "Late", "Upper"]

INTEGRITY_KEYS = ("integrity", "data_crc32c", "header_crc32c")

# name: (Model arguments, SHA-256 of Model(LABELS, **arguments).to_bytes() as 0.4.0 wrote it,
#        SHA-256 of the same with the integrity fields, as written since issue 18)
CASES = {
    "elman": (
        dict(kind="elman", hidden_size=16, seed=3),
        "50323e6a912410a56ae1944045e8c5efe456e3dc70d2ea0f5912135e9bbf3d26",
        "23ab61630343f48f2d7bdd50949f6946622e5c6a0ef11a18a91e82f17e83bc1c",
    ),
    "elman-zeros": (
        dict(kind="elman", hidden_size=8, hidden_init="zeros", seed=4),
        "925cfeab1030eb52d83daa8e198a5c32519740463c81a8c614ec0d441201e446",
        "3c35cda06b6d94781e7fd5d4742372e2a2bf038ccaa58e9fd0c80dfe1311e639",
    ),
    "gru": (
        dict(kind="gru", hidden_size=16, seed=5),
        "3950ab6926f8c4cf17ebfa4d511d2ea0e3373605b1670fe345f8e350eefd19cc",
        "89b635c2cfed72ac5447591a7df785c5b64b44ec6f2416cd96801a57cc70cf1d",
    ),
    "gru-1layer": (
        dict(kind="gru", hidden_size=12, num_layers=1, seed=6),
        "de4eda541559681ef82b3fe38653b61554fccdfbbeddc95c259f3e31e3701284",
        "ce65f318bb9fef853cd3d533c69fe482ec9e356de14f0cc607ec8a06e2340c85",
    ),
    "lstm": (
        dict(kind="lstm", hidden_size=16, seed=7),
        "3d234d3893697dcb764753d9bdf8a3d3d10ca282d67a6ec75e310a50e80b96ad",
        "53339d53bbe862e3f8b0e23a4d2837dbb36716f9de48ebce2ee0bd1d0d94c3dc",
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
        "323f4d30e1b812ec94042308fb48ff8b32399cb487330293ca49e38ed8582e1f",
    ),
    "lstm-bidirectional": (
        dict(kind="lstm", hidden_size=8, num_layers=3, bidirectional=True, pooling="mean", seed=9),
        "13199405dfc4680a9e04c246254e713b48352652bd7d24f3b969e65ba12b93cd",
        "7c4422dc1a36875e847682e467853154ea866556ef6407c9e9ec1de978862bac",
    ),
    "ngrams-only": (
        dict(kind="gru", hidden_size=0, ngrams=32, ngram_dim=3, seed=10),
        "6af014fae07eecfe3a0b37dfca6613575799063eddad324b1990c094d150efc1",
        "1cd5013ea2884019ee54382242e3e60ff29f701ffabe53246a9dd01b911aa003",
    ),
    "gru-explicit-alphabet": (
        dict(kind="gru", hidden_size=8, alphabet="explicit", symbols="abcxyz", seed=11),
        "964eb6f7da9ce2a6fd36d6a17ee6244ef0d710b02346408fb4f6ed1981a49e1d",
        "a7f375aa6aafba7926d7c260ee0dbc5aa145486818e25ce1d5c46f8a7ebdc9a0",
    ),
}


def without_integrity(data):
    """The checkpoint as 0.4.0 wrote it: the integrity fields dropped, the header re-padded."""
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    metadata = header["__metadata__"]
    assert metadata["integrity"] == "crc32c"
    for key in INTEGRITY_KEYS:
        del metadata[key]
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data[8 + size :]


@pytest.mark.parametrize("case", sorted(CASES))
def test_fresh_checkpoint_bytes_are_those_of_0_4_0(case):
    arguments, digest_0_4_0, digest = CASES[case]
    with charnn.Model(LABELS, **arguments) as model:
        data = model.to_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
        assert hashlib.sha256(without_integrity(data)).hexdigest() == digest_0_4_0
        with charnn.Model.from_bytes(data) as again:
            assert again.to_bytes() == data
