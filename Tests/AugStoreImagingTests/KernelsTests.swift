import Testing

@testable import AugStoreImaging

/// A tensor from rows of pixels, each pixel a list of channel values.
private func image(_ rows: [[[UInt8]]]) -> Tensor {
  Tensor(
    height: rows.count, width: rows[0].count, channels: rows[0][0].count,
    pixels: rows.flatMap { $0.flatMap { $0 } })
}

/// A one-channel tensor from rows of values.
private func grey(_ rows: [[UInt8]]) -> Tensor {
  Tensor(height: rows.count, width: rows[0].count, channels: 1, pixels: rows.flatMap { $0 })
}

/// Rows of a one-channel tensor.
private func rows(_ tensor: Tensor) -> [[UInt8]] {
  (0..<tensor.height).map { y in Array(tensor.pixels[(y * tensor.width)..<((y + 1) * tensor.width)]) }
}

/// A deterministic textured test image (no system RNG).
private func pattern(height: Int, width: Int, channels: Int) -> Tensor {
  var pixels = [UInt8](repeating: 0, count: height * width * channels)
  var state: UInt32 = 0x1234_5678
  for i in pixels.indices {
    state = state &* 1_664_525 &+ 1_013_904_223
    pixels[i] = UInt8(truncatingIfNeeded: state >> 24)
  }
  return Tensor(height: height, width: width, channels: channels, pixels: pixels)
}

/// A smooth gradient (bilinear resampling of it is nearly linear).
private func gradient(height: Int, width: Int) -> Tensor {
  var pixels: [UInt8] = []
  for y in 0..<height {
    for x in 0..<width { pixels.append(UInt8((x * 3 + y * 2) % 256)) }
  }
  return Tensor(height: height, width: width, channels: 1, pixels: pixels)
}

private func maxDifference(_ a: Tensor, _ b: Tensor) -> Int {
  zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
}

@Suite("Kernels: flips and crops")
struct KernelsFlipCropTests {
  let rgb = image([
    [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
    [[10, 11, 12], [13, 14, 15], [16, 17, 18]],
  ])

  @Test func horizontalFlipReversesColumnsKeepingChannelOrder() {
    let flipped = Kernels.flip(rgb, horizontal: true, vertical: false)
    #expect(
      flipped
        == image([
          [[7, 8, 9], [4, 5, 6], [1, 2, 3]],
          [[16, 17, 18], [13, 14, 15], [10, 11, 12]],
        ]))
  }

  @Test func verticalFlipReversesRows() {
    #expect(
      Kernels.flip(rgb, horizontal: false, vertical: true)
        == image([
          [[10, 11, 12], [13, 14, 15], [16, 17, 18]],
          [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
        ]))
  }

  @Test(arguments: [1, 2, 3, 4])
  func bothFlipsRotateByHalfATurn(channels: Int) {
    let input = pattern(height: 5, width: 7, channels: channels)
    let flipped = Kernels.flip(input, horizontal: true, vertical: true)
    for y in 0..<5 {
      for x in 0..<7 {
        for c in 0..<channels {
          #expect(
            flipped.pixels[(y * 7 + x) * channels + c]
              == input.pixels[((4 - y) * 7 + (6 - x)) * channels + c])
        }
      }
    }
    #expect(Kernels.flip(flipped, horizontal: true, vertical: true) == input)
  }

  @Test func cropCopiesTheWindow() {
    let input = grey([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
    #expect(rows(Kernels.crop(input, x: 1, y: 1, height: 2, width: 2)) == [[6, 7], [10, 11]])
    #expect(rows(Kernels.crop(input, x: 3, y: 0, height: 3, width: 1)) == [[4], [8], [12]])
    #expect(Kernels.crop(rgb, x: 2, y: 1, height: 1, width: 1) == image([[[16, 17, 18]]]))
  }

  @Test func centerCropRoundsOffsetsDown() {
    let input = grey([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
    #expect(rows(Kernels.centerCrop(input, height: 2, width: 3)) == [[1, 2, 3], [5, 6, 7]])
    #expect(rows(Kernels.centerCrop(input, height: 1, width: 2)) == [[6, 7]])
  }
}

@Suite("Kernels: affine resampling")
struct KernelsAffineTests {
  @Test(arguments: Interpolation.allCases, FillMode.allCases)
  func identityReturnsTheInput(interpolation: Interpolation, fillMode: FillMode) {
    let input = pattern(height: 13, width: 17, channels: 3)
    let output = Kernels.affine(
      input, .identity, interpolation: interpolation, fillMode: fillMode, fillValue: 77)
    #expect(output == input)
  }

  @Test(arguments: Interpolation.allCases)
  func quarterTurnOfASquareIsATransposeAndFlip(interpolation: Interpolation) {
    let n = 9
    let input = pattern(height: n, width: n, channels: 2)
    let rotated = Kernels.affine(
      input, .rotation(degrees: 90, height: n, width: n), interpolation: interpolation, fillMode: .constant)
    // Counter-clockwise: output (x, y) reads input (n-1-y, x).
    var expected = input
    for y in 0..<n {
      for x in 0..<n {
        for c in 0..<2 { expected.pixels[(y * n + x) * 2 + c] = input.pixels[(x * n + (n - 1 - y)) * 2 + c] }
      }
    }
    // Keras' float32 cos(90°) is about -4.4e-8, so TF's own result may differ by 1 at most.
    #expect(maxDifference(rotated, expected) <= 1)
    #expect(rotated.pixels[0] == input.pixels[(n - 1) * 2])
  }

  @Test func coefficientsAreQuantized() {
    let transform = AffineTransform.rotation(degrees: 12.5, height: 224, width: 224)
    for value in transform.coefficients {
      #expect(Double(Float(value)) == value)
    }
    #expect(AffineTransform(a0: 0.1, a1: 0, a2: 0, b0: 0, b1: 1, b2: 0).a0 == Double(Float(0.1)))
    #expect(AffineTransform(a0: 0.1, a1: 0, a2: 0, b0: 0, b1: 1, b2: 0).a0 != 0.1)
    // Composition quantizes again.
    let twice = transform.followed(by: transform)
    for value in twice.coefficients { #expect(Double(Float(value)) == value) }
  }

  @Test func composingEqualsApplyingPassesInTurn() {
    let input = gradient(height: 24, width: 30)
    let rotate = AffineTransform.rotation(degrees: 7.5, height: 24, width: 30)
    let flip = AffineTransform.flip(horizontal: true, vertical: false, height: 24, width: 30)
    let shift = AffineTransform.translation(x: 2, y: -1)
    let twoPasses = Kernels.affine(
      Kernels.affine(input, rotate, fillMode: .nearest).flippedForTest(), shift, fillMode: .nearest)
    let onePass = Kernels.affine(input, rotate.followed(by: flip).followed(by: shift), fillMode: .nearest)
    // Away from the border (where the intermediate image clamped its own edge) the results agree.
    var worst = 0
    for y in 4..<20 {
      for x in 4..<26 {
        worst = max(worst, abs(Int(onePass.pixels[y * 30 + x]) - Int(twoPasses.pixels[y * 30 + x])))
      }
    }
    #expect(worst <= 1)
    // A flip matrix on its own reproduces the exact flip kernel.
    let pattern = pattern(height: 6, width: 5, channels: 3)
    #expect(
      Kernels.affine(pattern, .flip(horizontal: true, vertical: true, height: 6, width: 5))
        == Kernels.flip(pattern, horizontal: true, vertical: true))
    #expect(
      Kernels.affine(pattern, .crop(x: 1, y: 2), outputHeight: 3, outputWidth: 4)
        == Kernels.crop(pattern, x: 1, y: 2, height: 3, width: 4))
  }

  @Test func followedByMultipliesOutputToInputMatrices() {
    let zoom = AffineTransform.zoom(heightZoom: 0.5, widthZoom: 2, height: 5, width: 5)
    let shift = AffineTransform.translation(x: 1, y: 2)
    let both = zoom.followed(by: shift)
    // zoom = [2, 0, -2; 0, 0.5, 1]; output (0, 0) -> shift's input (-1, -2) -> zoom's input
    // (2·-1 - 2, 0.5·-2 + 1) = (-4, 0).
    #expect(both.a0 == 2 && both.b1 == 0.5)
    #expect(both.a2 == -4 && both.b2 == 0)
  }

  // Values from TF 2.21 `ImageProjectiveTransformV3` on the row [10, 20, 30, 40], fill value 100, with the
  // transform [1, 0, dx, 0, 1, 0, 0, 0].
  static let tfRows: [(FillMode, Interpolation, Double, [UInt8])] = [
    (.reflect, .nearest, -2.5, [30, 20, 10, 20]), (.reflect, .nearest, 2.25, [30, 40, 40, 30]),
    (.reflect, .bilinear, -2.5, [25, 15, 10, 15]), (.reflect, .bilinear, 2.25, [33, 40, 38, 28]),
    (.wrap, .nearest, -2.5, [30, 40, 40, 20]), (.wrap, .nearest, 2.25, [30, 10, 10, 20]),
    (.wrap, .bilinear, -2.5, [25, 35, 40, 15]), (.wrap, .bilinear, 2.25, [33, 10, 13, 23]),
    (.constant, .nearest, -2.5, [100, 100, 100, 20]), (.constant, .nearest, 2.25, [30, 40, 100, 100]),
    (.constant, .bilinear, -2.5, [100, 100, 55, 15]), (.constant, .bilinear, 2.25, [33, 55, 100, 100]),
    (.nearest, .nearest, -2.5, [10, 10, 10, 20]), (.nearest, .nearest, 2.25, [30, 40, 40, 40]),
    (.nearest, .bilinear, -2.5, [10, 10, 10, 15]), (.nearest, .bilinear, 2.25, [33, 40, 40, 40]),
  ]

  @Test(arguments: tfRows)
  func fillModesMatchTensorFlow(_ row: (FillMode, Interpolation, Double, [UInt8])) {
    let (fillMode, interpolation, dx, expected) = row
    let input = grey([[10, 20, 30, 40]])
    let output = Kernels.affine(
      input, AffineTransform(a0: 1, a1: 0, a2: dx, b0: 0, b1: 1, b2: 0), interpolation: interpolation,
      fillMode: fillMode, fillValue: 100)
    #expect(output.pixels == expected)
  }

  /// Transforms that put coordinates inside, just outside, on the edges of and far outside the input.
  static let laneTransforms: [AffineTransform] = [
    .identity,
    .rotation(degrees: 12.5, height: 37, width: 45),
    .rotation(degrees: -33, height: 37, width: 45),
    .rotation(degrees: 90, height: 37, width: 45),
    .rotation(degrees: 180, height: 37, width: 45),
    .rotation(degrees: 171, height: 37, width: 45),
    .zoom(heightZoom: 1.3, widthZoom: 0.7, height: 37, width: 45),
    .zoom(heightZoom: 3.5, widthZoom: 2.5, height: 37, width: 45),
    .translation(x: 10.25, y: -7.5),
    .translation(x: -44, y: 36),
    AffineTransform(a0: 1, a1: 0.3, a2: -2.5, b0: -0.2, b1: 1.1, b2: 3.25),
    .rotation(degrees: 7.5, height: 37, width: 45).followed(
      by: .zoom(
        heightZoom: 0.9, widthZoom: 1.1, height: 37, width: 45)),
  ]

  /// The RGB bilinear resampling of `input` through the sampler's scalar path, pixel by pixel.
  static func scalarReference(
    _ input: Tensor, _ transform: AffineTransform, outHeight: Int, outWidth: Int, fillMode: FillMode,
    fillValue: Float
  ) -> [UInt8] {
    let sampler = AffineSampler(
      transform: transform, inputHeight: input.height, inputWidth: input.width, channels: 3,
      fillMode: fillMode, fillValue: fillValue)
    var reference = [UInt8](repeating: 0, count: outHeight * outWidth * 3)
    input.pixels.withUnsafeBufferPointer { source in
      reference.withUnsafeMutableBufferPointer { destination in
        guard let src = source.baseAddress, let dst = destination.baseAddress else { return }
        sampler.bilinearScalar(src, dst, outHeight: outHeight, outWidth: outWidth)
      }
    }
    return reference
  }

  /// The eight-lane RGB path gives exactly the scalar reference's bytes, fallbacks included.
  @Test(arguments: FillMode.allCases)
  func lanePathMatchesScalarReference(fillMode: FillMode) {
    for (height, width) in [(37, 45), (2, 2), (3, 17), (16, 8), (1, 9)] {
      let input = pattern(height: height, width: width, channels: 3)
      for (index, transform) in Self.laneTransforms.enumerated() {
        for (outHeight, outWidth) in [(height, width), (height + 3, width + 5)] {
          let output = Kernels.affine(
            input, transform, outputHeight: outHeight, outputWidth: outWidth, interpolation: .bilinear,
            fillMode: fillMode, fillValue: 91)
          let reference = Self.scalarReference(
            input, transform, outHeight: outHeight, outWidth: outWidth, fillMode: fillMode, fillValue: 91)
          let firstDifference = reference.indices.first { output.pixels[$0] != reference[$0] }
          #expect(
            firstDifference == nil,
            "\(height)×\(width) → \(outHeight)×\(outWidth), transform #\(index): byte \(firstDifference ?? -1)"
          )
        }
      }
    }
  }

  /// Constant mode's border lanes give the scalar reference's bytes for fill values inside and
  /// outside `0...255`, and for one the lanes leave to the scalar path.
  @Test(arguments: [Float(0), 91, 255, -7.5, 1000.25, 5_000_000])
  func constantLanesMatchScalarReference(fill: Float) {
    for (height, width) in [(37, 45), (2, 2), (3, 17), (16, 8)] {
      let input = pattern(height: height, width: width, channels: 3)
      for (index, transform) in Self.laneTransforms.enumerated() {
        let output = Kernels.affine(
          input, transform, interpolation: .bilinear, fillMode: .constant, fillValue: fill)
        let reference = Self.scalarReference(
          input, transform, outHeight: height, outWidth: width, fillMode: .constant, fillValue: fill)
        let firstDifference = reference.indices.first { output.pixels[$0] != reference[$0] }
        #expect(
          firstDifference == nil, "\(height)×\(width), transform #\(index): byte \(firstDifference ?? -1)")
      }
    }
  }

  @Test func sameInputsGiveSameBytes() {
    let input = pattern(height: 31, width: 29, channels: 3)
    let transform = AffineTransform.rotation(degrees: -33, height: 31, width: 29)
      .followed(by: .zoom(heightZoom: 1.2, widthZoom: 0.8, height: 31, width: 29))
    let a = Kernels.affine(input, transform, fillMode: .reflect)
    let b = Kernels.affine(input, transform, fillMode: .reflect)
    #expect(a == b)
  }
}

extension Tensor {
  fileprivate func flippedForTest() -> Tensor { Kernels.flip(self, horizontal: true, vertical: false) }
}

@Suite("Kernels: resize")
struct KernelsResizeTests {
  let input = grey([[0, 50, 100, 150], [200, 250, 30, 80], [10, 90, 170, 255]])

  // Expected values: tf.image.resize (TF 2.21) on this 3×4 image, rounded half away from zero.
  @Test func bilinearMatchesTensorFlow() {
    #expect(
      rows(Kernels.resize(input, height: 2, width: 3, method: .bilinear)) == [
        [58, 91, 124], [70, 133, 199],
      ])
    let large = Kernels.resize(input, height: 5, width: 7, method: .bilinear)
    #expect(rows(large)[0] == [0, 18, 46, 75, 104, 132, 150])
    #expect(rows(large)[3] == [86, 110, 149, 134, 119, 160, 185])
  }

  @Test func nearestMatchesTensorFlow() {
    #expect(
      rows(Kernels.resize(input, height: 2, width: 3, method: .nearest)) == [[0, 100, 150], [10, 170, 255]])
    #expect(
      rows(Kernels.resize(input, height: 5, width: 7, method: .nearest)) == [
        [0, 0, 50, 100, 100, 150, 150], [0, 0, 50, 100, 100, 150, 150],
        [200, 200, 250, 30, 30, 80, 80], [10, 10, 90, 170, 170, 255, 255],
        [10, 10, 90, 170, 170, 255, 255],
      ])
  }

  @Test func areaMatchesTensorFlow() {
    #expect(
      rows(Kernels.resize(input, height: 2, width: 3, method: .area)) == [[79, 97, 114], [91, 133, 178]])
    #expect(
      rows(Kernels.resize(input, height: 5, width: 7, method: .area))[4] == [10, 30, 90, 130, 170, 234, 255])
  }

  @Test(arguments: ResizeMethod.allCases)
  func sameSizeIsIdentity(method: ResizeMethod) {
    let input = pattern(height: 7, width: 6, channels: 4)
    #expect(Kernels.resize(input, height: 7, width: 6, method: method) == input)
  }
}

@Suite("Kernels: colour")
struct KernelsColourTests {
  let rgb = image([[[200, 100, 50], [10, 20, 30]], [[0, 0, 0], [255, 128, 1]]])

  @Test func brightnessAddsAndClips() {
    let input = image([[[0, 100, 250, 7]]])
    #expect(Kernels.adjustBrightness(input, delta: 10.5).pixels == [11, 111, 255, 7])
    #expect(Kernels.adjustBrightness(input, delta: -100).pixels == [0, 0, 150, 7])
  }

  // Expected values: Keras 3.15 layers (TensorFlow backend) on `rgb`, rounded and clipped to 0...255.
  @Test func contrastMatchesKeras() {
    #expect(
      Kernels.adjustContrast(rgb, factor: 1.5).pixels == [242, 119, 65, 0, 0, 35, 0, 0, 0, 255, 161, 0])
  }

  @Test func saturationMatchesKeras() {
    #expect(
      Kernels.adjustSaturation(rgb, factor: 1.5).pixels == [200, 50, 0, 0, 15, 30, 0, 0, 0, 255, 65, 0])
    #expect(Kernels.adjustSaturation(rgb, factor: 1) == rgb)
  }

  @Test func hueMatchesKeras() {
    #expect(Kernels.adjustHue(rgb, factor: 0.25).pixels == [75, 200, 50, 30, 10, 30, 0, 0, 0, 1, 255, 1])
  }

  @Test func grayscaleMatchesKerasAndKeepsThreeChannels() {
    #expect(
      Kernels.grayscale(rgb).pixels == [124, 124, 124, 18, 18, 18, 0, 0, 0, 151, 151, 151])
  }

  @Test func colourOpsLeaveAlphaAndGreyAlone() {
    let rgba = image([[[200, 100, 50, 9], [10, 20, 30, 99]]])
    for output in [
      Kernels.adjustHue(rgba, factor: 0.3), Kernels.adjustSaturation(rgba, factor: 0.2),
      Kernels.grayscale(rgba), Kernels.adjustContrast(rgba, factor: 2),
      Kernels.adjustBrightness(rgba, delta: 40),
    ] {
      #expect(output.pixels[3] == 9 && output.pixels[7] == 99)
    }
    let greyAlpha = image([[[10, 1], [200, 2]]])
    #expect(Kernels.adjustHue(greyAlpha, factor: 0.3) == greyAlpha)
    #expect(Kernels.grayscale(greyAlpha) == greyAlpha)
  }

  @Test func eraseFillsTheClippedBox() {
    let input = grey([[1, 2, 3], [4, 5, 6]])
    #expect(
      rows(Kernels.erase(input, x: 1, y: 1, height: 5, width: 1, value: [0])) == [[1, 2, 3], [4, 0, 6]])
    let rgbErased = Kernels.erase(rgb, x: 0, y: 0, height: 1, width: 1, value: [1, 2, 3])
    #expect(Array(rgbErased.pixels[0..<6]) == [1, 2, 3, 10, 20, 30])
  }
}

@Suite("Kernels: float steps")
struct KernelsFloatTests {
  @Test func rescaleAndNormalize() {
    let input = image([[[0, 255], [51, 102]]])
    let expected: [Float] = [-0.5, 0.5, Float(51) * (1 / 255) - 0.5, Float(102) * (1 / 255) - 0.5]
    #expect(Kernels.rescale(input, scale: 1 / 255, offset: -0.5) == expected)
    let normalized = Kernels.normalize(input, mean: [51, 100], variance: [4, 25])
    #expect(normalized == [-25.5, 31, 0, 0.4])
    #expect(
      Kernels.normalize(Kernels.rescale(input, scale: 1), channels: 2, mean: [51, 100], variance: [4, 25])
        == normalized)
  }

  @Test func channelsFirstTransposes() {
    #expect(
      Kernels.channelsFirst([1, 2, 3, 4, 5, 6], height: 1, width: 3, channels: 2) == [1, 3, 5, 2, 4, 6])
  }

  @Test(arguments: [
    (-1.0 as Float, 0 as UInt8), (0.49, 0), (0.5, 1), (1.5, 2), (2.5, 3), (254.5, 255), (300, 255),
  ])
  func roundingIsHalfAwayFromZeroAndClamped(_ pair: (Float, UInt8)) {
    #expect(Kernels.toUInt8(pair.0) == pair.1)
  }
}
