"""The distributions Keras really draws, against augstore's.

For every layer configuration below, draws N parameter sets from augstore through the real CLI (a dataset
of 100 PNGs of 24 x 20 recorded over N / 100 epochs, read back with `augstore sql`) and N from Keras 3's own
`layer.get_random_transformation` (TensorFlow backend), and compares each parameter:

- continuous and integer parameters: two-sample Kolmogorov-Smirnov (scipy), pass when p >= 0.001, and the
  observed ranges (min, max) agree within 2 % of the span;
- booleans (flips, grayscale, erasing applied): two-proportion z test, pass when |z| <= 4.

Prints one row per (configuration, parameter) and, at the end, every place where Keras' code draws
something other than what its documentation says (augstore follows the code). Exit code 1 when a row fails.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
from keras import layers  # noqa: E402
from PIL import Image  # noqa: E402
from scipy import stats  # noqa: E402

HEIGHT, WIDTH = 24, 20
IMAGES = 100


def flat(value):
    return np.asarray(value).reshape(-1)


def erasing_boxes(t):
    masks = np.asarray(t["batch_masks"])[..., 0]  # N, H, W
    columns = masks.any(axis=1)
    rows = masks.any(axis=2)
    width = columns.sum(axis=1)
    height = rows.sum(axis=1)
    x = np.where(width > 0, columns.argmax(axis=1), -1)
    y = np.where(height > 0, rows.argmax(axis=1), -1)
    return {"applied": flat(t["apply_erasing"]), "width": width, "height": height, "x": x, "y": y}


# (name, augstore transform, Keras layer factory, Keras transformation -> {param: values}, batching:
#  False = one call over all N images, True = one call per image (Keras draws once per batch), an
#  integer = calls over batches of that size, and augstore runs with that --batch-size)
CASES = [
    ("RandomFlip(horizontal)", {"type": "RandomFlip", "mode": "horizontal"},
     lambda seed: layers.RandomFlip("horizontal", seed=seed), lambda t: {"flips": flat(t["flips"])}, False),
    ("RandomRotation(0.2)", {"type": "RandomRotation", "factor": 0.2},
     lambda seed: layers.RandomRotation(0.2, seed=seed), lambda t: {"angle": flat(t["angle"])}, False),
    ("RandomRotation([-0.1, 0.3])", {"type": "RandomRotation", "factor": [-0.1, 0.3]},
     lambda seed: layers.RandomRotation((-0.1, 0.3), seed=seed), lambda t: {"angle": flat(t["angle"])}, False),
    ("RandomZoom(0.2, [-0.3, 0.1])", {"type": "RandomZoom", "height_factor": 0.2, "width_factor": [-0.3, 0.1]},
     lambda seed: layers.RandomZoom(0.2, (-0.3, 0.1), seed=seed),
     lambda t: {"height_zoom": flat(t["height_zoom"]), "width_zoom": flat(t["width_zoom"])}, False),
    ("RandomZoom(0.3)", {"type": "RandomZoom", "height_factor": 0.3},
     lambda seed: layers.RandomZoom(0.3, seed=seed),
     lambda t: {"height_zoom": flat(t["height_zoom"]), "width_zoom": flat(t["width_zoom"])}, False),
    ("RandomTranslation(0.1, [-0.2, 0.3])",
     {"type": "RandomTranslation", "height_factor": 0.1, "width_factor": [-0.2, 0.3]},
     lambda seed: layers.RandomTranslation(0.1, (-0.2, 0.3), seed=seed),
     lambda t: {"translate_x": np.asarray(t["translations"])[:, 0],
                "translate_y": np.asarray(t["translations"])[:, 1]}, False),
    ("RandomCrop(16, 12)", {"type": "RandomCrop", "height": 16, "width": 12},
     lambda seed: layers.RandomCrop(16, 12, seed=seed),
     lambda t: {"y": flat(t[0]), "x": flat(t[1])}, True),
    ("RandomCrop(24, 12) on 24 x 20", {"type": "RandomCrop", "height": 24, "width": 12},
     lambda seed: layers.RandomCrop(24, 12, seed=seed),
     lambda t: {"y": flat(t[0]), "x": flat(t[1])}, True),
    ("RandomBrightness(0.3)", {"type": "RandomBrightness", "factor": 0.3},
     lambda seed: layers.RandomBrightness(0.3, seed=seed), lambda t: {"rgb_delta": flat(t["rgb_delta"])}, False),
    ("RandomBrightness([-0.1, 0.4], [0, 1])",
     {"type": "RandomBrightness", "factor": [-0.1, 0.4], "value_range": [0, 1]},
     lambda seed: layers.RandomBrightness((-0.1, 0.4), value_range=(0, 1), seed=seed),
     lambda t: {"rgb_delta": flat(t["rgb_delta"])}, False),
    ("RandomContrast(0.2)", {"type": "RandomContrast", "factor": 0.2},
     lambda seed: layers.RandomContrast(0.2, seed=seed),
     lambda t: {"contrast_factor": flat(t["contrast_factor"])}, False),
    ("RandomContrast([0.1, 0.4])", {"type": "RandomContrast", "factor": [0.1, 0.4]},
     lambda seed: layers.RandomContrast((0.1, 0.4), seed=seed),
     lambda t: {"contrast_factor": flat(t["contrast_factor"])}, False),
    ("RandomSaturation(0.3)", {"type": "RandomSaturation", "factor": 0.3},
     lambda seed: layers.RandomSaturation(0.3, seed=seed),
     lambda t: {"saturation_factor": flat(t["factor"])}, False),
    ("RandomSaturation([0.2, 0.8])", {"type": "RandomSaturation", "factor": [0.2, 0.8]},
     lambda seed: layers.RandomSaturation((0.2, 0.8), seed=seed),
     lambda t: {"saturation_factor": flat(t["factor"])}, False),
    ("RandomHue(0.4)", {"type": "RandomHue", "factor": 0.4},
     lambda seed: layers.RandomHue(0.4, value_range=(0, 255), seed=seed),
     lambda t: {"hue_factor": flat(t["factor"])}, False),
    ("RandomGrayscale(0.3)", {"type": "RandomGrayscale", "factor": 0.3},
     lambda seed: layers.RandomGrayscale(0.3, seed=seed), lambda t: {"grayscale": flat(t)}, False),
    ("RandomErasing([0.5, 1.0])", {"type": "RandomErasing", "factor": [0.5, 1.0], "fill_value": 0},
     lambda seed: layers.RandomErasing((0.5, 1.0), fill_value=0, seed=seed), erasing_boxes, False),
    ("RandomShear(0.3, [0.1, 0.4])", {"type": "RandomShear", "x_factor": 0.3, "y_factor": [0.1, 0.4]},
     lambda seed: layers.RandomShear(x_factor=0.3, y_factor=(0.1, 0.4), seed=seed),
     lambda t: {"shear_x": np.asarray(t["shear_factor"])[:, 0], "shear_y": np.asarray(t["shear_factor"])[:, 1]},
     False),
    ("RandomGaussianBlur(0.7, 3, [0.5, 2])",
     {"type": "RandomGaussianBlur", "factor": 0.7, "kernel_size": 3, "sigma": [0.5, 2.0]},
     lambda seed: layers.RandomGaussianBlur(factor=0.7, kernel_size=3, sigma=(0.5, 2.0), seed=seed),
     lambda t: {"should_apply_blur": flat(t["should_apply_blur"]),
                "blur_factor_x": flat(t["blur_factor"])[:1], "blur_factor_y": flat(t["blur_factor"])[1:2]}, True),
    ("RandomPerspective(0.6, 0.4)", {"type": "RandomPerspective", "factor": 0.6, "scale": 0.4},
     lambda seed: layers.RandomPerspective(factor=0.6, scale=0.4, seed=seed),
     lambda t: {"apply_perspective": flat(t["apply_perspective"]),
                **{f"end_{'xy'[axis]}{corner}": np.asarray(t["end_points"])[:, corner, axis]
                   for corner in range(4) for axis in range(2)}}, False),
    ("RandomElasticTransform(0.8, 0.5)", {"type": "RandomElasticTransform", "factor": 0.8, "scale": 0.5},
     lambda seed: layers.RandomElasticTransform(factor=0.8, scale=0.5, seed=seed),
     lambda t: {"apply_transform": flat(t["apply_transform"]), "distortion_factor": flat(t["distortion_factor"])},
     True),
    ("RandomInvert(0.6)", {"type": "RandomInvert", "factor": 0.6},
     lambda seed: layers.RandomInvert(factor=0.6, seed=seed),
     lambda t: {"apply_inversion": flat(t["apply_inversion"])}, False),
    ("Solarization(0.3, [0.2, 0.8])", {"type": "Solarization", "addition_factor": 0.3, "threshold_factor": [0.2, 0.8]},
     lambda seed: layers.Solarization(addition_factor=0.3, threshold_factor=(0.2, 0.8), seed=seed),
     lambda t: {"additions": flat(t["additions"]), "thresholds": flat(t["thresholds"])}, False),
    ("RandomPosterization(4)", {"type": "RandomPosterization", "factor": 4},
     lambda seed: layers.RandomPosterization(factor=4, seed=seed),
     lambda t: {"shift_factor": flat(t["shift_factor"]).astype(np.int64)}, False),
    ("RandomColorDegeneration(0.5)", {"type": "RandomColorDegeneration", "factor": 0.5},
     lambda seed: layers.RandomColorDegeneration(factor=0.5, seed=seed), lambda t: {"factor": flat(t["factor"])},
     False),
    ("RandomSharpness(0.4)", {"type": "RandomSharpness", "factor": 0.4},
     lambda seed: layers.RandomSharpness(factor=0.4, seed=seed), lambda t: {"factor": flat(t["factor"])}, False),
    # Batch-level layers: augstore's runs mix within global batches of the same size as Keras' calls.
    ("MixUp(0.4), batches of 100", {"type": "MixUp", "alpha": 0.4},
     lambda seed: layers.MixUp(alpha=0.4, seed=seed), lambda t: {"mix_weight": flat(t["mix_weight"])}, 100),
    ("CutMix(0.8), batches of 25", {"type": "CutMix", "factor": 0.8},
     lambda seed: layers.CutMix(factor=0.8, seed=seed), lambda t: {"mix_weight": flat(t["mix_weight"])}, 25),
    # Composite layers: the operations chosen and the sub-layers' own parameters (see composite_values).
    ("RandAugment(num_ops=3, factor=0.7)", {"type": "RandAugment", "num_ops": 3, "factor": 0.7},
     lambda seed: layers.RandAugment(num_ops=3, factor=0.7, seed=seed), lambda t: rand_augment_values(t), True),
    ("AugMix()", {"type": "AugMix"}, lambda seed: layers.AugMix(seed=seed), lambda t: aug_mix_values(t), True),
    ("AugMix(2, 4, 0.6, alpha=0.5, all_ops=False)",
     {"type": "AugMix", "num_chains": 2, "chain_depth": 4, "factor": 0.6, "alpha": 0.5, "all_ops": False},
     lambda seed: layers.AugMix(num_chains=2, chain_depth=4, factor=0.6, alpha=0.5, all_ops=False, seed=seed),
     lambda t: aug_mix_values(t), True),
]

# The parameters of a composite's sub-layers compared, from Keras' transformation dicts (same names as
# augstore's records).
SUB_LAYER_VALUES = {
    "random_shear": lambda t: {"shear_x": np.asarray(t["shear_factor"])[:, 0],
                               "shear_y": np.asarray(t["shear_factor"])[:, 1]},
    "random_translation": lambda t: {"translate_x": np.asarray(t["translations"])[:, 0],
                                     "translate_y": np.asarray(t["translations"])[:, 1]},
    "random_rotation": lambda t: {"angle": flat(t["angle"])},
    "random_brightness": lambda t: {"rgb_delta": flat(t["rgb_delta"])},
    "random_color_degeneration": lambda t: {"factor": flat(t["factor"])},
    "random_contrast": lambda t: {"contrast_factor": flat(t["contrast_factor"])},
    "random_sharpness": lambda t: {"factor": flat(t["factor"])},
    "random_posterization": lambda t: {"shift_factor": flat(t["shift_factor"]).astype(np.int64)},
    "solarization": lambda t: {"additions": flat(t["additions"]), "thresholds": flat(t["thresholds"])},
}
AUG_MIX_NAMES = ["random_shear", "random_translation", "random_rotation", "random_posterization", "solarization",
                 "auto_contrast", "equalization", "random_brightness", "random_color_degeneration",
                 "random_contrast", "random_sharpness"]


def sub_layer_values(name, transformation, values):
    for key, value in SUB_LAYER_VALUES.get(name, lambda t: {})(transformation).items():
        values.setdefault(f"{name}.{key}", []).extend(np.asarray(value).reshape(-1).tolist())


def rand_augment_values(t):
    values = {"op_index": [int(i) for i in flat(t["layer_idxes"])]}
    for name, transformation in t["transforms"].items():
        sub_layer_values(name, transformation, values)
    return {key: np.asarray(v) for key, v in values.items()}


def aug_mix_values(t):
    weights = flat(t["chain_mixing_weights"])
    values = {"weight_sample": [float(flat(t["weight_sample"])[0])], "chain_weight_0": [float(weights[0])],
              "chain_length": [], "op_index": []}
    for chain in t["chain_transforms"]:
        values["chain_length"].append(len(chain))
        for step in chain:
            values["op_index"].append(AUG_MIX_NAMES.index(step["layer_name"]))
            sub_layer_values(step["layer_name"], step["transformation"], values)
    return {key: np.asarray(v) for key, v in values.items()}


def composite_values(kind, records):
    """augstore's composite records flattened into the keys the Keras extractors give."""
    from_names = AUG_MIX_NAMES if kind == "AugMix" else [
        "random_shear", "random_translation", "random_rotation", "random_brightness", "random_color_degeneration",
        "random_contrast", "random_sharpness", "random_posterization", "solarization", "auto_contrast",
        "equalization"]
    values = {}

    def add_op(op, seen):
        values.setdefault("op_index", []).append(from_names.index(op["op"]))
        # RandAugment applies one draw per sub-layer however often it is chosen: count it once.
        if seen is not None:
            if op["op"] in seen:
                return
            seen.add(op["op"])
        for key, value in op.items():
            if key != "op":
                values.setdefault(f"{op['op']}.{key}", []).append(value)

    for record in records:
        if kind == "AugMix":
            values.setdefault("weight_sample", []).append(record["weight_sample"])
            values.setdefault("chain_weight_0", []).append(record["chain_mixing_weights"][0])
            for chain in record["chains"]:
                values.setdefault("chain_length", []).append(len(chain))
                for op in chain:
                    add_op(op, None)
        else:
            seen = set()
            for op in record["ops"]:
                add_op(op, seen)
    return values

# Where Keras 3.15.1's code draws something other than its documentation says (augstore follows the code).
KERAS_CODE_VS_DOCUMENTATION = [
    "RandomContrast(f): documented as a contrast factor in [1 - f, 1 + f]; `_set_factor` with "
    "_FACTOR_BOUNDS (0, 1) clips the lower bound at 0, so the factor is drawn from [1, 1 + f].",
    "RandomSaturation(f): documented with factors in [0, 1] (0.5 = no change); the layer keeps the default "
    "_FACTOR_BOUNDS (-1, 1), so f means [-f, f], and a negative draw (f / (1 - f) < 0) clips the "
    "saturation to 0: a grey image, in about half the draws.",
    "RandomCrop: documented as a random crop; when the image is not larger than the crop on both sides "
    "(an equal side), Keras takes the centre crop and draws nothing.",
    "RandomCrop: one offset is drawn per batch (every image of a batch shares it); augstore draws per "
    "sample, so the marginal distribution is Keras' and samples are independent.",
    "RandomFlip: flips when u <= 0.5 (augstore: u < 0.5; the two differ with probability 2^-24).",
    "RandomShear: a number f means [-f, f] (documented (0, f)); one random sign multiplies both factors; "
    "the default fill_mode is reflect, not constant; the shear is about the top-left corner.",
    "RandomGaussianBlur: factor is the blur probability (the docstring says hue); sigma=1.0 means [0, 1] plus "
    "1e-6; the two standard deviations are drawn once per batch (augstore: per sample).",
    "RandomPerspective: the top-left corner never moves (end = start + start * shift); the fill is constant.",
    "RandomElasticTransform: distortion_factor is drawn once per batch (augstore: per sample); both axes use "
    "one noise draw; the default fill_mode is reflect.",
    "RandomPosterization(f): keeps 1 to f - 1 bits (randint excludes the top), not f bits.",
    "RandomColorDegeneration(f): draws from [-f, f], not [0, f].",
    "Solarization: only the upper bounds are scaled by 255 (U(a0, a1 * 255)); samples at the threshold invert.",
    "RandomColorJitter: draws inside transform_images (its get_random_transformation returns nothing), so it "
    "is not compared here; its steps draw as RandomBrightness/RandomContrast/RandomSaturation/RandomHue do.",
    "AutoContrast, Equalization: draw nothing.",
    "RandAugment(factor=f): documented as a magnitude; every sub-layer is built with the range [0, f], so "
    "rotations, shears, translations and brightness changes only go one way and contrast is drawn from "
    "[1, 1 + f]; RandomPosterization gets max(1, int(8 f)) bits. The operations are drawn once per batch "
    "(augstore: per sample); a sub-layer chosen twice applies one draw twice.",
    "AugMix(chain_depth=d): documented as 'sampled randomly from [0, d]' (and in the paper from [1, 3]); the "
    "code makes d picks, each uniform over the operations and None, so a chain's length is Binomial(d, "
    "n/(n+1)), not uniform. Weights and operations are drawn once per batch (augstore: per sample).",
]


def png(path, seed):
    rng = np.random.default_rng(seed)  # pixels only: they do not influence any draw
    Image.fromarray(rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)).save(path)


def augstore_draws(binary, folder, count):
    store = os.path.join(folder, "store")
    images = os.path.join(folder, "images", "all")
    os.makedirs(images)
    for i in range(IMAGES):
        png(os.path.join(images, f"{i:03d}.png"), i)

    def cli(*args):
        return subprocess.run([binary, *args, "--store", store], check=True, capture_output=True, text=True).stdout

    subprocess.run([binary, "init", store], check=True, capture_output=True)
    cli("dataset", "add", "d", "--from", os.path.join(folder, "images"))
    epochs = max(1, count // IMAGES)
    draws = {}
    for index, (name, transform, _, _, _) in enumerate(CASES):
        spec = os.path.join(folder, f"p{index}.json")
        with open(spec, "w") as f:
            json.dump({"transforms": [transform]}, f)
        cli("pipeline", "add", f"p{index}", "--spec", spec)
        batch = ["--batch-size", str(CASES[index][4])] if not isinstance(CASES[index][4], bool) else []
        cli("run", "create", f"r{index}", "--dataset", "d@v1", "--pipeline", f"p{index}", "--seed", str(1000 + index),
            *batch)
        cli("record", f"r{index}", "--epochs", f"0-{epochs - 1}")
        rows = json.loads(cli("sql", f"SELECT params_json FROM augmentation_params WHERE run = 'r{index}'", "--json"))
        params = [json.loads(row["params_json"]) for row in rows["rows"]]
        values = {}
        if transform["type"] in ("RandAugment", "AugMix"):
            params, values = [], composite_values(transform["type"], params)
        for p in params:
            for key, value in p.items():
                if key == "noise_seed" or (key in ("partner", "x", "y", "width", "height") and "mix_weight" in p):
                    continue
                values.setdefault(key, []).append(value)
        if transform["type"] == "RandomErasing":
            applied = np.array(values["applied"], dtype=bool)
            box = {key: np.array(values[key]) for key in ("x", "y", "width", "height")}
            values = {"applied": applied, **box}
            for key in ("x", "y"):
                empty = (box["width"] == 0) | (box["height"] == 0)
                values[key] = np.where(empty, -1, box[key])
        draws[name] = {key: np.asarray(v) for key, v in values.items()}
    return draws


def keras_draws(count):
    images = np.zeros((count, HEIGHT, WIDTH, 3), dtype=np.float32)
    draws = {}
    for index, (name, _, factory, extract, per_batch) in enumerate(CASES):
        keras.utils.set_random_seed(2000 + index)
        layer = factory(3000 + index)
        if per_batch:
            size = 1 if per_batch is True else per_batch
            part = images[:size]
            parts = [extract(layer.get_random_transformation(part, training=True)) for _ in range(count // size)]
            keys = dict.fromkeys(key for p in parts for key in p)  # a composite's sub-layers vary by call
            draws[name] = {key: np.concatenate([p[key] for p in parts if key in p]) for key in keys}
        else:
            draws[name] = {key: np.asarray(v) for key, v in
                           extract(layer.get_random_transformation(images, training=True)).items()}
    return draws


def compare(name, key, ours, theirs):
    if key in ("x", "y") and name.startswith("RandomErasing"):
        ours, theirs = ours[ours >= 0], theirs[theirs >= 0]
    if ours.dtype == bool or theirs.dtype == bool:
        a, b = ours.astype(bool), theirs.astype(bool)
        pa, pb = a.mean(), b.mean()
        pooled = (a.sum() + b.sum()) / (len(a) + len(b))
        se = math.sqrt(max(pooled * (1 - pooled) * (1 / len(a) + 1 / len(b)), 1e-300))
        z = (pa - pb) / se if se > 0 else 0.0
        return dict(kind="rate", ours=f"{pa:.4f}", theirs=f"{pb:.4f}", statistic=f"z={z:+.2f}",
                    ok=abs(z) <= 4)
    a, b = ours.astype(np.float64), theirs.astype(np.float64)
    result = stats.ks_2samp(a, b)
    span = max(b.max() - b.min(), a.max() - a.min(), 1e-12)
    ranges_ok = abs(a.min() - b.min()) <= 0.02 * span and abs(a.max() - b.max()) <= 0.02 * span
    if span == 1e-12:
        ranges_ok = a.min() == b.min()
    return dict(kind="ks", ours=f"[{a.min():.4g}, {a.max():.4g}]", theirs=f"[{b.min():.4g}, {b.max():.4g}]",
                statistic=f"D={result.statistic:.4f} p={result.pvalue:.3g}",
                ok=bool((result.pvalue >= 1e-3 or result.statistic == 0) and ranges_ok))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--augstore", required=True)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--only", default=None, help="comma-separated layer names")
    args = parser.parse_args()
    global CASES
    if args.only:
        wanted = set(args.only.split(","))
        CASES = [case for case in CASES if case[1]["type"] in wanted]
    with tempfile.TemporaryDirectory() as folder:
        ours = augstore_draws(args.augstore, folder, args.count)
    theirs = keras_draws(args.count)
    rows = []
    for name, *_ in CASES:
        for key in theirs[name]:
            if key not in ours[name]:
                rows.append((name, key, len(theirs[name][key]), 0, dict(kind="-", ours="missing", theirs="",
                                                                        statistic="", ok=False)))
                continue
            rows.append((name, key, len(ours[name][key]), len(theirs[name][key]),
                         compare(name, key, ours[name][key], theirs[name][key])))
    width = max(len(r[0]) for r in rows)
    print(f"{'layer':<{width}}  {'parameter':<17} {'n augstore':>10} {'n keras':>8}  {'augstore':<20} "
          f"{'keras':<20} {'statistic':<22} result")
    failures = 0
    for name, key, n_ours, n_theirs, r in rows:
        failures += not r["ok"]
        print(f"{name:<{width}}  {key:<17} {n_ours:>10} {n_theirs:>8}  {r['ours']:<20} {r['theirs']:<20} "
              f"{r['statistic']:<22} {'pass' if r['ok'] else 'FAIL'}")
    print(f"\n{len(rows)} parameters, {len(rows) - failures} pass, {failures} fail")
    print("\nWhere Keras 3.15.1's code differs from its documentation (augstore follows the code):")
    for line in KERAS_CODE_VS_DOCUMENTATION:
        print(f"- {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
