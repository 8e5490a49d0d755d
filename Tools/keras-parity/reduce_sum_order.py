"""TensorFlow's float32 `reduce_sum` order on x86 CPUs, against a model of it.

Keras normalises its Gaussian kernels (RandomGaussianBlur, RandomElasticTransform) with `tf.reduce_sum`,
whose Eigen reduction (8-float AVX packets) is not a sequential sum: packets of 8 are accumulated 4 at a
time into 4 packet accumulators, which are then added in order; the packets left over are added to that
sum one by one; the last n mod 8 values are summed sequentially as scalars; the 8 lanes are reduced as
((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)); and the scalar sum is added last. augstore's
`Kernels.gaussianKernel1D` sums sequentially, which differs in the last bit from 8 taps on (27.99645
against 27.996443 for the 67 taps of a 224 x 224 elastic field): the one failing elastic parity case.

Usage: python reduce_sum_order.py [--vectors N]   (prints how many random vectors the model misses)
"""

import argparse
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

f = np.float32


def lanes_sum(lanes):
    b = [f(lanes[i] + lanes[i + 4]) for i in range(4)]
    return f(f(b[0] + b[2]) + f(b[1] + b[3]))


def model(values):
    n = len(values)
    packets = n // 8
    unrolled = (packets // 4) * 4
    accumulators = [[f(0)] * 8 for _ in range(4)]
    for block in range(unrolled):
        a = accumulators[block % 4]
        accumulators[block % 4] = [f(a[i] + values[block * 8 + i]) for i in range(8)]
    total = accumulators[0]
    for a in accumulators[1:]:
        total = [f(total[i] + a[i]) for i in range(8)]
    for block in range(unrolled, packets):
        total = [f(total[i] + values[block * 8 + i]) for i in range(8)]
    scalar = f(0)
    for value in values[packets * 8:]:
        scalar = f(scalar + value)
    return f(scalar + lanes_sum(total))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vectors", type=int, default=400)
    args = parser.parse_args()
    rng = np.random.default_rng(11)
    missed = []
    for _ in range(args.vectors):
        n = int(rng.integers(1, 400))
        values = (rng.random(n) * np.exp(rng.normal(0, 2, n))).astype(np.float32)
        if model(values) != np.asarray(tf.reduce_sum(tf.constant(values))):
            missed.append(n)
    print(f"{len(missed)} of {args.vectors} random vectors differ from tf.reduce_sum: {sorted(missed)[:20]}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
