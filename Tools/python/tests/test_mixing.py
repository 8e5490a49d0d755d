"""MixUp and CutMix: augstore's mixed tensors equal Keras' own `transform_images` given the recorded
partners and weights, and the loader delivers mixed one-hot labels."""

import json
import os

import numpy as np
import pytest

import augstore

keras = pytest.importorskip("keras")

PREFIX = [{"type": "RandomFlip", "mode": "horizontal"}, {"type": "RandomCrop", "height": 28, "width": 28}]
BATCH = 8


def add_pipeline(cli, tmp_path, name, transforms):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"transforms": transforms}))
    cli("pipeline", "add", name, "--spec", str(path))


def replay_all(cli, run, epoch, folder):
    cli("record", run, "--epochs", str(epoch))
    cli("replay", run, "--epoch", str(epoch), "--all", "--out", str(folder))
    with open(folder / "samples.json") as file:
        entries = json.load(file)
    return {entry["index"]: np.load(folder / entry["file"]) for entry in entries}


def mix_records(cli, run, epoch):
    rows = cli.json("sql", "SELECT sample, position, params_json FROM augmentation_params "
                    f"WHERE run = '{run}' AND epoch = {epoch} AND transform_index = 2 ORDER BY position")["rows"]
    return [(row["sample"], row["position"], json.loads(row["params_json"])) for row in rows]


@pytest.mark.parametrize("layer", ["MixUp", "CutMix"])
def test_mixed_tensors_equal_keras_transform_images(cli, tmp_path, layer):
    suffix = f"{layer.lower()}-{os.getpid()}"
    add_pipeline(cli, tmp_path, f"prefix-{suffix}", PREFIX)
    spec = {"type": "MixUp", "alpha": 0.4} if layer == "MixUp" else {"type": "CutMix", "factor": 0.8}
    add_pipeline(cli, tmp_path, f"mixed-{suffix}", PREFIX + [spec])
    # Same seed: the per-sample draws of the first two transforms are the same in both runs.
    cli("run", "create", f"plain-{suffix}", "--dataset", "shapes@v1", "--pipeline", f"prefix-{suffix}",
        "--seed", "21")
    cli("run", "create", f"mixed-{suffix}", "--dataset", "shapes@v1", "--pipeline", f"mixed-{suffix}",
        "--seed", "21", "--batch-size", str(BATCH))
    plain = replay_all(cli, f"plain-{suffix}", 0, tmp_path / "plain")
    mixed = replay_all(cli, f"mixed-{suffix}", 0, tmp_path / "mixed")
    records = mix_records(cli, f"mixed-{suffix}", 0)
    assert len(records) == len(plain) == 24
    keras_layer = keras.layers.MixUp(alpha=0.4) if layer == "MixUp" else keras.layers.CutMix(factor=0.8)
    compared = 0
    for start in range(0, len(records), BATCH):
        batch = records[start:start + BATCH]
        slot = {sample: index for index, (sample, _, _) in enumerate(batch)}
        images = np.stack([plain[sample] for sample, _, _ in batch]).astype(np.float32)
        permutation = np.array([slot[params["partner"]] for _, _, params in batch])
        if layer == "MixUp":
            weights = np.array([params["mix_weight"] for _, _, params in batch], dtype=np.float32)
            transformation = {"mix_weight": keras.ops.convert_to_tensor(weights),
                              "permutation_order": keras.ops.convert_to_tensor(permutation)}
        else:
            masks = np.zeros(images.shape, dtype=bool)
            for index, (_, _, params) in enumerate(batch):
                masks[index, params["y"]:params["y"] + params["height"], params["x"]:params["x"] + params["width"]] = True
            transformation = {"permutation_order": keras.ops.convert_to_tensor(permutation),
                              "batch_masks": keras.ops.convert_to_tensor(masks)}
        theirs = keras.ops.convert_to_numpy(
            keras_layer.transform_images(keras.ops.convert_to_tensor(images), transformation, training=True))
        ours = np.stack([mixed[sample] for sample, _, _ in batch])
        assert ours.dtype == (np.float32 if layer == "MixUp" else np.uint8)
        assert ours.shape == theirs.shape
        assert np.max(np.abs(ours.astype(np.float64) - theirs.astype(np.float64))) <= (1e-4 if layer == "MixUp" else 0)
        compared += len(batch)
    assert compared == 24


def test_the_loader_delivers_mixed_one_hot_labels(cli, tmp_path, store_path):
    suffix = f"soft-{os.getpid()}"
    add_pipeline(cli, tmp_path, suffix, PREFIX + [{"type": "MixUp"}])
    cli("run", "create", suffix, "--dataset", "shapes@v1", "--pipeline", suffix, "--seed", "5",
        "--batch-size", str(BATCH))
    run = augstore.open(store_path).run(suffix)
    assert run.soft_labels
    batches = list(run.loader(epochs=[0], batch_size=BATCH))
    assert len(batches) == 3
    for batch in batches:
        assert batch.labels.dtype == np.float32 and batch.labels.shape == (BATCH, len(run.labels))
        assert np.allclose(batch.labels.sum(axis=1), 1)
        images, labels, samples = cli.replay_batch(run.name, 0, batch.index, BATCH, tmp_path / f"b{batch.index}")
        assert np.array_equal(batch.images, images)
        assert np.array_equal(batch.labels, labels)
        assert batch.samples == samples
    with pytest.raises(augstore.AugstoreError, match="load it with batch size 8, not 4"):
        list(run.loader(epochs=[0], batch_size=4))
