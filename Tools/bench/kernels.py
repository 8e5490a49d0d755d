"""Side-by-side kernel benchmark: augstore (kernel-probe bench) vs Albumentations, single-threaded.

Both sides run the same transforms with fixed parameters on the same 224x224 RGB images (scikit-image's
bundled photos), one image at a time, for about `--seconds` per transform. The two sides alternate for
`--rounds` rounds and the best rate of each is kept.
"""

import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np

import cv2

cv2.setNumThreads(0)

import albumentations as A  # noqa: E402
from PIL import Image  # noqa: E402
from skimage import data as skdata  # noqa: E402


def images(paths=None):
    if paths:
        return [np.ascontiguousarray(np.asarray(Image.open(p).convert("RGB"))) for p in paths]
    photos = [skdata.astronaut(), skdata.chelsea(), skdata.coffee(), skdata.rocket()]
    return [np.ascontiguousarray(np.asarray(Image.fromarray(p).resize((224, 224), Image.BILINEAR)))
            for p in photos]


# Parameters mirror the ones kernel-probe's bench uses.
ALBUMENTATIONS = {
    "flip": A.HorizontalFlip(p=1),
    "crop": A.Crop(16, 16, 208, 208, p=1),
    "rotation_bilinear": A.Rotate(limit=(12.5, 12.5), interpolation=cv2.INTER_LINEAR,
                                  border_mode=cv2.BORDER_REFLECT, p=1),
    "rotation_constant": A.Rotate(limit=(12.5, 12.5), interpolation=cv2.INTER_LINEAR,
                                  border_mode=cv2.BORDER_CONSTANT, fill=0, p=1),
    "zoom": A.Affine(scale={"x": (1 / 0.9, 1 / 0.9), "y": (1 / 0.8, 1 / 0.8)}, interpolation=cv2.INTER_LINEAR,
                     border_mode=cv2.BORDER_REFLECT, p=1),
    "translation": A.Affine(translate_px={"x": (10, 10), "y": (-8, -8)}, interpolation=cv2.INTER_LINEAR,
                            border_mode=cv2.BORDER_REFLECT, p=1),
    # Keras' shear factors 0.2 and -0.1 are the tangents of Albumentations' shear angles (degrees).
    "shear": A.Affine(shear={"x": (11.3099, 11.3099), "y": (-5.7106, -5.7106)}, interpolation=cv2.INTER_LINEAR,
                      border_mode=cv2.BORDER_REFLECT, p=1),
    "gaussian_blur": A.GaussianBlur(blur_limit=(5, 5), sigma_limit=(1.0, 1.0), p=1),
    "perspective": A.Perspective(scale=(0.05, 0.1), interpolation=cv2.INTER_LINEAR, keep_size=True, p=1),
    # augstore's noise field is blurred with sigma = 0.05 * 224 * 0.5 (Keras' formula), alpha = 0.1 * 224 * 0.5.
    "elastic": A.ElasticTransform(alpha=11.2, sigma=5.6, interpolation=cv2.INTER_LINEAR,
                                  border_mode=cv2.BORDER_REFLECT_101, p=1),
    "resize": A.Resize(160, 160, interpolation=cv2.INTER_LINEAR, p=1),
    "brightness": A.RandomBrightnessContrast(brightness_limit=(0.1, 0.1), contrast_limit=(0, 0), p=1),
    "contrast": A.RandomBrightnessContrast(brightness_limit=(0, 0), contrast_limit=(0.3, 0.3), p=1),
    "saturation": A.ColorJitter(brightness=(1, 1), contrast=(1, 1), saturation=(1.5, 1.5), hue=(0, 0), p=1),
    "hue": A.HueSaturationValue(hue_shift_limit=(18, 18), sat_shift_limit=(0, 0), val_shift_limit=(0, 0), p=1),
    "invert": A.InvertImg(p=1),
    "solarize": A.Solarize(threshold_range=(0.5, 0.5), p=1),
    "posterize": A.Posterize(num_bits=4, p=1),
    # RandomColorDegeneration blends with the grey image: ColorJitter's saturation step does the same
    # (torchvision's adjust_saturation: a weighted sum with the grey image).
    "degenerate": A.ColorJitter(brightness=(1, 1), contrast=(1, 1), saturation=(0.5, 0.5), hue=(0, 0), p=1),
    "auto_contrast": A.AutoContrast(p=1),
    "equalize": A.Equalize(by_channels=True, p=1),
    # OpenCV's CLAHE (on the L channel of Lab for RGB) with the same clip limit and 8x8 tiles; augstore
    # equalizes each of R, G and B (Keras' layer works per channel).
    "clahe": A.CLAHE(clip_limit=(4, 4), tile_grid_size=(8, 8), p=1),
    "sharpen": A.Sharpen(alpha=(0.8, 0.8), lightness=(1, 1), method="kernel", kernel_size=3, p=1),
    "color_jitter": A.ColorJitter(brightness=(1.1, 1.1), contrast=(1.3, 1.3), saturation=(1.5, 1.5),
                                  hue=(0.05, 0.05), p=1),
    "normalization": A.Normalize(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225), p=1),
}


def time_albumentations(transform, imgs, seconds):
    for img in imgs:
        transform(image=img)
    count = 0
    start = time.perf_counter()
    while True:
        for img in imgs:
            transform(image=img)
        count += len(imgs)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--probe", required=True, action="append",
                        help="kernel-probe binary, or LABEL=PATH; repeat to compare builds (host, baseline)")
    parser.add_argument("--env", action="append", default=[], metavar="LABEL:NAME=VALUE",
                        help="an environment variable for one probe's runs (repeatable)")
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--images", nargs="*", help="224x224 RGB PNGs to use instead of the bundled photos")
    parser.add_argument("--json", help="also write every round's rates here: {side: {transform: [rates]}}")
    args = parser.parse_args()
    probes = {}
    for entry in args.probe:
        label, _, path = entry.rpartition("=")
        probes[label or "augstore"] = path
    environments = {label: dict(os.environ) for label in probes}
    for entry in args.env:
        label, _, setting = entry.partition(":")
        name, _, value = setting.partition("=")
        environments[label][name] = value
    imgs = images(args.images)
    best = {side: {} for side in [*probes, "albumentations"]}
    rounds = {side: {} for side in best}
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, img in enumerate(imgs):
            path = os.path.join(folder, f"img{i}.npy")
            np.save(path, img)
            paths.append(path)
        for _ in range(args.rounds):
            for label, probe in probes.items():
                result = subprocess.run([probe, "bench", "--json", "--seconds", str(args.seconds), *paths],
                                        check=True, capture_output=True, text=True, env=environments[label])
                for name, rate in json.loads(result.stdout.strip().splitlines()[-1]).items():
                    best[label][name] = max(best[label].get(name, 0), rate)
                    rounds[label].setdefault(name, []).append(rate)
            for name, transform in ALBUMENTATIONS.items():
                rate = time_albumentations(transform, imgs, args.seconds)
                best["albumentations"][name] = max(best["albumentations"].get(name, 0), rate)
                rounds["albumentations"].setdefault(name, []).append(rate)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rounds, f)
    print(f"224x224 RGB, single-threaded, images/s (best of {args.rounds} alternating rounds); "
          f"albumentations {A.__version__}, opencv {cv2.__version__}")
    header = f"{'transform':<20}" + "".join(f" {label:>10}" for label in probes) + f" {'albumentations':>15}"
    print(header + "".join(f" {label + ' ratio':>16}" for label in probes))
    for name in ALBUMENTATIONS:
        theirs = best["albumentations"][name]
        ours = [best[label].get(name, float("nan")) for label in probes]
        print(f"{name:<20}" + "".join(f" {a:>10.0f}" for a in ours) + f" {theirs:>15.0f}"
              + "".join(f" {a / theirs:>16.2f}" for a in ours))


if __name__ == "__main__":
    main()
