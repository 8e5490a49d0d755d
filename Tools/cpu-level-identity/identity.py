"""Runs the same kernel-probe cases through two builds and compares their outputs byte for byte.

Inputs are deterministic pseudo-random images (a smooth gradient plus noise from a fixed 64-bit
linear congruential sequence; any bytes serve, since the question is only whether two builds agree)
of several sizes and channel counts. Python's standard library only.
"""

import argparse
import filecmp
import itertools
import json
import os
import subprocess
import sys

SIZES = [(224, 224, 3), (61, 47, 3), (64, 96, 4), (31, 29, 1), (13, 17, 2), (1, 1, 3), (200, 9, 3),
         (9, 200, 3), (50, 50, 4)]
# The sizes whose cases include the factor sweeps (RGB and RGBA).
SWEEP_SIZES = [(61, 47), (64, 96)]


def npy_bytes(height, width, channels, data):
    header = "{'descr': '|u1', 'fortran_order': False, 'shape': (%d, %d, %d), }" % (height, width, channels)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + data


def image(height, width, channels, seed):
    state = seed * 6364136223846793005 + 1442695040888963407
    out = bytearray(height * width * channels)
    i = 0
    for y in range(height):
        for x in range(width):
            for c in range(channels):
                state = (state * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
                noise = (state >> 58) - 32
                smooth = (x * 255 // max(width - 1, 1) + y * 97 // max(height - 1, 1) + 60 * c) % 256
                out[i] = max(0, min(255, smooth + noise))
                i += 1
    return bytes(out)


def ops_for(height, width, channels):
    ops = [{"op": "flip", "horizontal": h, "vertical": v} for h, v in [(True, False), (False, True), (True, True)]]
    if height > 4 and width > 4:
        ops.append({"op": "crop", "x": 1, "y": 2, "height": height - 3, "width": width - 2})
        ops.append({"op": "center_crop", "height": height - 2, "width": width - 4 if width > 5 else width})
    for interpolation, fill_mode in itertools.product(["bilinear", "nearest"],
                                                      ["reflect", "wrap", "constant", "nearest"]):
        common = {"interpolation": interpolation, "fill_mode": fill_mode, "fill_value": 17}
        for angle in [-33.3, -7.5, 0.0, 12.5, 90.0, 179.0]:
            ops.append(dict(common, op="rotate", angle=angle))
        for hz, wz in [(0.8, 0.9), (1.2, 1.1), (-0.1, 0.3), (1.0, 1.0)]:
            ops.append(dict(common, op="zoom", height_zoom=hz, width_zoom=wz))
        for x, y in [(10.3, -7.6), (-3.0, 2.0), (0.5, 0.5)]:
            ops.append(dict(common, op="translate", x=x, y=y))
        ops.append(dict(common, op="affine", matrix=[0.9, 0.2, 3.5, -0.15, 1.1, -2.25]))
        for x, y in [(0.2, -0.1), (-0.7, 0.0), (0.0, 0.45)]:
            ops.append(dict(common, op="shear", x=x, y=y))
    # The layers Keras 3 added: blur, perspective, elastic and the tone kernels.
    for size, sigma_x, sigma_y in [(5, 1.0, 1.0), (3, 0.3, 0.8), (7, 2.5, 0.6), (4, 1.2, 0.7), (3, 1.0, 1.0)]:
        ops.append({"op": "gaussian_blur", "kernel_height": size, "kernel_width": size, "sigma_x": sigma_x,
                    "sigma_y": sigma_y})
    ops.append({"op": "gaussian_blur", "kernel_height": 3, "kernel_width": 5, "sigma_x": 0.9, "sigma_y": 1.4})
    right, bottom = width - 1, height - 1
    for interpolation in ["bilinear", "nearest"]:
        for fill_value in [0, 17]:
            for end in [[0, 0, right * 0.9, bottom * 0.05, right * 0.08, bottom * 0.95, right * 1.05, bottom * 0.9],
                        [right * 0.1, -bottom * 0.2, right * 1.3, 0, -right * 0.1, bottom, right, bottom * 1.2]]:
                ops.append({"op": "perspective", "end_points": end, "interpolation": interpolation,
                            "fill_value": fill_value})
        for fill_mode in ["reflect", "wrap", "constant", "nearest"]:
            for distortion in [0.5, 1.0]:
                ops.append({"op": "elastic", "noise_seed": "12345678", "distortion_factor": distortion,
                            "interpolation": interpolation, "fill_mode": fill_mode, "fill_value": 17})
    ops += [{"op": "invert"}, {"op": "invert", "maximum": 200}, {"op": "posterize", "shift": 4},
            {"op": "posterize", "shift": 1}, {"op": "auto_contrast"}, {"op": "equalize"},
            {"op": "equalize", "bins": 17}, {"op": "clahe"}, {"op": "clahe", "clip_limit": 2, "grid_height": 3,
                                                                  "grid_width": 5}]
    for addition, threshold in [(0, 128), (30, 200), (-40, 10)]:
        ops.append({"op": "solarize", "addition": addition, "threshold": threshold})
    for factor in [0, 0.5, 1, 1.7, -0.3]:
        ops.append({"op": "degenerate", "factor": factor})
    for factor in [0, 0.5, 0.9, 1, -0.4, 3]:
        ops.append({"op": "sharpen", "factor": factor})
    for jitter in [{"rgb_delta": 25.5, "contrast_factor": 1.3, "saturation_factor": 1.5, "hue_factor": 0.1},
                   {"rgb_delta": -60.0, "contrast_factor": 0.7}, {"saturation_factor": 0.4, "hue_factor": -0.3},
                   {"contrast_factor": 2.2, "hue_factor": 0.45}]:
        ops.append(dict(jitter, op="color_jitter"))
    for method in ["bilinear", "nearest", "area"]:
        for h, w in [(160, 160), (7, 5), (height * 2 + 1, width + 3), (max(1, height // 3), max(1, width // 2))]:
            ops.append({"op": "resize", "interpolation": method, "height": h, "width": w})
    for delta in [-300, -25.5, 0, 0.4, 25.5, 127.6]:
        ops.append({"op": "brightness", "delta": delta})
    for factor in [0, 0.5, 0.8, 1, 1.3, 2.7, -1]:
        ops.append({"op": "contrast", "factor": factor})
    for factor in [0, 0.25, 0.5, 0.999, 1, 1.5, 2, 3.3, 254.9, 255, 255.5, 1e4, -0.5, 0.5 + 2 ** -20, 100.5]:
        ops.append({"op": "saturation", "factor": factor})
    for factor in [0, 0.1, -0.1, 0.25, 0.5, -0.5, 0.999, -0.999, 1, -1, 1.5, 1e-7, 1 / 3]:
        ops.append({"op": "hue", "factor": factor})
    if (height, width) in SWEEP_SIZES:
        # Factor sweeps: the integer line of contrast and the float lanes of the colour kernels take
        # different paths (and constants) for different factors.
        ops += [{"op": "contrast", "factor": round(0.0173 * i, 4)} for i in range(1, 240)]
        ops += [{"op": "saturation", "factor": round(0.0291 * i, 4)} for i in range(0, 120)]
        ops += [{"op": "degenerate", "factor": round(-1.5 + 0.0317 * i, 4)} for i in range(0, 120)]
        ops += [{"op": "hue", "factor": round(-1 + 0.0209 * i, 4)} for i in range(0, 96)]
    ops.append({"op": "grayscale"})
    ops.append({"op": "erase", "x": 2, "y": 1, "height": 5, "width": 7, "value": [12.0] * channels})
    ops.append({"op": "rescale", "scale": 1 / 255, "offset": -0.5})
    ops.append({"op": "normalize", "mean": [100.0] * channels, "variance": [3000.0] * channels})
    return ops


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--baseline", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--host-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the --host probe only (repeatable)")
    args = parser.parse_args()
    host_env = dict(os.environ, **dict(item.split("=", 1) for item in args.host_env))
    cases = []
    for index, (h, w, c) in enumerate(SIZES):
        name = f"in{index}_{h}x{w}x{c}.npy"
        with open(os.path.join(args.work, name), "wb") as f:
            f.write(npy_bytes(h, w, c, image(h, w, c, index)))
        for op in ops_for(h, w, c):
            cases.append({"input": name, "ops": [op]})
        # Chains as the pipelines run them, and the fused geometric path.
        chain = [{"op": "flip", "horizontal": True}, {"op": "rotate", "angle": 11.0},
                 {"op": "zoom", "height_zoom": 0.93, "width_zoom": 1.05}, {"op": "contrast", "factor": 1.2},
                 {"op": "brightness", "delta": -12.0}]
        cases.append({"input": name, "ops": chain})
        cases.append({"input": name, "ops": chain[1:3], "fuse": True})
    results = {}
    for label, probe in [("host", args.host), ("baseline", args.baseline)]:
        folder = os.path.join(args.work, label)
        os.makedirs(folder, exist_ok=True)
        listed = [dict(case, input=os.path.join(args.work, case["input"]),
                       output=os.path.join(folder, f"out{number}.npy")) for number, case in enumerate(cases)]
        path = os.path.join(args.work, f"cases-{label}.json")
        with open(path, "w") as f:
            json.dump({"cases": listed}, f)
        environment = host_env if label == "host" else os.environ
        subprocess.run([probe, "run", path], check=True, stdout=subprocess.DEVNULL, env=environment)
        results[label] = folder
    different = []
    for number, case in enumerate(cases):
        a = os.path.join(results["host"], f"out{number}.npy")
        b = os.path.join(results["baseline"], f"out{number}.npy")
        if not filecmp.cmp(a, b, shallow=False):
            different.append(f"case {number}: {case['input']} {json.dumps(case['ops'])}")
    kinds = sorted({op["op"] for case in cases for op in case["ops"]})
    print(f"{len(cases)} cases over {len(SIZES)} images ({len(kinds)} kernels: {', '.join(kinds)}): "
          f"{len(cases) - len(different)} byte-identical, {len(different)} different")
    for line in different[:40]:
        print("  " + line)
    sys.exit(1 if different else 0)


if __name__ == "__main__":
    main()
