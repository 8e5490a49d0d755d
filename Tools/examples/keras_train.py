"""Train a small Keras model fed by augstore, then prove what it trained on.

1. Writes scikit-learn's digits (1,797 8×8 grey images, 10 classes) as PNG files in class folders.
2. Registers them in an augstore store, adds a pipeline (RandomRotation + RandomTranslation) and a run.
3. Trains a Keras model for 3 epochs on `augstore.keras.dataset(run, ...)` (any Keras backend; JAX by
   default here); a callback keeps the SHA-256 of every batch the model trained on, by (epoch, step).
4. Replays epoch 2 batch 5 with the CLI (`augstore replay RUN --epoch 2 --batch 5 --batch-size 64`)
   and checks that its SHA-256 equals the one the model consumed.

Usage: python Tools/examples/keras_train.py --store /tmp/digits-store [--hashes hashes.json]
The `augstore` executable comes from $AUGSTORE_BIN or PATH. Needs keras, a backend (jax), scikit-learn.
"""

import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import zlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402

import augstore  # noqa: E402
import augstore.keras  # noqa: E402
import keras  # noqa: E402

EPOCHS, BATCH_SIZE = 3, 64
PIPELINE = {
    "transforms": [
        {"type": "RandomRotation", "factor": 0.05, "fill_mode": "constant"},
        {"type": "RandomTranslation", "height_factor": 0.125, "width_factor": 0.125, "fill_mode": "constant"},
    ],
    "original_probability": 0.1,
}


def write_png(path, pixels):
    """An 8-bit grey PNG of a 2-D uint8 array (no filtering; zlib from the standard library)."""
    height, width = pixels.shape

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                   + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def write_digits(folder):
    from sklearn.datasets import load_digits
    digits = load_digits()
    for index, (image, label) in enumerate(zip(digits.images, digits.target)):
        os.makedirs(os.path.join(folder, str(label)), exist_ok=True)
        write_png(os.path.join(folder, str(label), f"{index:04d}.png"),
                  np.round(image * (255 / 16)).astype(np.uint8))
    return len(digits.images)


def cli(binary, store, *arguments):
    result = subprocess.run([binary, *arguments, "--store", store], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"augstore {' '.join(arguments)}: {result.stderr.strip()}")
    return result.stdout


def batch_hash(images, labels):
    digest = hashlib.sha256(np.ascontiguousarray(images).tobytes())
    digest.update(np.ascontiguousarray(labels, dtype=np.int64).tobytes())
    return digest.hexdigest()


class ConsumedBatches(keras.callbacks.Callback):
    """Keeps the hash of the batch behind every training step, by (recorded epoch, step)."""

    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset
        self.delivered = {}
        self.trained = {}
        self.fit_epoch = 0
        dataset.on_batch = lambda batch: self.delivered.__setitem__(
            (batch.epoch, batch.index), batch_hash(batch.images, batch.labels))

    def on_epoch_begin(self, epoch, logs=None):
        self.fit_epoch = epoch

    def on_train_batch_end(self, step, logs=None):
        key = (self.dataset.epochs[self.fit_epoch], step)
        if key not in self.delivered:
            raise RuntimeError(f"step {step} of fit epoch {self.fit_epoch}: no batch {key} was delivered")
        self.trained[key] = self.delivered[key]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="a new or existing store folder")
    parser.add_argument("--hashes", help="write the consumed batch hashes here (JSON)")
    args = parser.parse_args()
    binary = augstore.find_engine()
    store = os.path.abspath(args.store)

    cli(binary, store, "init", store) if not os.path.exists(os.path.join(store, "catalog.sqlite")) else None
    source = os.path.join(store, "digits-png")
    if not os.path.isdir(source):
        print(f"writing {write_digits(source)} digits as PNG files into {source}")
    cli(binary, store, "dataset", "add", "digits", "--from", source)
    spec_path = os.path.join(store, "digits-aug.json")
    with open(spec_path, "w") as file:
        json.dump(PIPELINE, file)
    cli(binary, store, "pipeline", "add", "digits-aug", "--spec", spec_path)
    run_name = f"keras-{keras.backend.backend()}"
    if subprocess.run([binary, "run", "show", run_name, "--store", store], capture_output=True).returncode:
        cli(binary, store, "run", "create", run_name, "--dataset", "digits@v1", "--pipeline", "digits-aug",
            "--seed", "7")

    run = augstore.open(store).run(run_name)
    train = augstore.keras.dataset(run, epochs=range(EPOCHS), batch_size=BATCH_SIZE)
    consumed = ConsumedBatches(train)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Rescaling(1 / 255),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(len(run.labels)),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(train, epochs=EPOCHS, callbacks=[consumed], verbose=2)
    train.close()
    expected_steps = EPOCHS * run.batches_per_epoch(BATCH_SIZE)
    if len(consumed.trained) != expected_steps:
        sys.exit(f"the model trained on {len(consumed.trained)} batches, expected {expected_steps}")

    replay = os.path.join(store, "replay-epoch2-batch5")
    cli(binary, store, "replay", run_name, "--epoch", "2", "--batch", "5", "--batch-size", str(BATCH_SIZE),
        "--out", replay)
    replayed = batch_hash(np.load(os.path.join(replay, "batch-5.npy")), np.load(os.path.join(replay, "labels.npy")))
    trained = consumed.trained[(2, 5)]
    if args.hashes:
        with open(args.hashes, "w") as file:
            json.dump({f"{epoch}/{step}": value for (epoch, step), value in sorted(consumed.trained.items())},
                      file, indent=1)
    print(f"accuracy after {EPOCHS} epochs: {history.history['accuracy'][-1]:.3f}")
    print(f"epoch 2 batch 5: trained on {trained[:16]}…, replayed {replayed[:16]}…")
    if trained != replayed:
        sys.exit("MISMATCH: the replayed batch differs from the batch the model trained on")
    print("the replayed batch is the batch the model trained on")


if __name__ == "__main__":
    main()
