"""Keras 3 parity for augstore's pixel kernels.

Builds test images (scikit-image's bundled photos, cropped and resized, plus odd sizes, grey and RGBA),
applies every transform with fixed concrete parameters both through Keras 3 layers (TensorFlow backend;
`layer.transform_images(images, transformation)` with the transformation dict the layer's own
`get_random_transformation` would have produced) and through `kernel-probe`, and prints one row per case:
max |augstore - keras| on the uint8 scale (Keras' float output clipped to [0, 255]), and pass/fail.

Goal: 0 for flips and crops, <= 1 for everything else. Exit code 1 when a case fails.
"""

import argparse
import itertools
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
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402
from PIL import Image  # noqa: E402
from skimage import data as skdata  # noqa: E402


def resized(array, height, width):
    return np.asarray(Image.fromarray(array).resize((width, height), Image.BILINEAR))


def make_images(quick):
    astronaut = skdata.astronaut()
    chelsea = skdata.chelsea()
    coffee = skdata.coffee()
    images = {
        "astronaut224": resized(astronaut, 224, 224),
        "chelsea64x96": resized(chelsea, 64, 96),
        "coffee37x53": coffee[100:137, 200:253],
        "astro13x17": astronaut[150:163, 200:217],
        "px1x1": astronaut[200:201, 200:201],
        "row1x9": chelsea[100:101, 100:109],
        "col9x1": coffee[100:109, 100:101],
        "grey31x29": resized(astronaut, 31, 29).mean(axis=2, keepdims=True).round().astype(np.uint8),
    }
    rgba = resized(chelsea, 23, 19)
    alpha = (np.arange(23 * 19).reshape(23, 19, 1) * 7 % 256).astype(np.uint8)
    images["rgba23x19"] = np.concatenate([rgba, alpha], axis=2)
    if quick:
        images = {k: v for k, v in images.items() if k in ("chelsea64x96", "astro13x17", "px1x1", "rgba23x19")}
    return {k: np.ascontiguousarray(v, dtype=np.uint8) for k, v in images.items()}


def batch(image):
    return tf.constant(image[None].astype(np.float32))


def keras_geometric(kind, image, params, fill_mode, interpolation, fill_value):
    h, w = image.shape[:2]
    common = dict(fill_mode=fill_mode, interpolation=interpolation, fill_value=fill_value)
    if kind == "rotate":
        layer = layers.RandomRotation(0.1, **common)
        matrix = layer._compute_affine_matrix(
            center_x=0.5, center_y=0.5, angle=tf.constant([params["angle"]], tf.float32),
            translate_x=tf.zeros([1]), translate_y=tf.zeros([1]), scale=tf.ones([1]),
            shear_x=tf.zeros([1]), shear_y=tf.zeros([1]), height=h, width=w)
        transformation = {"rotation_matrix": matrix, "image_height": h, "image_width": w, "batch_size": 1}
    elif kind == "zoom":
        layer = layers.RandomZoom(0.2, 0.2, **common)
        transformation = {
            "height_zoom": tf.constant([[params["height_zoom"]]], tf.float32),
            "width_zoom": tf.constant([[params["width_zoom"]]], tf.float32),
            "input_shape": (1, h, w, image.shape[2]),
        }
    elif kind == "translate":
        layer = layers.RandomTranslation(0.2, 0.2, **common)
        transformation = {
            "translations": tf.constant([[params["x"], params["y"]]], tf.float32),
            "input_shape": (1, h, w, image.shape[2]),
        }
    elif kind == "shear":
        layer = layers.RandomShear(0.2, 0.2, **common)
        transformation = {
            "shear_factor": tf.constant([[params["x"], params["y"]]], tf.float32),
            "input_shape": (1, h, w, image.shape[2]),
        }
    else:
        raise ValueError(kind)
    return layer.transform_images(batch(image), transformation, training=True).numpy()[0]


def keras_other(kind, image, params):
    h, w, c = image.shape
    if c == 4 and kind in COLOUR_RGB_ONLY:
        image = image[..., :3]
    x = batch(image)
    if kind == "flip":
        mode = {(True, False): "horizontal", (False, True): "vertical", (True, True): "horizontal_and_vertical"}[
            (params["horizontal"], params["vertical"])]
        layer = layers.RandomFlip(mode)
        out = layer.transform_images(x, {"flips": tf.constant([[[[True]]]]), "input_shape": (1, h, w, c)})
    elif kind == "gaussian_blur":
        layer = layers.RandomGaussianBlur(kernel_size=(params["kernel_height"], params["kernel_width"]))
        out = layer.transform_images(x, {"should_apply_blur": tf.constant([True]),
                                         "blur_factor": tf.constant([params["sigma_x"], params["sigma_y"]],
                                                                    tf.float32)})
    elif kind == "perspective":
        layer = layers.RandomPerspective(interpolation=params["interpolation"], fill_value=params["fill_value"])
        start = perspective_start(h, w)
        out = layer.transform_images(x, {"apply_perspective": tf.constant([True]),
                                         "start_points": tf.constant(start[None], tf.float32),
                                         "end_points": tf.constant(np.asarray(params["end_points"], np.float32)
                                                                   .reshape(1, 4, 2)),
                                         "input_shape": (1, h, w, c)})
    elif kind == "elastic":
        # Keras draws the displacement noise inside transform_images from its own generator (one draw
        # serves both axes); hand it augstore's Philox field instead, and run Keras' own computation.
        noise = np.load(params["noise_output"]).astype(np.float32)
        layer = layers.RandomElasticTransform(interpolation=params["interpolation"], fill_mode=params["fill_mode"],
                                              fill_value=params["fill_value"])
        transformation = {"apply_transform": tf.constant([True]),
                          "distortion_factor": tf.constant(params["distortion_factor"], tf.float32), "seed": 0}
        original = tf.random.stateless_normal
        tf.random.stateless_normal = lambda shape, **kwargs: tf.constant(
            noise.reshape([int(v) for v in shape]), dtype=kwargs.get("dtype", tf.float32))
        try:
            out = layer.transform_images(x, transformation)
        finally:
            tf.random.stateless_normal = original
    elif kind == "crop":
        layer = layers.RandomCrop(params["height"], params["width"])
        out = layer.transform_images(x, (params["y"], params["x"]))
    elif kind == "center_crop":
        out = layers.CenterCrop(params["height"], params["width"])(x)
    elif kind == "resize":
        out = layers.Resizing(params["height"], params["width"], interpolation=params["interpolation"])(x)
    elif kind == "brightness":
        layer = layers.RandomBrightness(0.5)
        out = layer.transform_images(x, {"rgb_delta": tf.constant([[[[params["delta"]]]]], tf.float32)})
    elif kind == "contrast":
        layer = layers.RandomContrast(0.5)
        out = layer.transform_images(x, {"contrast_factor": tf.constant([[[[params["factor"]]]]], tf.float32)})
    elif kind == "saturation":
        layer = layers.RandomSaturation(0.5)
        out = layer.transform_images(x, {"factor": tf.constant([params["factor"]], tf.float32)})
    elif kind == "hue":
        layer = layers.RandomHue(0.5, value_range=(0, 255))
        out = layer.transform_images(x, {"factor": tf.constant([params["factor"]], tf.float32)})
    elif kind == "grayscale":
        layer = layers.RandomGrayscale(1.0)
        out = layer.transform_images(x, tf.constant([[[[True]]]]))
    elif kind == "invert":
        layer = layers.RandomInvert()
        out = layer.transform_images(x, {"apply_inversion": tf.constant([True])})
    elif kind == "solarize":
        layer = layers.Solarization(addition_factor=0.5, threshold_factor=0.5)
        out = layer.transform_images(x, {"additions": tf.constant([[[[params["addition"]]]]], tf.float32),
                                         "thresholds": tf.constant([[[[params["threshold"]]]]], tf.float32)})
    elif kind == "posterize":
        layer = layers.RandomPosterization(4)
        out = layer.transform_images(x, {"shift_factor": tf.constant([params["shift"]], tf.uint8)})
    elif kind == "degenerate":
        layer = layers.RandomColorDegeneration(0.5)
        out = layer.transform_images(x, {"factor": tf.constant([[[[params["factor"]]]]], tf.float32)})
    elif kind == "auto_contrast":
        out = layers.AutoContrast().transform_images(x, None)
    elif kind == "equalize":
        out = layers.Equalization(bins=params["bins"]).transform_images(x, None)
    elif kind == "clahe":
        grid = (params["grid_height"], params["grid_width"])
        layer = layers.ContrastLimitedAdaptiveHistogramEqualization(clip_limit=params["clip_limit"],
                                                                   tile_grid_size=grid)
        tile_h, tile_w = -(-h // grid[0]), -(-w // grid[1])
        pad_h, pad_w = tile_h * grid[0] - h, tile_w * grid[1] - w
        if pad_h > h or pad_w > w:
            # TensorFlow's MirrorPad rejects a padding longer than the image; Keras' numpy and JAX
            # backends pad as numpy does. The layer on the image padded that way (its size divides by the
            # grid, so Keras pads no further and the tiles are the same) cropped back is that result.
            padded = np.pad(np.asarray(x), [[0, 0], [0, pad_h], [0, pad_w], [0, 0]], mode="symmetric")
            out = layer.transform_images(tf.constant(padded), None)[:, :h, :w, :]
        else:
            out = layer.transform_images(x, None)
    elif kind == "sharpen":
        layer = layers.RandomSharpness(0.5)
        out = layer.transform_images(x, {"factor": tf.constant([params["factor"]], tf.float32)})
    elif kind == "color_jitter":
        # Keras' RandomColorJitter draws inside transform_images; the recorded factors go through its
        # sub-layers' transform_images in its order, in float32, as its transform_images chains them.
        layer = layers.RandomColorJitter(value_range=(0, 255), brightness_factor=0.5, contrast_factor=0.5,
                                         saturation_factor=0.5, hue_factor=0.5)
        out = x
        if "rgb_delta" in params:
            out = layer.random_brightness.transform_images(
                out, {"rgb_delta": tf.constant([[[[params["rgb_delta"]]]]], tf.float32)})
        if "contrast_factor" in params:
            out = layer.random_contrast.transform_images(
                out, {"contrast_factor": tf.constant([[[[params["contrast_factor"]]]]], tf.float32)})
        if "saturation_factor" in params:
            out = layer.random_saturation.transform_images(
                out, {"factor": tf.constant([params["saturation_factor"]], tf.float32)})
        if "hue_factor" in params:
            out = layer.random_hue.transform_images(out, {"factor": tf.constant([params["hue_factor"]], tf.float32)})
    elif kind == "rand_augment":
        out = keras_rand_augment(image, params)
    elif kind == "aug_mix":
        out = keras_aug_mix(image, params)
    elif kind == "rescale":
        out = layers.Rescaling(params["scale"], params["offset"])(x)
    elif kind == "normalize":
        out = layers.Normalization(mean=params["mean"], variance=params["variance"])(x)
    else:
        raise ValueError(kind)
    return np.asarray(out)[0]


def keras_sub_transformation(layer, name, op, image):
    """The transformation dict of one RandAugment sub-layer, built from augstore's recorded parameters."""
    h, w, c = image.shape
    if name == "random_shear":
        return {"shear_factor": tf.constant([[op["shear_x"], op["shear_y"]]], tf.float32),
                "input_shape": (1, h, w, c)}
    if name == "random_translation":
        return {"translations": tf.constant([[op["translate_x"], op["translate_y"]]], tf.float32),
                "input_shape": (1, h, w, c)}
    if name == "random_rotation":
        matrix = layer._compute_affine_matrix(
            center_x=0.5, center_y=0.5, angle=tf.constant([op["angle"]], tf.float32),
            translate_x=tf.zeros([1]), translate_y=tf.zeros([1]), scale=tf.ones([1]),
            shear_x=tf.zeros([1]), shear_y=tf.zeros([1]), height=h, width=w)
        return {"angle": tf.constant([op["angle"]], tf.float32), "rotation_matrix": matrix,
                "image_height": h, "image_width": w, "batch_size": 1}
    if name == "random_brightness":
        return {"rgb_delta": tf.constant([[[[op["rgb_delta"]]]]], tf.float32)}
    if name == "random_color_degeneration":
        return {"factor": tf.constant([[[[op["factor"]]]]], tf.float32)}
    if name == "random_contrast":
        return {"contrast_factor": tf.constant([[[[op["contrast_factor"]]]]], tf.float32)}
    if name == "random_sharpness":
        return {"factor": tf.constant([op["factor"]], tf.float32)}
    if name == "random_posterization":
        return {"shift_factor": tf.constant([op["shift_factor"]], tf.uint8)}
    if name == "solarization":
        return {"additions": tf.constant([[[[op["additions"]]]]], tf.float32),
                "thresholds": tf.constant([[[[op["thresholds"]]]]], tf.float32)}
    return None  # auto_contrast, equalization


def keras_rand_augment(image, params):
    """Keras' RandAugment.transform_images with layer_idxes and the chosen sub-layers' transformations
    taken from augstore's record (the other sub-layers keep a draw of their own: RandAugment computes
    them all and keeps only the chosen ones)."""
    spec = json.loads(params["spec"])["transforms"][0]
    with open(params["record_output"]) as f:
        record = json.load(f)
    ops = record["params"][0]["ops"]
    params["chosen"] = [op["op"] for op in ops]
    if image.shape[2] == 1:
        # Keras' colour sub-layers need RGB (and RandAugment runs them all): a grey image as three equal
        # channels; the probe's grey output is compared with channel 0.
        image = np.repeat(image, 3, axis=2)
    factor = spec.get("factor", 0.5)
    layer = layers.RandAugment(value_range=tuple(spec.get("value_range", (0, 255))), num_ops=spec.get("num_ops", 2),
                               factor=tuple(factor) if isinstance(factor, list) else factor,
                               interpolation=spec.get("interpolation", "bilinear"))
    x = batch(image)
    layer.build(x.shape)
    transformation = layer.get_random_transformation(x, training=True)
    names = layers.RandAugment._AUGMENT_LAYERS
    for op in ops:
        sub = getattr(layer, op["op"])
        transformation["transforms"][op["op"]] = keras_sub_transformation(sub, op["op"], op, image)
    transformation["layer_idxes"] = tf.constant([names.index(op["op"]) for op in ops], tf.int32)
    out = np.asarray(layer.transform_images(x, transformation, training=True))
    return out[..., :1] if params.get("grey") else out


def keras_aug_mix(image, params):
    """Keras' AugMix.transform_images with the chain weights, the input weight and every chain's
    operations (each with its sub-layer's transformation) taken from augstore's record."""
    spec = json.loads(params["spec"])["transforms"][0]
    with open(params["record_output"]) as f:
        record = json.load(f)
    drawn = record["params"][0]
    params["chosen"] = [[op["op"] for op in chain] for chain in drawn["chains"]]
    if image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    factor = spec.get("factor", 0.3)
    layer = layers.AugMix(value_range=tuple(spec.get("value_range", (0, 255))),
                          num_chains=spec.get("num_chains", 3), chain_depth=spec.get("chain_depth", 3),
                          factor=tuple(factor) if isinstance(factor, list) else factor,
                          alpha=spec.get("alpha", 1.0), all_ops=spec.get("all_ops", True),
                          interpolation=spec.get("interpolation", "bilinear"))
    x = batch(image)
    layer.build(x.shape)
    transformation = {
        "chain_mixing_weights": tf.constant(drawn["chain_mixing_weights"], tf.float32),
        "weight_sample": tf.constant(drawn["weight_sample"], tf.float32),
        "chain_transforms": [
            [{"layer_name": op["op"],
              "transformation": keras_sub_transformation(getattr(layer, op["op"]), op["op"], op, image)}
             for op in chain]
            for chain in drawn["chains"]],
    }
    out = np.asarray(layer.transform_images(x, transformation, training=True))
    return out[..., :1] if params.get("grey") else out


EXACT = {"flip", "crop", "center_crop", "invert", "posterize", "equalize"}
FLOAT = {"rescale", "normalize"}
COLOUR_RGB_ONLY = {"saturation", "hue", "grayscale", "degenerate", "color_jitter", "rand_augment", "aug_mix"}
# Colour kinds that work per channel in Keras (alpha included): augstore leaves alpha alone, so only RGB
# is compared.
PER_CHANNEL_COLOUR = {"invert", "solarize", "posterize", "auto_contrast", "equalize", "clahe", "sharpen"}


def perspective_start(h, w):
    return np.array([[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]], np.float32)


def perspective_end(h, w, shifts):
    """Keras' end points: start + start * shifts, in float32 (flattened x0, y0, ..., x3, y3)."""
    start = perspective_start(h, w)
    shifts = np.asarray(shifts, np.float32).reshape(4, 2)
    return [float(v) for v in (start + start * shifts).reshape(-1)]


# RandAugment arguments and how many draws (seeds) of each to compare per image.
RAND_AUGMENT_CONFIGS = [
    (dict(), 12),
    (dict(num_ops=3, factor=1.0), 8),
    (dict(num_ops=1, factor=0.1, interpolation="nearest"), 4),
    (dict(num_ops=2, factor=[0.2, 0.8], interpolation="nearest"), 4),
    (dict(num_ops=4, factor=0.0), 2),
    (dict(num_ops=0), 1),
]


# AugMix arguments and how many draws (seeds) of each to compare per image.
AUG_MIX_CONFIGS = [
    (dict(), 8),
    (dict(num_chains=2, chain_depth=4, factor=1.0, alpha=0.5), 6),
    (dict(num_chains=1, chain_depth=2, factor=0.1, interpolation="nearest", all_ops=False), 3),
    (dict(num_chains=4, chain_depth=1, factor=[0.2, 0.8], alpha=3.0, interpolation="nearest"), 3),
    (dict(chain_depth=0), 1),
]


def build_cases(images, quick):
    cases = []  # (kind, fill_mode, interpolation, image name, params)
    angles = [12.5, -33.0, 90.0] if not quick else [12.5]
    zooms = [(0.8, 0.8), (1.25, 0.9), (0.5, 1.5)] if not quick else [(1.25, 0.9)]
    shifts = [(3.0, -2.0), (-7.4, 5.6), (100.0, 41.0)] if not quick else [(-7.4, 5.6)]
    shears = [(0.2, -0.1), (-0.35, 0.0), (1.0, 1.0)] if not quick else [(0.2, -0.1)]
    blurs = ([(3, 3, 1.0, 1.0), (3, 3, 0.3, 0.8), (5, 5, 1e-6, 1e-6), (7, 7, 2.5, 0.6), (3, 5, 0.8, 0.5),
              (9, 3, 1.0, 0.4)] if not quick else [(3, 3, 0.3, 0.8)])
    distortions = [0.02, 0.3, 1.0] if not quick else [0.5]
    warps = ([[0] * 8, [0.1, -0.2, -0.15, 0.05, 0.2, -0.1, -0.05, 0.12],
              [0.0, 0.0, -0.3, 0.2, 0.25, -0.1, 0.4, 0.45], [0.5] * 8,
              [0.5, 0.5, -0.5, 0.5, 0.5, -0.5, -0.5, -0.5]]
             if not quick else [[0.1, -0.2, -0.15, 0.05, 0.2, -0.1, -0.05, 0.12]])
    for name, image in images.items():
        h, w, c = image.shape
        for fill_mode, interpolation in itertools.product(
                ["reflect", "wrap", "constant", "nearest"], ["bilinear", "nearest"]):
            for angle in angles:
                cases.append(("rotate", fill_mode, interpolation, name,
                              dict(angle=angle, fill_value=17.0)))
            for hz, wz in zooms:
                cases.append(("zoom", fill_mode, interpolation, name,
                              dict(height_zoom=hz, width_zoom=wz, fill_value=17.0)))
            for tx, ty in shifts:
                cases.append(("translate", fill_mode, interpolation, name,
                              dict(x=tx * w / 10 if tx != 100 else tx, y=ty * h / 10 if ty != 41 else ty,
                                   fill_value=17.0)))
            for sx, sy in shears:
                cases.append(("shear", fill_mode, interpolation, name, dict(x=sx, y=sy, fill_value=17.0)))
        if h > 1 and w > 1:
            # One-pixel-high or -wide images make Keras' homography system singular (TensorFlow raises).
            for interpolation in ["bilinear", "nearest"]:
                for number, corner_shifts in enumerate(warps):
                    cases.append(("perspective", "constant", interpolation, name,
                                  dict(warp=number, end_points=perspective_end(h, w, corner_shifts),
                                       interpolation=interpolation,
                                       fill_value=17.0)))
        for number, distortion in enumerate(distortions):
            for interpolation in ["bilinear", "nearest"]:
                # ("mirror", which the layer accepts, fails in Keras' elastic_transform on every call.)
                for fill_mode in ["reflect", "wrap", "constant", "nearest"]:
                    cases.append(("elastic", fill_mode, interpolation, name,
                                  dict(distortion_factor=distortion, interpolation=interpolation,
                                       fill_mode=fill_mode, fill_value=17.0,
                                       noise_seed=f"{(0x9E3779B97F4A7C15 * (len(cases) + 1)) % 2**64:016x}")))
        for kh, kw, sx, sy in blurs:
            cases.append(("gaussian_blur", "-", "-", name,
                          dict(kernel_height=kh, kernel_width=kw, sigma_x=sx, sigma_y=sy)))
        for hor, ver in [(True, False), (False, True), (True, True)]:
            cases.append(("flip", "-", "-", name, dict(horizontal=hor, vertical=ver)))
        ch, cw = max(1, h * 2 // 3), max(1, w // 2)
        cases.append(("crop", "-", "-", name, dict(x=w - cw, y=(h - ch) // 2, height=ch, width=cw)))
        cases.append(("center_crop", "-", "-", name, dict(height=ch, width=cw)))
        for method in ["bilinear", "nearest", "area"]:
            for oh, ow in [(max(1, h // 2), max(1, w * 3 // 4)), (h * 2 + 1, w + 3), (7, 5)]:
                cases.append(("resize", "-", method, name, dict(height=oh, width=ow, interpolation=method)))
        if c in (1, 3, 4):
            for delta in [25.5, -63.75, 0.4]:
                cases.append(("brightness", "-", "-", name, dict(delta=delta)))
            for factor in [0.5, 1.37, 2.0]:
                cases.append(("contrast", "-", "-", name, dict(factor=factor)))
        if c in (3, 4):
            for factor in [-0.23, -0.05, 0.0, 0.4, 1.0, 2.5]:
                cases.append(("saturation", "-", "-", name, dict(factor=factor)))
            for factor in [0.1, -0.3, 0.5]:
                cases.append(("hue", "-", "-", name, dict(factor=factor)))
            cases.append(("grayscale", "-", "-", name, dict()))
        if c in (1, 3, 4):
            cases.append(("invert", "-", "-", name, dict()))
            for addition, threshold in [(0.0, 0.0), (0.0, 128.0), (40.5, 200.25), (76.5, 229.5), (255.0, 10.0)]:
                cases.append(("solarize", "-", "-", name, dict(addition=addition, threshold=threshold)))
            for shift in range(8):
                cases.append(("posterize", "-", "-", name, dict(shift=shift)))
            cases.append(("auto_contrast", "-", "-", name, dict()))
            for bins in [256, 64, 7, 2]:
                cases.append(("equalize", "-", "-", name, dict(bins=bins)))
            for clip_limit, grid_height, grid_width in [(4.0, 8, 8), (2.0, 3, 5), (0.0, 4, 4), (1.0, 1, 1),
                                                        (40.0, 7, 2), (-1.0, 2, 9), (0.7, 16, 16)]:
                cases.append(("clahe", "-", "-", name, dict(clip_limit=clip_limit, grid_height=grid_height,
                                                            grid_width=grid_width)))
            for factor in [0.0, 0.25, 0.5, 0.9, 1.0]:
                cases.append(("sharpen", "-", "-", name, dict(factor=factor)))
            cases.append(("color_jitter", "-", "-", name, dict(rgb_delta=-30.6, contrast_factor=1.45)))
        if c in (3, 4):
            for factor in [-0.8, 0.3, 1.0]:
                cases.append(("degenerate", "-", "-", name, dict(factor=factor)))
            for params in [dict(rgb_delta=20.4, contrast_factor=0.7, saturation_factor=1.6, hue_factor=0.12),
                           dict(rgb_delta=-51.0), dict(contrast_factor=1.9, hue_factor=-0.2),
                           dict(saturation_factor=4.0, hue_factor=0.3), dict(saturation_factor=-0.3),
                           dict(rgb_delta=90.0, contrast_factor=1.2, saturation_factor=0.0, hue_factor=-0.45)]:
                cases.append(("color_jitter", "-", "-", name, params))
        for number, (arguments, seeds) in enumerate(RAND_AUGMENT_CONFIGS if not quick else RAND_AUGMENT_CONFIGS[:1]):
            spec = json.dumps({"transforms": [dict(type="RandAugment", **arguments)]})
            for seed in range(seeds if not quick else 2):
                cases.append(("rand_augment", "-", arguments.get("interpolation", "bilinear"), name,
                              dict(config=number, seed=seed, spec=spec, sample_key=1000 + seed,
                                   epoch=number, grey=c == 1)))
        for number, (arguments, seeds) in enumerate(AUG_MIX_CONFIGS if not quick else AUG_MIX_CONFIGS[:1]):
            spec = json.dumps({"transforms": [dict(type="AugMix", **arguments)]})
            for seed in range(seeds if not quick else 2):
                cases.append(("aug_mix", "-", arguments.get("interpolation", "bilinear"), name,
                              dict(config=number, seed=seed, spec=spec, sample_key=2000 + seed,
                                   epoch=number, grey=c == 1)))
        cases.append(("rescale", "-", "-", name, dict(scale=1 / 255, offset=-0.5)))
        cases.append(("normalize", "-", "-", name, dict(mean=[100.0 + 10 * i for i in range(c)],
                                                        variance=[3000.0 - 200 * i for i in range(c)])))
    return cases


def probe_op(kind, fill_mode, interpolation, params):
    if kind in ("rand_augment", "aug_mix"):
        return dict(op="pipeline", spec=params["spec"], seed=params["seed"], sample_key=params["sample_key"],
                    epoch=params["epoch"], record_output=params["record_output"])
    op = dict(op=kind, **params)
    if kind in ("rotate", "zoom", "translate", "shear"):
        op.update(fill_mode=fill_mode, interpolation=interpolation)
    return op


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--probe", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=None, help="comma-separated transform kinds")
    args = parser.parse_args()
    images = make_images(args.quick)
    cases = build_cases(images, args.quick)
    if args.only:
        kinds = set(args.only.split(","))
        cases = [case for case in cases if case[0] in kinds]
    with tempfile.TemporaryDirectory() as folder:
        for name, image in images.items():
            np.save(os.path.join(folder, name + ".npy"), image)
        probe_cases = []
        for index, (kind, fill_mode, interpolation, name, params) in enumerate(cases):
            if kind == "elastic":
                params["noise_output"] = os.path.join(folder, f"noise{index}.npy")
            if kind in ("rand_augment", "aug_mix"):
                params["record_output"] = os.path.join(folder, f"record{index}.json")
            probe_cases.append({"input": name + ".npy", "output": f"out{index}.npy",
                                "ops": [probe_op(kind, fill_mode, interpolation, params)]})
        with open(os.path.join(folder, "cases.json"), "w") as f:
            json.dump({"cases": probe_cases}, f)
        subprocess.run([args.probe, "run", os.path.join(folder, "cases.json")], check=True,
                       stdout=subprocess.DEVNULL)
        rows = []
        for index, (kind, fill_mode, interpolation, name, params) in enumerate(cases):
            image = images[name]
            ours = np.load(os.path.join(folder, f"out{index}.npy"))
            if kind in ("rotate", "zoom", "translate", "shear"):
                theirs = keras_geometric(kind, image, params, fill_mode, interpolation, params["fill_value"])
            else:
                theirs = keras_other(kind, image, params)
            note = ""
            if kind in FLOAT:
                diff = float(np.max(np.abs(ours.astype(np.float64) - theirs.astype(np.float64))))
                ok = diff <= 1e-5 * max(1.0, float(np.max(np.abs(theirs))))
            else:
                theirs = np.clip(theirs.astype(np.float64), 0, 255)
                ours64 = ours.astype(np.float64)
                if image.shape[2] == 4 and kind in ("brightness", "contrast", *COLOUR_RGB_ONLY,
                                                    *PER_CHANNEL_COLOUR):
                    # Keras has no alpha notion (and colour ops reject 4 channels): compare RGB, and check
                    # that augstore left alpha untouched.
                    # (RandAugment's geometric operations move alpha with the pixels.)
                    if kind not in ("rand_augment", "aug_mix") and not np.array_equal(ours[..., 3], image[..., 3]):
                        note = "alpha changed"
                    ours64 = ours64[..., :3]
                    theirs = theirs[..., :3] if theirs.shape[-1] == 4 else theirs
                if kind == "grayscale" and theirs.shape[-1] == 1:
                    theirs = np.repeat(theirs, ours64.shape[-1], axis=-1)
                if ours64.shape != theirs.shape:
                    diff, ok, note = float("nan"), False, f"shape {ours64.shape} vs {theirs.shape}"
                else:
                    diff = float(np.max(np.abs(ours64 - theirs))) if ours64.size else 0.0
                    ok = diff <= (0 if kind in EXACT else 1) and not note
            label = kind + "(" + ",".join(f"{k}={v}" for k, v in params.items()
                                           if k not in ("fill_value", "interpolation", "mean", "variance",
                                                        "end_points", "noise_output", "noise_seed",
                                                        "fill_mode", "spec", "record_output", "grey",
                                                        "sample_key", "epoch")) + ")"
            rows.append((label, fill_mode, interpolation, name, diff, ok, note))
    width = max(len(r[0]) for r in rows)
    print(f"{'transform':<{width}}  {'fill':<8} {'interp':<8} {'image':<13} {'max|diff|':>10}  result")
    failures = 0
    for label, fill_mode, interpolation, name, diff, ok, note in rows:
        failures += not ok
        print(f"{label:<{width}}  {fill_mode:<8} {interpolation:<8} {name:<13} {diff:>10.4g}  "
              f"{'pass' if ok else 'FAIL'} {note}")
    print(f"\n{len(rows)} cases, {len(rows) - failures} pass, {failures} fail")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
