"""Writes Tests/AugStoreImagingTests/Fixtures/keras/reduce-sum.json: float32 vectors with TensorFlow's
`reduce_sum` of each, and Gaussian taps normalised by TensorFlow (`kernel1d / tf.reduce_sum(kernel1d)`, as
`gaussian_blur`'s `_get_gaussian_kernel1d` does for `RandomGaussianBlur` and `RandomElasticTransform`) for
a few sizes and sigmas, as bit patterns, so that augstore's `Kernels.tensorFlowSum` and
`Kernels.gaussianKernel1D` are checked against what TensorFlow computed.

The unnormalised taps are computed as augstore computes them: `tf.square` (what TensorFlow's graph
optimizer makes of Keras' `** 2`; eager `tf.pow` can differ in the last bit) and `tf.exp` over a whole
number of 8-float packets (Eigen's vectorised exp; in eager mode the last `size mod 8` taps go through the
C library's scalar `expf`, which can differ in the last bit). Those two last-bit differences are within
the parity tolerance; the sum's order is not, which is what this fixture pins.

Usage: KERAS_BACKEND=tensorflow Tools/.venv-keras/bin/python Tools/keras-parity/make_reduce_sum_fixture.py
"""

import json
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def bits(values):
    return [int(v) for v in np.asarray(values, dtype=np.float32).view(np.uint32).ravel()]


def main():
    rng = np.random.default_rng(2026)
    sums = []
    for n in [1, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 39, 40, 41, 67, 100, 257]:
        values = (rng.random(n) * np.exp(rng.normal(0, 2, n))).astype(np.float32)
        total = np.asarray(tf.reduce_sum(tf.constant(values)))
        sums.append({"values": bits(values), "sum": bits([total])[0]})
    kernels = []
    for size, sigma in [(9, 0.5), (9, 1.7), (13, 2.4), (19, 3.2), (25, 4.8), (67, np.float32(224) * np.float32(0.05))]:
        padded = (size + 7) // 8 * 8
        x = tf.range(padded, dtype="float32") - (size - 1) / 2
        kernel1d = tf.exp(-0.5 * tf.square(x / np.float32(sigma)))[:size]
        kernel1d = kernel1d / tf.reduce_sum(kernel1d)
        kernels.append({"size": size, "sigma": bits([sigma])[0], "taps": bits(kernel1d.numpy())})
    path = os.path.join(root, "Tests", "AugStoreImagingTests", "Fixtures", "keras", "reduce-sum.json")
    with open(path, "w") as f:
        json.dump({"tensorflow": tf.__version__, "sums": sums, "gaussian_kernels": kernels}, f, indent=1)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
