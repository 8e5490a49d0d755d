"""Keras 3: model.fit on augstore batches (the example, per backend), and pipeline specs from layers."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

keras = pytest.importorskip("keras")
import augstore.keras  # noqa: E402

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "keras_train.py")
SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


def backends():
    found = []
    for name, module in (("jax", "jax"), ("tensorflow", "tensorflow"), ("torch", "torch")):
        try:
            __import__(module)
            found.append(name)
        except ImportError:
            pass
    return found


@pytest.mark.parametrize("backend", backends())
def test_example_trains_three_epochs_and_the_replayed_batch_is_what_the_model_consumed(binary, tmp_path, backend):
    pytest.importorskip("sklearn")
    hashes = tmp_path / "hashes.json"
    environment = dict(os.environ, KERAS_BACKEND=backend, AUGSTORE_BIN=binary,
                       PYTHONPATH=os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, EXAMPLE, "--store", str(tmp_path / "store"), "--hashes", str(hashes)],
                            capture_output=True, text=True, env=environment, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "the replayed batch is the batch the model trained on" in result.stdout
    consumed = json.loads(hashes.read_text())
    # 1,797 digits in batches of 64: 29 steps in each of 3 epochs, every one recorded.
    assert len(consumed) == 87 and {key.split("/")[0] for key in consumed} == {"0", "1", "2"}
    assert len(set(consumed.values())) == 87


def test_fit_sees_the_recorded_order_even_with_keras_shuffling(fresh_run, store_path):
    run = fresh_run()
    expected = [(b.epoch, b.index) for b in run.loader(epochs=[3, 4], batch_size=8)]
    seen = []
    data = augstore.keras.dataset(run, epochs=[3, 4], batch_size=8)
    steps = []

    class Steps(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, step, logs=None):
            steps.append((self.epoch, step))

    data.on_batch = lambda batch: seen.append((batch.epoch, batch.index))
    model = keras.Sequential([keras.Input((28, 28, 3)), keras.layers.Rescaling(1 / 255),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(data, epochs=2, shuffle=True, verbose=0, callbacks=[Steps()])
    # Keras first peeks at a batch or two of the first epoch to build the model; then every step of
    # fit's epoch j is fed global batch `step` of recorded epoch [3, 4][j], in order.
    assert seen[-len(expected):] == expected
    assert all(key == expected[0] or key == expected[1] for key in seen[:-len(expected)])
    assert steps == [(j, i) for j in range(2) for i in range(3)]


def test_pipeline_spec_from_layers_is_accepted_by_augstore(cli, tmp_path):
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.RandomFlip("horizontal"),
        layers.RandomRotation(0.1, fill_mode="nearest"),
        layers.RandomZoom(0.1, 0.2),
        layers.RandomTranslation(0.1, 0.05),
        layers.RandomCrop(28, 28),
        layers.RandomContrast(0.2),
        layers.RandomBrightness(0.1),
        layers.Rescaling(1 / 255),
        layers.Conv2D(4, 3),
    ])
    spec = augstore.keras.pipeline_spec(model)
    assert [t["type"] for t in spec["transforms"]] == [
        "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomCrop", "RandomContrast",
        "RandomBrightness", "Rescaling"]
    assert spec["transforms"][1] == {"type": "RandomRotation", "factor": [-0.1, 0.1], "fill_mode": "nearest",
                                     "interpolation": "bilinear", "fill_value": 0.0}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    cli("pipeline", "add", "from-keras", "--spec", str(path))
    shown = cli.json("pipeline", "show", "from-keras")
    assert len(shown["spec"]["transforms"]) == 8
    # Keras stores the factor ranges it draws from, so augstore draws the same: RandomContrast(0.2) draws
    # its contrast factor in [1, 1.2] and RandomSaturation(0.3) from [-0.3, 0.3].
    assert shown["spec"]["transforms"][5]["factor"] == [0.0, 0.2]
    saturation, _ = augstore.keras.convert_layer(layers.RandomSaturation(0.3))
    assert saturation == {"type": "RandomSaturation", "factor": [-0.3, 0.3], "value_range": [0, 255]}


def test_shear_blur_and_perspective_layers_convert_with_their_arguments(cli, tmp_path):
    layers = keras.layers
    spec = augstore.keras.pipeline_spec([
        layers.RandomShear(0.2, (0.1, 0.3), fill_mode="constant", fill_value=9.0),
        layers.RandomGaussianBlur(0.5, kernel_size=5, sigma=(0.2, 0.9)),
        layers.RandomPerspective(0.7, scale=0.4, interpolation="nearest", fill_value=3.0),
    ])
    assert spec["transforms"] == [
        # Keras stores RandomShear(0.2) as (-0.2, 0.2) (which Keras itself cannot reload); augstore takes it.
        {"type": "RandomShear", "x_factor": [-0.2, 0.2], "y_factor": [0.1, 0.3], "fill_mode": "constant",
         "interpolation": "bilinear", "fill_value": 9.0},
        {"type": "RandomGaussianBlur", "factor": [0, 0.5], "kernel_size": [5, 5], "sigma": [0.2, 0.9],
         "value_range": [0, 255]},
        {"type": "RandomPerspective", "factor": [0, 0.7], "scale": 0.4, "interpolation": "nearest",
         "fill_value": 3.0},
    ]
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    cli("pipeline", "add", "geometry", "--spec", str(path))
    shown = cli.json("pipeline", "show", "geometry")
    assert [t["type"] for t in shown["spec"]["transforms"]] == [
        "RandomShear", "RandomGaussianBlur", "RandomPerspective"]
    assert shown["spec"]["transforms"][0]["x_factor"] == [-0.2, 0.2]
    assert shown["spec"]["transforms"][1]["kernel_size"] == [5, 5]


def test_colour_layers_convert_with_their_resolved_factors_and_augstore_accepts_them(cli, tmp_path):
    layers = keras.layers
    # A list of layers, not a model: Keras 3.15.1's Equalization cannot be part of a Sequential model (its
    # compute_output_spec returns the input tensor, which Keras reports as a cycle).
    spec = augstore.keras.pipeline_spec([
        layers.RandomInvert(0.3),
        layers.Solarization(addition_factor=0.1, threshold_factor=(0.4, 0.8)),
        layers.RandomPosterization(5),
        layers.RandomColorDegeneration(0.4),
        layers.AutoContrast(),
        layers.Equalization(bins=64),
        layers.RandomSharpness((0.2, 0.9)),
        layers.RandomColorJitter(brightness_factor=0.2, saturation_factor=0.5, hue_factor=0.1),
    ])
    assert [t["type"] for t in spec["transforms"]] == [
        "RandomInvert", "Solarization", "RandomPosterization", "RandomColorDegeneration", "AutoContrast",
        "Equalization", "RandomSharpness", "RandomColorJitter"]
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    cli("pipeline", "add", "colour", "--spec", str(path))
    shown = cli.json("pipeline", "show", "colour")["spec"]["transforms"]
    # Keras' own resolution of single numbers: RandomColorDegeneration 0.4 is [-0.4, 0.4], RandomPosterization
    # 5 is [1, 5] bits; RandomColorJitter keeps the numbers it was given and augstore resolves them as
    # Keras' sub-layers do.
    assert shown[0]["factor"] == [0, 0.3]
    assert shown[1]["addition_factor"] == [0, 0.1] and shown[1]["threshold_factor"] == [0.4, 0.8]
    assert shown[2]["factor"] == [1, 5]
    assert shown[3]["factor"] == [-0.4, 0.4]
    assert shown[5] == {"type": "Equalization", "bins": 64, "value_range": [0, 255]}
    assert shown[6]["factor"] == [0.2, 0.9]
    assert shown[7] == {"type": "RandomColorJitter", "value_range": [0, 255], "brightness_factor": [-0.2, 0.2],
                        "contrast_factor": None, "saturation_factor": [-0.5, 0.5], "hue_factor": [0, 0.1]}


def test_a_saved_model_round_trips_and_unconvertible_layers_are_all_named(tmp_path):
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((32, 32, 3)),
        keras.Sequential([layers.RandomFlip("vertical"), layers.Resizing(16, 16, crop_to_aspect_ratio=True)],
                         name="augment"),
        layers.MaxNumBoundingBoxes(max_number=4),
        layers.RandomContrast((-0.5, 0.5)),
        layers.Normalization(),
        layers.Dense(2),
    ])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    with pytest.raises(augstore.keras.ConversionError) as failure:
        augstore.keras.pipeline_spec(loaded)
    message = str(failure.value)
    names = [name for name, _, _ in failure.value.problems]
    assert len(names) == 4, message
    assert "(Resizing): crop_to_aspect_ratio=True is not supported" in message
    assert "(MaxNumBoundingBoxes): augstore has no MaxNumBoundingBoxes transform yet" in message
    assert "(RandomContrast): factor [-0.5, 0.5]" in message
    assert "(Normalization): mean is None" in message
    assert "RandomFlip" not in message
    ok = augstore.keras.pipeline_spec([layers.RandomFlip("vertical"), layers.Normalization(mean=0.5, variance=0.25)])
    assert ok["transforms"] == [{"type": "RandomFlip", "mode": "vertical"},
                                {"type": "Normalization", "mean": [0.5], "variance": [0.25]}]


def test_the_cli_imports_a_saved_model_as_the_python_converter_does(cli, tmp_path):
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((32, 32, 3)),
        keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomZoom(0.2, 0.1)], name="augment"),
        layers.RandomContrast(0.3),
        layers.RandomSaturation(0.2),
        layers.RandomCrop(24, 24),
        layers.Rescaling(1 / 127.5, offset=-1),
        layers.Conv2D(2, 3),
    ])
    path = tmp_path / "model.keras"
    model.save(path)
    cli("pipeline", "add", "from-model", "--from-keras", str(path))
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(augstore.keras.pipeline_spec(model)))
    cli("pipeline", "add", "from-layers", "--spec", str(spec))
    imported = cli.json("pipeline", "show", "from-model")
    converted = cli.json("pipeline", "show", "from-layers")
    assert imported["fingerprint"] == converted["fingerprint"]
    assert [t["type"] for t in imported["spec"]["transforms"]] == [
        "RandomFlip", "RandomZoom", "RandomContrast", "RandomSaturation", "RandomCrop", "Rescaling"]

    broken = keras.Sequential([keras.Input((8, 8, 3)), layers.RandomFlip(),
                               layers.MaxNumBoundingBoxes(max_number=3, name="boxes")])
    broken_path = tmp_path / "broken.keras"
    broken.save(broken_path)
    result = cli("pipeline", "add", "broken", "--from-keras", str(broken_path), check=False)
    assert result.returncode == 1
    assert "layer 'boxes' (MaxNumBoundingBoxes): augstore has no MaxNumBoundingBoxes transform yet" in result.stderr


def test_clahe_converts_from_a_saved_model_and_augstore_accepts_it(cli, tmp_path):
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((24, 20, 3)),
        layers.ContrastLimitedAdaptiveHistogramEqualization(clip_limit=2.5, tile_grid_size=(3, 5)),
        layers.ContrastLimitedAdaptiveHistogramEqualization(),
    ])
    path = tmp_path / "clahe.keras"
    model.save(path)
    spec = augstore.keras.pipeline_spec(keras.saving.load_model(path))
    assert [t["type"] for t in spec["transforms"]] == ["ContrastLimitedAdaptiveHistogramEqualization"] * 2
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(spec))
    cli("pipeline", "add", "clahe", "--spec", str(spec_path))
    shown = cli.json("pipeline", "show", "clahe")["spec"]["transforms"]
    assert shown[0] == {"type": "ContrastLimitedAdaptiveHistogramEqualization", "value_range": [0, 255],
                        "clip_limit": 2.5, "tile_grid_size": [3, 5]}
    assert shown[1]["clip_limit"] == 4 and shown[1]["tile_grid_size"] == [8, 8]


def test_rand_augment_converts_with_its_resolved_factor_and_augstore_accepts_it(cli, tmp_path):
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.RandAugment(),
        layers.RandAugment(value_range=(0, 1), num_ops=3, factor=(0.2, 0.7), interpolation="nearest"),
        layers.Conv2D(2, 3),
    ])
    spec = augstore.keras.pipeline_spec(model)
    # Keras resolves factor 0.5 to (0, 0.5), the range every sub-layer is built with.
    assert spec["transforms"] == [
        {"type": "RandAugment", "value_range": [0, 255], "num_ops": 2, "factor": [0, 0.5],
         "interpolation": "bilinear"},
        {"type": "RandAugment", "value_range": [0, 1], "num_ops": 3, "factor": [0.2, 0.7],
         "interpolation": "nearest"}]
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    cli("pipeline", "add", "randaugment", "--spec", str(path))
    saved = tmp_path / "model.keras"
    model.save(saved)
    cli("pipeline", "add", "imported", "--from-keras", str(saved))
    assert (cli.json("pipeline", "show", "imported")["fingerprint"]
            == cli.json("pipeline", "show", "randaugment")["fingerprint"])


def test_aug_mix_converts_with_its_resolved_factor_and_augstore_accepts_it(cli, tmp_path):
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.AugMix(),
        layers.AugMix(value_range=(0, 1), num_chains=2, chain_depth=4, factor=(0.1, 0.6), alpha=0.5,
                      all_ops=False, interpolation="nearest"),
        layers.Conv2D(2, 3),
    ])
    spec = augstore.keras.pipeline_spec(model)
    # Keras resolves factor 0.3 to (0, 0.3), the range every sub-layer is built with.
    assert spec["transforms"] == [
        {"type": "AugMix", "value_range": [0, 255], "num_chains": 3, "chain_depth": 3, "factor": [0, 0.3],
         "alpha": 1.0, "all_ops": True, "interpolation": "bilinear"},
        {"type": "AugMix", "value_range": [0, 1], "num_chains": 2, "chain_depth": 4, "factor": [0.1, 0.6],
         "alpha": 0.5, "all_ops": False, "interpolation": "nearest"}]
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    cli("pipeline", "add", "augmix", "--spec", str(path))
    saved = tmp_path / "model.keras"
    model.save(saved)
    cli("pipeline", "add", "imported", "--from-keras", str(saved))
    assert (cli.json("pipeline", "show", "imported")["fingerprint"]
            == cli.json("pipeline", "show", "augmix")["fingerprint"])
