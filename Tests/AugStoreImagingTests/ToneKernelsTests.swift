import Testing

@testable import AugStoreImaging

/// A deterministic image of odd size with every sample value spread over the range.
private func sampleImage(height: Int, width: Int, channels: Int, seed: UInt32 = 1) -> Tensor {
  TestImages.noise(height: height, width: width, channels: channels, seed: seed)
}

/// A low-contrast image (samples in 60...139) so that stretching and equalizing change it.
private func dullImage(height: Int, width: Int, channels: Int) -> Tensor {
  let base = sampleImage(height: height, width: width, channels: channels, seed: 9)
  return Tensor(
    height: height, width: width, channels: channels, pixels: base.pixels.map { 60 + $0 % 80 })
}

/// Scalar references: each layer's formula written out sample by sample, in the float32 order Keras uses.
enum ToneReference {
  static func perColourSample(_ image: Tensor, _ body: (UInt8, Int) -> UInt8) -> Tensor {
    let colour = Kernels.colourChannels(image.channels)
    var output = image
    for i in output.pixels.indices where i % image.channels < colour {
      output.pixels[i] = body(image.pixels[i], i % image.channels)
    }
    return output
  }

  static func solarize(_ image: Tensor, addition: Float, threshold: Float) -> Tensor {
    perColourSample(image) { v, _ in
      let r = min(max(Float(v) + addition, 0), 255)
      return Kernels.toUInt8(r < threshold ? r : 255 - r)
    }
  }

  static func degenerate(_ image: Tensor, factor: Float) -> Tensor {
    guard image.channels >= 3 else { return image }
    var output = image
    for p in 0..<(image.height * image.width) {
      let i = p * image.channels
      let rgb = (0..<3).map { Float(image.pixels[i + $0]) }
      let grey = rgb[0] * 0.2989 + rgb[1] * 0.5870 + rgb[2] * 0.1140
      for c in 0..<3 {
        output.pixels[i + c] = Kernels.toUInt8(min(max(rgb[c] + factor * (grey - rgb[c]), 0), 255))
      }
    }
    return output
  }

  static func autoContrast(_ image: Tensor) -> Tensor {
    let channels = image.channels
    var low = [Float](repeating: 255, count: channels)
    var high = [Float](repeating: 0, count: channels)
    for (i, v) in image.pixels.enumerated() {
      low[i % channels] = min(low[i % channels], Float(v))
      high[i % channels] = max(high[i % channels], Float(v))
    }
    return perColourSample(image) { v, c in
      guard high[c] > low[c] else { return v }
      let scale = 255 / (high[c] - low[c])
      return Kernels.toUInt8(min(max(Float(v) * scale + -low[c] * scale, 0), 255))
    }
  }

  /// Keras' `_equalize_channel`: a histogram over `bins`, its cumulative sums, a rounded lookup table.
  static func equalize(_ image: Tensor, bins: Int) -> Tensor {
    let channels = image.channels
    var tables: [[UInt8]?] = []
    for c in 0..<channels {
      let samples = image.pixels.enumerated().filter { $0.offset % channels == c }.map { Float($0.element) }
      var histogram = [Int](repeating: 0, count: bins)
      for v in samples { histogram[min(max(Int(v * Float(bins - 1) / 255), 0), bins - 1)] += 1 }
      if histogram.filter({ $0 > 0 }).count <= 1 {
        tables.append(nil)
        continue
      }
      var cdf: [Int] = []
      var running = 0
      for count in histogram {
        running += count
        cdf.append(running)
      }
      let first = cdf.first(where: { $0 > 0 }) ?? 0
      let total = cdf.last ?? 0
      let denominator = total - first == 0 ? 1 : total - first
      let lut = cdf.map {
        min(max((Double(($0 - first) * 255) / Double(denominator)).rounded(.toNearestOrEven), 0), 255)
      }
      tables.append(
        (0..<256).map { v in UInt8(lut[Int(min(max(Float(v) / 255 * Float(bins - 1), 0), Float(bins - 1)))]) }
      )
    }
    return perColourSample(image) { v, c in tables[c]?[Int(v)] ?? v }
  }

  /// The 3×3 depthwise convolution with zero padding, then the blend, sample by sample.
  static func sharpen(_ image: Tensor, factor: Float) -> Tensor {
    let (height, width, channels) = (image.height, image.width, image.channels)
    let a = Float(1.0 / 13.0)
    let b = Float(5.0 / 13.0)
    var output = image
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<Kernels.colourChannels(channels) {
          var neighbours = 0
          for dy in -1...1 {
            for dx in -1...1 where dy != 0 || dx != 0 {
              let (yy, xx) = (y + dy, x + dx)
              if yy >= 0, yy < height, xx >= 0, xx < width {
                neighbours += Int(image.pixels[(yy * width + xx) * channels + c])
              }
            }
          }
          let v = Float(image.pixels[(y * width + x) * channels + c])
          let smoothed = a * Float(neighbours) + b * v
          output.pixels[(y * width + x) * channels + c] = Kernels.toUInt8(
            min(max(v + (1 - factor * 2) * (smoothed - v), 0), 255))
        }
      }
    }
    return output
  }
}

@Suite(
  "Kernels: colour layers (invert, solarize, posterize, degenerate, auto-contrast, equalize, sharpen, jitter)"
)
struct ToneKernelsTests {
  static let shapes: [(Int, Int, Int)] = [
    (1, 1, 3), (7, 5, 1), (13, 17, 3), (9, 11, 4), (6, 19, 2), (33, 37, 3),
  ]

  @Test("invert is 255 − v on colour samples, keeps alpha, and twice is the identity", arguments: shapes)
  func invert(shape: (Int, Int, Int)) {
    let image = sampleImage(height: shape.0, width: shape.1, channels: shape.2)
    let once = Kernels.invert(image)
    #expect(once == ToneReference.perColourSample(image) { v, _ in 255 - v })
    #expect(Kernels.invert(once) == image)
    // A non-default value_range maximum goes through the rounded table.
    #expect(
      Kernels.invert(image, maximum: 300)
        == ToneReference.perColourSample(image) { v, _ in Kernels.toUInt8(300 - Float(v)) })
  }

  @Test("solarize matches its scalar formula", arguments: shapes)
  func solarize(shape: (Int, Int, Int)) {
    let image = sampleImage(height: shape.0, width: shape.1, channels: shape.2)
    for (addition, threshold) in [(Float(0), Float(0)), (0, 128), (40.5, 200.25), (255, 10), (-20.3, 99.9)] {
      #expect(
        Kernels.solarize(image, addition: addition, threshold: threshold)
          == ToneReference.solarize(image, addition: addition, threshold: threshold))
    }
    // Threshold 0, no addition: every colour sample is inverted.
    #expect(Kernels.solarize(image, addition: 0, threshold: 0) == Kernels.invert(image))
  }

  @Test("posterize clears the low bits and is idempotent", arguments: shapes)
  func posterize(shape: (Int, Int, Int)) {
    let image = sampleImage(height: shape.0, width: shape.1, channels: shape.2)
    for shift in 0...7 {
      let once = Kernels.posterize(image, shift: shift)
      #expect(once == ToneReference.perColourSample(image) { v, _ in (v >> UInt8(shift)) << UInt8(shift) })
      #expect(Kernels.posterize(once, shift: shift) == once)
    }
    #expect(Kernels.posterize(image, shift: 0) == image)
  }

  @Test("colour degeneration blends towards grey; 0 keeps the image, 1 is the grey image", arguments: shapes)
  func degenerate(shape: (Int, Int, Int)) {
    let image = sampleImage(height: shape.0, width: shape.1, channels: shape.2)
    for factor: Float in [-0.8, 0, 0.3, 1] {
      #expect(
        Kernels.degenerateColor(image, factor: factor) == ToneReference.degenerate(image, factor: factor))
    }
    #expect(Kernels.degenerateColor(image, factor: 0) == image)
    if shape.2 >= 3 {
      #expect(Kernels.degenerateColor(image, factor: 1) == Kernels.grayscale(image))
    }
  }

  @Test("auto-contrast stretches each colour channel to 0...255", arguments: shapes)
  func autoContrast(shape: (Int, Int, Int)) {
    let image = dullImage(height: shape.0, width: shape.1, channels: shape.2)
    let stretched = Kernels.autoContrast(image)
    #expect(stretched == ToneReference.autoContrast(image))
    let colour = Kernels.colourChannels(shape.2)
    if shape.0 * shape.1 > 1 {
      for c in 0..<colour {
        let samples = stretched.pixels.enumerated().filter { $0.offset % shape.2 == c }.map(\.element)
        #expect(samples.min() == 0 && samples.max() == 255)
      }
    } else {
      // One pixel: every channel is constant, so Keras' NaN keeps the input.
      #expect(stretched == image)
    }
    #expect(Kernels.autoContrast(stretched) == stretched)
  }

  @Test("equalization matches Keras' histogram arithmetic for several bin counts", arguments: shapes)
  func equalize(shape: (Int, Int, Int)) {
    for image in [
      sampleImage(height: shape.0, width: shape.1, channels: shape.2),
      dullImage(height: shape.0, width: shape.1, channels: shape.2),
    ] {
      for bins in [256, 64, 7, 2, 1, 1000] {
        #expect(Kernels.equalize(image, bins: bins) == ToneReference.equalize(image, bins: bins))
      }
    }
    let constant = Tensor(height: shape.0, width: shape.1, channels: shape.2, repeating: 77)
    #expect(Kernels.equalize(constant, bins: 256) == constant)
  }

  @Test("sharpness blends with the zero-padded 3×3 smoothing; 0.5 is the identity", arguments: shapes)
  func sharpen(shape: (Int, Int, Int)) {
    let image = sampleImage(height: shape.0, width: shape.1, channels: shape.2)
    for factor: Float in [0, 0.25, 0.5, 0.9, 1] {
      #expect(Kernels.sharpen(image, factor: factor) == ToneReference.sharpen(image, factor: factor))
    }
    #expect(Kernels.sharpen(image, factor: 0.5) == image)
  }

  @Test("sharpness pads with the given value: a constant image padded with itself stays constant")
  func sharpenPadding() {
    let constant = Tensor(height: 5, width: 6, channels: 3, repeating: 100)
    #expect(Kernels.sharpen(constant, factor: 0, padding: 100) == constant)
    // Zero padding darkens the border when smoothing, as Keras' `padding="same"` convolution does.
    let smoothed = Kernels.sharpen(constant, factor: 0)
    #expect(smoothed.pixels[0] < 100 && smoothed.pixels[(2 * 6 + 2) * 3] == 100)
  }

  @Test("colour jitter with one step equals that step's own kernel (the HSV steps: the scalar HSV path)")
  func jitterSingleSteps() {
    for shape in Self.shapes {
      let image = sampleImage(height: shape.0, width: shape.1, channels: shape.2)
      let none = Kernels.colorJitter(
        image, rgbDelta: nil, contrastFactor: nil, saturationFactor: nil, hueFactor: nil)
      #expect(none == image)
      #expect(
        Kernels.colorJitter(image, rgbDelta: 25.5, contrastFactor: nil, saturationFactor: nil, hueFactor: nil)
          == Kernels.adjustBrightness(image, delta: 25.5))
      #expect(
        Kernels.colorJitter(image, rgbDelta: nil, contrastFactor: 1.37, saturationFactor: nil, hueFactor: nil)
          == Kernels.adjustContrast(image, factor: 1.37))
      #expect(
        Kernels.colorJitter(image, rgbDelta: nil, contrastFactor: nil, saturationFactor: nil, hueFactor: 0.1)
          == Kernels.mapHSV(image, .hue(0.1)))
      #expect(
        Kernels.colorJitter(image, rgbDelta: nil, contrastFactor: nil, saturationFactor: 1.6, hueFactor: nil)
          == Kernels.mapHSV(image, .saturation(1.6)))
    }
  }

  @Test("colour jitter's hue lanes give the bytes of its scalar HSV path", arguments: shapes)
  func jitterHueLanes(shape: (Int, Int, Int)) {
    let image = sampleImage(height: shape.0, width: shape.1, channels: shape.2)
    let settings: [(Float?, Float?, Float?, Float?)] = [
      (20.4, 0.7, 0.6, 0.12), (nil, nil, nil, -0.45), (-51, 1.9, 1, 0.3), (90, 1.2, 0, -0.2),
      (nil, nil, 3, 0.3), (nil, 0.5, -0.3, 0.05), (10, 1.5, 5, -0.3), (nil, nil, 4_999_999, 0.1),
      (-200, 2, 1.7, 0.49),
    ]
    for (delta, contrast, saturation, hue) in settings {
      let scalar = Kernels.colorJitter(
        image, rgbDelta: delta, contrastFactor: contrast, saturationFactor: saturation,
        saturationClip: 0...255, hueFactor: hue, hueLanes: false, features: .none)
      // The build's own lanes, and the AVX2 copies where the build picks them at run time.
      for features in [ProcessorFeatures.none, .current] {
        let lanes = Kernels.colorJitter(
          image, rgbDelta: delta, contrastFactor: contrast, saturationFactor: saturation,
          saturationClip: 0...255, hueFactor: hue, hueLanes: true, features: features)
        #expect(lanes == scalar, "\(features)")
      }
    }
  }

  @Test(
    "colour jitter on RGB (the planes' vector conversions): no step is the identity, and brightness then contrast is the float formula rounded once",
    arguments: [(1, 1), (3, 5), (13, 17), (33, 37), (8, 8)])
  func jitterChainRGB(size: (Int, Int)) {
    let image = sampleImage(height: size.0, width: size.1, channels: 3, seed: 5)
    #expect(
      Kernels.colorJitter(image, rgbDelta: nil, contrastFactor: nil, saturationFactor: nil, hueFactor: nil)
        == image)
    for (delta, factor) in [(Float(-30.6), Float(1.45)), (40.2, 3.1), (0.3, 0.2)] {
      let out = Kernels.colorJitter(
        image, rgbDelta: delta, contrastFactor: factor, saturationFactor: nil, hueFactor: nil)
      var expected = image
      for c in 0..<3 {
        let values = stride(from: c, to: image.pixels.count, by: 3).map {
          min(max(Float(image.pixels[$0]) + delta, 0), 255)
        }
        let mean = Float(values.reduce(0.0) { $0 + Double($1) } / Double(values.count))
        for (k, i) in stride(from: c, to: image.pixels.count, by: 3).enumerated() {
          expected.pixels[i] = Kernels.toUInt8(min(max((values[k] - mean) * factor + mean, 0), 255))
        }
      }
      #expect(out == expected)
    }
  }

  @Test("colour jitter chains in float: brightness then contrast equals the float formula rounded once")
  func jitterChain() {
    let image = sampleImage(height: 9, width: 11, channels: 4)
    let out = Kernels.colorJitter(
      image, rgbDelta: -30.6, contrastFactor: 1.45, saturationFactor: nil, hueFactor: nil)
    var expected = image
    for c in 0..<3 {
      let values = stride(from: c, to: image.pixels.count, by: 4).map {
        min(max(Float(image.pixels[$0]) - 30.6, 0), 255)
      }
      let mean = Float(values.reduce(0.0) { $0 + Double($1) } / Double(values.count))
      for (k, i) in stride(from: c, to: image.pixels.count, by: 4).enumerated() {
        expected.pixels[i] = Kernels.toUInt8(min(max((values[k] - mean) * 1.45 + mean, 0), 255))
      }
    }
    #expect(out == expected)
    // Alpha is untouched; grey images skip saturation and hue.
    #expect(stride(from: 3, to: out.pixels.count, by: 4).allSatisfy { out.pixels[$0] == image.pixels[$0] })
    let grey = sampleImage(height: 5, width: 7, channels: 1)
    #expect(
      Kernels.colorJitter(grey, rgbDelta: nil, contrastFactor: nil, saturationFactor: 3, hueFactor: 0.3)
        == grey)
  }
}
