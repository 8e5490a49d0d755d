import Testing

@testable import AugStoreImaging

/// Deterministic pseudo-random images (LCG, never the system RNG) for comparing fast kernels with
/// ``KernelReferences`` byte for byte.
enum EquivalenceImages {
  /// Image shapes (height, width): single pixels, odd sizes whose rows end mid-vector, and 224×224.
  static let shapes: [(Int, Int)] = [
    (1, 1), (1, 2), (2, 1), (3, 5), (7, 13), (5, 17), (16, 21), (31, 7), (224, 224),
  ]

  /// Uniform bytes when `palette` is empty, else bytes drawn from `palette` (ties and extremes).
  static func image(height: Int, width: Int, channels: Int, seed: UInt32, palette: [UInt8] = []) -> Tensor {
    var state = seed &* 2_654_435_761 &+ 0x9E37_79B9
    var pixels = [UInt8](repeating: 0, count: height * width * channels)
    for i in pixels.indices {
      state = state &* 1_664_525 &+ 1_013_904_223
      let byte = UInt8(truncatingIfNeeded: state >> 24)
      pixels[i] = palette.isEmpty ? byte : palette[Int(byte) % palette.count]
    }
    return Tensor(height: height, width: width, channels: channels, pixels: pixels)
  }

  /// Every shape with 1 to 4 channels, in uniform, extreme-valued and constant variants.
  static func all(channels: [Int] = [1, 2, 3, 4]) -> [Tensor] {
    var images: [Tensor] = []
    var seed: UInt32 = 1
    for (height, width) in shapes {
      for c in channels {
        images.append(image(height: height, width: width, channels: c, seed: seed))
        images.append(
          image(
            height: height, width: width, channels: c, seed: seed &+ 7,
            palette: [0, 1, 2, 127, 128, 253, 254, 255]))
        images.append(image(height: height, width: width, channels: c, seed: seed &+ 13, palette: [0, 255]))
        images.append(
          Tensor(height: height, width: width, channels: c, repeating: UInt8(truncatingIfNeeded: seed &* 37)))
        seed &+= 1
      }
    }
    return images
  }

  /// The first index where two tensors differ, for failure messages.
  static func firstDifference(_ a: Tensor, _ b: Tensor) -> String {
    guard a.height == b.height, a.width == b.width, a.channels == b.channels else { return "shapes differ" }
    guard let i = a.pixels.indices.first(where: { a.pixels[$0] != b.pixels[$0] }) else {
      return "equal"
    }
    return "\(a.height)x\(a.width)x\(a.channels) sample \(i): \(a.pixels[i]) vs reference \(b.pixels[i])"
  }
}

@Suite("Kernels: fast paths equal the scalar references")
struct KernelEquivalenceTests {
  static let images = EquivalenceImages.all()

  @Test func channelMeansAreExact() {
    for image in Self.images {
      #expect(Kernels.channelMeans(image) == KernelReferences.channelMeans(image))
    }
    // Long enough for the 16-bit lane accumulators to be flushed many times, all samples 255.
    let bright = Tensor(height: 300, width: 301, channels: 3, repeating: 255)
    #expect(Kernels.channelMeans(bright) == [255, 255, 255])
  }

  @Test(
    arguments: [
      0, -1, -0.5, 0.3, 0.7, 0.9999, 1, 1.0001, 1.3, 1.5, 2, 3.7, 10, 255, 1e6, -1e6, Float.infinity,
      -Float.infinity, Float.nan, Float.leastNonzeroMagnitude,
    ] as [Float])
  func contrast(factor: Float) {
    for image in Self.images {
      let fast = Kernels.adjustContrast(image, factor: factor)
      let reference = KernelReferences.adjustContrast(image, factor: factor)
      #expect(EquivalenceImages.firstDifference(fast, reference) == "equal")
    }
  }

  /// The integer shortcut is refused exactly when a product's fraction is too close to ½ to prove.
  @Test func saturationShiftsAreRefusedNearHalves() {
    #expect(Kernels.saturationShifts(factor: 0.5 + 0x1p-20) == nil)
    #expect(Kernels.saturationShifts(factor: 0.5) != nil)
    #expect(Kernels.saturationShifts(factor: 1.5) != nil)
  }

  /// Every colour (in steps of 3, plus the extremes) in one image, so ties between channels, grey
  /// pixels and every pixel maximum occur.
  @Test(arguments: [0, 0.37, 1.5, 2, 0.5 + 0x1p-20] as [Float])
  func saturationOverColourCube(factor: Float) {
    let levels = Array(stride(from: 0, through: 255, by: 3)).map(UInt8.init) + [1, 254]
    var pixels: [UInt8] = []
    for r in levels { for g in levels { for b in levels { pixels += [r, g, b] } } }
    let cube = Tensor(height: levels.count * levels.count, width: levels.count, channels: 3, pixels: pixels)
    let fast = Kernels.adjustSaturation(cube, factor: factor)
    let reference = KernelReferences.adjustSaturation(cube, factor: factor)
    #expect(EquivalenceImages.firstDifference(fast, reference) == "equal")
  }

  /// Every (pixel maximum, sample) pair at every channel position — pixels `(a, b, 0)`, `(b, 0, a)`,
  /// `(0, a, b)` for all bytes `a`, `b` — for 40 factors: Keras' `x / (1 − x + ε)` over a grid of
  /// `x` in `[0, 1)` (the factors `RandomSaturation` draws) and an irregular sweep of `[0, 255]`.
  @Test func saturationOverEveryPairForManyFactors() {
    var pixels: [UInt8] = []
    pixels.reserveCapacity(3 * 3 * 65_536)
    for a in 0...255 {
      for b in 0...255 {
        let (x, y) = (UInt8(a), UInt8(b))
        pixels += [x, y, 0, y, 0, x, 0, x, y]
      }
    }
    let image = Tensor(height: 3 * 256, width: 256, channels: 3, pixels: pixels)
    var factors: [Float] = []
    for k in 0..<25 {
      let x = Float(k) / 25 + 0.001_3
      factors.append(x / (1 - x + 1e-7))
    }
    for k in 0..<15 { factors.append(Float(k) * 17.003_9 + 0.000_7 * Float(k % 7)) }
    for factor in factors {
      let fast = Kernels.adjustSaturation(image, factor: factor)
      let reference = KernelReferences.adjustSaturation(image, factor: factor)
      let result = EquivalenceImages.firstDifference(fast, reference)
      #expect(result == "equal", "factor \(factor)")
      if result != "equal" { break }
    }
  }

  /// Hue over the colour cube (ties between channels, grey pixels, every maximum), for shifts that
  /// wrap in both directions.
  @Test(arguments: [0.1, -0.3, 0.5, 0.999] as [Float])
  func hueOverColourCube(factor: Float) {
    let levels = Array(stride(from: 0, through: 255, by: 5)).map(UInt8.init) + [1, 254]
    var pixels: [UInt8] = []
    for r in levels { for g in levels { for b in levels { pixels += [r, g, b] } } }
    let cube = Tensor(height: levels.count * levels.count, width: levels.count, channels: 3, pixels: pixels)
    let reference = KernelReferences.adjustHue(cube, factor: factor)
    for features in Self.featureChoices {
      let fast = Kernels.adjustHue(cube, factor: factor, features: features)
      #expect(EquivalenceImages.firstDifference(fast, reference) == "equal", "\(features)")
    }
  }

  /// The build's own lane code, and the copies compiled for this processor's extensions where the
  /// build picks them at run time (the baseline x86-64 build; elsewhere both are the same code).
  static let featureChoices: [ProcessorFeatures] = [.none, .current]

  /// Bilinear resizes down, up and to odd sizes, every channel count.
  @Test(arguments: [(160, 160), (1, 1), (7, 3), (5, 300), (224, 224), (300, 17), (2, 2)])
  func resizeBilinear(_ size: (Int, Int)) {
    for image in Self.images {
      let fast = Kernels.resize(image, height: size.0, width: size.1, method: .bilinear)
      let reference = KernelReferences.resizeBilinear(image, height: size.0, width: size.1)
      #expect(EquivalenceImages.firstDifference(fast, reference) == "equal")
    }
  }

  @Test(arguments: [(true, false), (false, true), (true, true), (false, false)])
  func flip(_ axes: (Bool, Bool)) {
    for image in Self.images {
      let reference = KernelReferences.flip(image, horizontal: axes.0, vertical: axes.1)
      for features in Self.featureChoices {
        let fast = Kernels.flip(image, horizontal: axes.0, vertical: axes.1, features: features)
        #expect(EquivalenceImages.firstDifference(fast, reference) == "equal", "\(features)")
      }
    }
  }

  @Test(
    arguments: [
      0, 0.25, 0.5, 0.999, 1, 1.0001, 1.5, 2, 3.3, 10, 254.9, 255, 255.5, 1e4, -0.5, -2, 0.5 + 0x1p-20, 1.7,
      0.3333, 2.5, 0.75, 100.5,
    ] as [Float])
  func saturation(factor: Float) {
    for image in Self.images {
      let fast = Kernels.adjustSaturation(image, factor: factor)
      let reference = KernelReferences.adjustSaturation(image, factor: factor)
      #expect(EquivalenceImages.firstDifference(fast, reference) == "equal")
    }
  }

  @Test(
    arguments: [0, 0.1, -0.1, 0.25, 0.5, -0.5, 0.999, -0.999, 1, -1, 1.5, 2.25, 1e-7, -1e-7, 1.0 / 3.0]
      as [Float])
  func hue(factor: Float) {
    for image in Self.images {
      let reference = KernelReferences.adjustHue(image, factor: factor)
      for features in Self.featureChoices {
        let fast = Kernels.adjustHue(image, factor: factor, features: features)
        #expect(EquivalenceImages.firstDifference(fast, reference) == "equal", "\(features)")
      }
    }
  }
}
