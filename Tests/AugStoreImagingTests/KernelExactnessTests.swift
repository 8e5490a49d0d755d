import Testing

@testable import AugStoreImaging

/// Vector reformulations of kernel loops against the plain loops they replace, over many inputs.
@Suite("Kernels: vector reformulations equal their plain loops")
struct KernelExactnessTests {
  /// Deterministic samples in `0...255` (or NaN for `kind` 5) from noise bytes, shaped as the colour
  /// jitter's planes can be: integers, brightness-shifted and clipped, contrast-stretched with fine
  /// fractions, tiny values below 2⁻⁶ (the exact-sum condition fails), fractions down to 2⁻¹⁸.
  static func plane(count: Int, kind: Int, seed: UInt32) -> [Float] {
    let bytes = TestImages.noise(height: 1, width: max(count, 1), channels: 3, seed: seed).pixels
    return (0..<count).map { i in
      let a = Float(bytes[3 * i])
      let b = Float(bytes[3 * i + 1])
      let c = Float(bytes[3 * i + 2])
      switch kind {
      case 0: return a
      case 1: return min(max(a + 25.5 - 60, 0), 255)
      case 2: return min(max((a - 127.3) * 1.37 + 127.3 + b / 256, 0), 255)
      case 3: return c < 8 ? a / 4096 : a + b / 65536
      case 4: return min(a + b / 1024 + c / 262_144, 255)
      default: return a == 7 ? .nan : a
      }
    }
  }

  @Test(
    "planeSum equals the left-to-right Double sum (lanes when exact, the loop otherwise)",
    arguments: [0, 1, 7, 8, 9, 63, 50176, 65536, 65537, 140_001])
  func planeSum(count: Int) {
    for kind in 0...5 {
      let values = Self.plane(count: count, kind: kind, seed: UInt32(count % 1000 + kind))
      var expected = 0.0
      for value in values { expected += Double(value) }
      let sum = values.withUnsafeBufferPointer { buffer in
        buffer.baseAddress.map { Kernels.planeSum($0, count: count) } ?? 0
      }
      #expect(sum.bitPattern == expected.bitPattern || (sum.isNaN && expected.isNaN), "kind \(kind)")
    }
  }

  @Test("channelExtremes equals the per-sample minimum and maximum", arguments: 1...4)
  func channelExtremes(channels: Int) {
    for pixels in [0, 1, 5, 15, 16, 17, 47, 100, 1000] {
      let image = TestImages.noise(height: 1, width: max(pixels, 1), channels: channels, seed: UInt32(pixels))
      let samples = Array(image.pixels.prefix(pixels * channels))
      var low = [UInt8](repeating: 255, count: channels)
      var high = [UInt8](repeating: 0, count: channels)
      for (i, v) in samples.enumerated() {
        low[i % channels] = min(low[i % channels], v)
        high[i % channels] = max(high[i % channels], v)
      }
      let extremes = samples.withUnsafeBufferPointer { Kernels.channelExtremes($0, channels: channels) }
      #expect(extremes.low == low && extremes.high == high, "\(pixels) pixels")
    }
  }

  @Test(
    "sharpness (eight-sample lanes over 16-bit row sums) equals the float formula for many factors",
    arguments: [(41, 53, 3), (17, 9, 1), (2, 30, 3), (30, 2, 3), (1, 40, 1)])
  func sharpen(shape: (Int, Int, Int)) {
    let image = TestImages.noise(height: shape.0, width: shape.1, channels: shape.2, seed: 77)
    var factors = stride(from: Float(-2), through: 3, by: 0.37).map { $0 }
    factors += [0.5, 1e5, -7e5, 1e7]  // the last two: weights of magnitude 2^20 or more (scalar loop)
    for factor in factors {
      #expect(
        Kernels.sharpen(image, factor: factor) == ToneReference.sharpen(image, factor: factor),
        "factor \(factor)")
    }
  }

  @Test(
    "colour degeneration (pixel lanes) equals the float formula for many factors",
    arguments: [(33, 37, 3), (9, 11, 4), (40, 50, 4), (3, 5, 3)])
  func degenerate(shape: (Int, Int, Int)) {
    let image = TestImages.noise(height: shape.0, width: shape.1, channels: shape.2, seed: 31)
    for factor in stride(from: Float(-3), through: 4, by: 0.29) {
      var expected = image
      for p in 0..<(shape.0 * shape.1) {
        let i = p * shape.2
        let rgb = (0..<3).map { Float(image.pixels[i + $0]) }
        let grey = rgb[0] * 0.2989 + rgb[1] * 0.5870 + rgb[2] * 0.1140
        for c in 0..<3 {
          expected.pixels[i + c] = Kernels.toUInt8(min(max(rgb[c] + factor * (grey - rgb[c]), 0), 255))
        }
      }
      // The build's own lanes, and the AVX2 copy where the build picks it at run time.
      for features in [ProcessorFeatures.none, .current] {
        #expect(
          Kernels.degenerateColor(image, factor: factor, features: features) == expected,
          "factor \(factor), \(features)")
      }
    }
  }

  @Test(
    "solarize's byte form (saturating add, complement from a bound) equals the float formula",
    arguments: [(16, 16, 3), (5, 7, 3), (1, 11, 1)])
  func solarizeBytes(shape: (Int, Int, Int)) {
    // Every byte value at least once (plus noise), so the comparison covers the whole table.
    let noise = TestImages.noise(height: shape.0, width: shape.1, channels: shape.2, seed: 5)
    let pixels = noise.pixels.indices.map { i in i < 256 ? UInt8(i) : noise.pixels[i] }
    let image = Tensor(height: shape.0, width: shape.1, channels: shape.2, pixels: pixels)
    let additions: [Float] = [
      0, 1, -1, 37, -128, 254, 255, 256, 300, -255, -256, -400, 0.5, -0.5, 12.4, -99.7,
    ]
    let thresholds: [Float] = [-5, 0, 0.25, 1, 64, 127.5, 128, 200.1, 255, 255.5, 256, 1000, .infinity, .nan]
    for addition in additions {
      for threshold in thresholds {
        #expect(
          Kernels.solarize(image, addition: addition, threshold: threshold)
            == ToneReference.solarize(image, addition: addition, threshold: threshold),
          "addition \(addition), threshold \(threshold)")
      }
    }
    // Integer additions always take the byte form.
    for addition in stride(from: Float(-260), through: 260, by: 13) {
      let table = (0..<256).map { v -> UInt8 in
        let r = min(max(Float(v) + addition, 0), 255)
        return Kernels.toUInt8(r < 99.5 ? r : 255 - r)
      }
      #expect(
        Kernels.solarizeShape(table, addition: addition, threshold: 99.5) != nil, "addition \(addition)")
    }
  }

  @Test("clampedToUnit (bit-pattern form in the baseline build) equals laneMin(laneMax(x, 0), 1) bit for bit")
  func clampedToUnit() {
    var values: [Float] = [
      0, -0.0, 1, -1, 0.5, 2, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
      .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, Float(1).nextUp,
      Float(1).nextDown,
      (-1 as Float).nextUp, 255, 1e-30,
    ]
    values += stride(from: Float(-3), through: 3, by: 0.0137).map { $0 }
    while values.count % Kernels.HueLanes.scalarCount != 0 { values.append(0.25) }
    let lanes = Kernels.HueLanes.scalarCount
    for start in stride(from: 0, to: values.count, by: lanes) {
      var x = Kernels.HueLanes()
      for lane in 0..<lanes { x[lane] = values[start + lane] }
      let expected = Kernels.laneMin(
        Kernels.laneMax(x, Kernels.HueLanes(repeating: 0)), Kernels.HueLanes(repeating: 1))
      let got = Kernels.clampedToUnit(x)
      for lane in 0..<lanes {
        #expect(got[lane].bitPattern == expected[lane].bitPattern, "x = \(x[lane])")
      }
    }
  }
}
