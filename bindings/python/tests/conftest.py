"""Shared fixtures: small generated data every test can learn from, and the tutorial's data when present."""

import os
import random
from pathlib import Path

import pytest

import charnn

REPO = Path(__file__).resolve().parents[3]
LABELS = ["Early", "Late", "Upper"]
POOLS = ["abcdefgh", "pqrstuvw", "KLMNO"]


def generated_names(count: int, seed: int = 1):
    """Three alphabets, three labels: learnable in a few epochs."""
    rng = random.Random(seed)
    names, labels = [], []
    for i in range(count):
        label = i % 3
        name = "".join(rng.choice(POOLS[label]) for _ in range(rng.randint(3, 8)))
        names.append(name[:2] + "-" + name[2:] if label == 2 else name)
        labels.append(label)
    return names, labels


@pytest.fixture
def small():
    names, labels = generated_names(300)
    with charnn.Dataset(names, labels, LABELS) as dataset:
        yield dataset


@pytest.fixture
def split(small):
    train, test = small.split(test_size=0.2, seed=2)
    yield train, test
    train.close()
    test.close()


@pytest.fixture(scope="session")
def trained():
    """A GRU that has learnt the generated names."""
    names, labels = generated_names(300)
    data = charnn.Dataset(names, labels, LABELS)
    train, _ = data.split(0.2, seed=2)
    model = charnn.Model(LABELS, kind="gru", hidden_size=16, num_layers=1, seed=2)
    model.fit(train, epochs=6, batch_size=8, lr=2e-2, progress=False)
    return model


@pytest.fixture(scope="session")
def names_dir():
    for candidate in (os.environ.get("CHARNN_DATA"), REPO / "data" / "names"):
        if candidate and (Path(candidate) / "English.txt").exists():
            return Path(candidate)
    pytest.skip("the tutorial's names data is not here (make data)")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: a fresh virtual environment and pip install (test_install.py); `-m 'not slow'` leaves it out"
    )
