"""Fixtures: a real store made with the real `augstore` CLI (its built-in demo dataset), fresh runs."""

import itertools
import json
import os
import subprocess

import numpy as np
import pytest

import augstore

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def engine_binary():
    binary = os.environ.get("AUGSTORE_BIN")
    if not binary:
        path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
        binary = os.path.join(path, "augstore")
    assert os.access(binary, os.X_OK), f"{binary}: build augstore first (swift build --product augstore)"
    return binary


class CLI:
    """Runs the real `augstore` executable against one store."""

    def __init__(self, binary, store):
        self.binary, self.store = binary, store

    def __call__(self, *arguments, check=True):
        result = subprocess.run([self.binary, *arguments, "--store", self.store], capture_output=True,
                                text=True)
        if check and result.returncode != 0:
            raise AssertionError(f"augstore {' '.join(arguments)} failed: {result.stderr.strip()}")
        return result

    def json(self, *arguments):
        return json.loads(self(*arguments, "--json").stdout)

    def replay_batch(self, run, epoch, index, batch_size, folder):
        self("replay", run, "--epoch", str(epoch), "--batch", str(index), "--batch-size", str(batch_size),
             "--out", str(folder))
        images = np.load(os.path.join(folder, f"batch-{index}.npy"))
        labels = np.load(os.path.join(folder, "labels.npy"))
        with open(os.path.join(folder, "samples.json")) as file:
            samples = [entry["path"] for entry in json.load(file)]
        return images, labels, samples


@pytest.fixture(scope="session")
def binary():
    path = engine_binary()
    os.environ["AUGSTORE_BIN"] = path
    return path


@pytest.fixture(scope="session")
def store_path(binary, tmp_path_factory):
    """A store with the demo dataset (shapes@v1: 3 classes × 8 pictures) and pipeline shapes-aug."""
    store = str(tmp_path_factory.mktemp("store") / "store")
    subprocess.run([binary, "demo", "--store", store], check=True, capture_output=True)
    return store


@pytest.fixture(scope="session")
def cli(binary, store_path):
    return CLI(binary, store_path)


_names = itertools.count()


@pytest.fixture
def fresh_run(cli, store_path):
    """Creates a new run over shapes@v1 (nothing recorded) and returns its augstore.Run."""

    def make(seed=None, pipeline="shapes-aug"):
        name = f"run{next(_names)}-{os.getpid()}"
        cli("run", "create", name, "--dataset", "shapes@v1", "--pipeline", pipeline, "--seed",
            str(seed if seed is not None else 100 + next(_names)))
        return augstore.open(store_path).run(name)

    return make


def tensor_hash(array):
    import hashlib
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
