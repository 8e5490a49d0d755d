import Foundation
import Testing

@testable import AugStoreImaging

/// Shear, Gaussian blur and perspective kernels against plain scalar formulas.
@Suite("Shear, Gaussian blur and perspective kernels")
struct GeometryKernelTests {
  static func image(height: Int, width: Int, channels: Int) -> Tensor {
    var pixels = [UInt8](repeating: 0, count: height * width * channels)
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<channels {
          pixels[(y * width + x) * channels + c] = UInt8(
            truncatingIfNeeded: x * 11 + y * 17 + c * 60 + (x * y * 7) % 23)
        }
      }
    }
    return Tensor(height: height, width: width, channels: channels, pixels: pixels)
  }

  static let shapes: [(Int, Int, Int)] = [
    (13, 17, 3), (31, 29, 1), (23, 19, 4), (1, 9, 3), (9, 1, 3), (1, 1, 4),
  ]

  // MARK: Shear

  @Test("nearest shear reads input (x + s_x·y, s_y·x + y), fill outside", arguments: shapes)
  func shearNearest(shape: (Int, Int, Int)) {
    let (height, width, channels) = shape
    let input = Self.image(height: height, width: width, channels: channels)
    for (sx, sy) in [(Float(0.3), Float(-0.2)), (-1, 0.5), (0, 0)] {
      let output = Kernels.affine(
        input, .shear(x: Double(sx), y: Double(sy)), interpolation: .nearest, fillMode: .constant,
        fillValue: 77)
      var expected = input
      for y in 0..<height {
        for x in 0..<width {
          let ix = Kernels.roundSmall((1 * Float(x) + sx * Float(y)) + 0)
          let iy = Kernels.roundSmall((sy * Float(x) + 1 * Float(y)) + 0)
          for c in 0..<channels {
            let inside = ix >= 0 && ix <= Float(width - 1) && iy >= 0 && iy <= Float(height - 1)
            expected.pixels[(y * width + x) * channels + c] =
              inside ? input.pixels[(Int(iy) * width + Int(ix)) * channels + c] : 77
          }
        }
      }
      #expect(output.pixels == expected.pixels, "shear \(sx), \(sy)")
    }
  }

  @Test("a zero shear is the identity in every fill mode and interpolation")
  func shearZero() {
    let input = Self.image(height: 23, width: 19, channels: 4)
    for mode in FillMode.allCases {
      for interpolation in Interpolation.allCases {
        let output = Kernels.affine(input, .shear(x: 0, y: 0), interpolation: interpolation, fillMode: mode)
        #expect(output.pixels == input.pixels)
      }
    }
  }

  // MARK: Gaussian blur

  /// Keras' SAME-padded depthwise convolution in double precision.
  static func blurReference(_ image: Tensor, kernel: [Float], kh: Int, kw: Int) -> [Double] {
    let (height, width, channels) = (image.height, image.width, image.channels)
    var out = [Double](repeating: 0, count: image.pixels.count)
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<channels {
          var sum = 0.0
          for r in 0..<kh {
            for k in 0..<kw {
              let iy = y + r - (kh - 1) / 2
              let ix = x + k - (kw - 1) / 2
              guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
              sum += Double(kernel[r * kw + k]) * Double(image.pixels[(iy * width + ix) * channels + c])
            }
          }
          out[(y * width + x) * channels + c] = sum
        }
      }
    }
    return out
  }

  @Test(
    "square kernels: the separable float32 passes, byte for byte, and within 1 of the double sum",
    arguments: shapes)
  func blurSquare(shape: (Int, Int, Int)) {
    let (height, width, channels) = shape
    let input = Self.image(height: height, width: width, channels: channels)
    for (size, sx, sy) in [(3, Float(1.0), Float(1.0)), (5, 0.3, 0.8), (7, 2.5, 0.6)] {
      let output = Kernels.gaussianBlur(input, kernelHeight: size, kernelWidth: size, sigmaX: sx, sigmaY: sy)
      let columns = Kernels.gaussianKernel1D(size: size, sigma: sx)
      let rows = Kernels.gaussianKernel1D(size: size, sigma: sy)
      // Horizontal float32 sums over the taps that land inside the row, then vertical ones.
      var horizontal = [Float](repeating: 0, count: input.pixels.count)
      for y in 0..<height {
        for x in 0..<width {
          for c in 0..<channels {
            var sum: Float = 0
            for tap in 0..<size where x + tap - size / 2 >= 0 && x + tap - size / 2 < width {
              sum += columns[tap] * Float(input.pixels[(y * width + x + tap - size / 2) * channels + c])
            }
            horizontal[(y * width + x) * channels + c] = sum
          }
        }
      }
      var expected = input.pixels
      for y in 0..<height {
        for i in 0..<(width * channels) {
          var sum: Float = 0
          for tap in 0..<size where y + tap - size / 2 >= 0 && y + tap - size / 2 < height {
            sum += rows[tap] * horizontal[(y + tap - size / 2) * width * channels + i]
          }
          expected[y * width * channels + i] = Kernels.toUInt8(sum)
        }
      }
      #expect(output.pixels == expected)
      let kernel = Kernels.gaussianKernel2D(kernelHeight: size, kernelWidth: size, sigmaX: sx, sigmaY: sy)
      let exact = Self.blurReference(input, kernel: kernel, kh: size, kw: size)
      for (byte, value) in zip(output.pixels, exact) {
        #expect(abs(Double(byte) - min(max(value, 0), 255)) <= 0.5 + 1e-3)
      }
    }
  }

  @Test("non-square kernels follow Keras' reshaped outer product", arguments: shapes)
  func blurNonSquare(shape: (Int, Int, Int)) {
    let (height, width, channels) = shape
    let input = Self.image(height: height, width: width, channels: channels)
    let kernel = Kernels.gaussianKernel2D(kernelHeight: 3, kernelWidth: 5, sigmaX: 0.8, sigmaY: 0.5)
    // Keras: outer(y of 5 taps, x of 3 taps) (5×3), reshaped to 3×5.
    let x = Kernels.gaussianKernel1D(size: 3, sigma: 0.8)
    let y = Kernels.gaussianKernel1D(size: 5, sigma: 0.5)
    var outer: [Float] = []
    for i in 0..<5 { for j in 0..<3 { outer.append(y[i] * x[j]) } }
    #expect(kernel == outer)
    let output = Kernels.gaussianBlur(input, kernelHeight: 3, kernelWidth: 5, sigmaX: 0.8, sigmaY: 0.5)
    let exact = Self.blurReference(input, kernel: kernel, kh: 3, kw: 5)
    for (byte, value) in zip(output.pixels, exact) {
      #expect(abs(Double(byte) - min(max(value, 0), 255)) <= 0.5 + 1e-3)
    }
  }

  static let tensorFlowExpSamples: [(Float, UInt32)] = [
    (-24.238224029541016, 0x2E02_D672),
    (-8.574041366577148, 0x3946_2036),
    (-11.501066207885742, 0x3729_C60F),
    (-12.254196166992188, 0x369F_E3BB),
    (-26.930328369140625, 0x2C0D_CDAE),
    (-11.772139549255371, 0x3701_7674),
    (-16.667882919311523, 0x3377_D9CC),
    (-26.1026554107666, 0x2CA2_38E9),
    (-26.165864944458008, 0x2C98_4921),
    (-0.035990506410598755, 0x3F76_F345),
    (-15.100918769836426, 0x3494_770D),
    (-6.097585201263428, 0x3B13_580E),
  ]

  @Test("TensorFlow's float32 exp: within 2 ulp of the exact value, 0 below the normal range")
  func tensorFlowExp() {
    var x: Float = -100
    while x <= 10 {
      let ours = Kernels.tensorFlowExp(x)
      let exact = Foundation.exp(Double(x))
      if exact >= Double(Float.leastNormalMagnitude) {
        #expect(abs(Double(ours) - exact) <= 2 * Double(Float(exact).ulp), "exp(\(x))")
      } else {
        #expect(ours == 0)
      }
      x += 0.01
    }
    // Values TensorFlow 2.21's tf.exp gives (bit patterns), which libm's correctly rounded exp does not.
    for (input, bits) in Self.tensorFlowExpSamples {
      #expect(Kernels.tensorFlowExp(input).bitPattern == bits, "exp(\(input))")
    }
    #expect(Kernels.tensorFlowExp(0) == 1 && Kernels.tensorFlowExp(-200) == 0)
  }

  @Test("a tiny sigma is the identity; kernels sum to 1; a flat interior stays flat")
  func blurProperties() {
    let input = Self.image(height: 13, width: 17, channels: 3)
    #expect(
      Kernels.gaussianBlur(input, kernelHeight: 5, kernelWidth: 5, sigmaX: 1e-6, sigmaY: 1e-6).pixels
        == input.pixels)
    for sigma: Float in [0.1, 0.5, 1, 3] {
      let sum = Kernels.gaussianKernel1D(size: 7, sigma: sigma).reduce(0, +)
      #expect(abs(sum - 1) < 1e-6)
    }
    let flat = Tensor(height: 9, width: 9, channels: 1, pixels: [UInt8](repeating: 200, count: 81))
    let blurred = Kernels.gaussianBlur(flat, kernelHeight: 3, kernelWidth: 3, sigmaX: 1, sigmaY: 1)
    #expect(blurred.pixels[4 * 9 + 4] == 200)
    // SAME zero padding darkens the corner, as Keras' does.
    #expect(blurred.pixels[0] < 200)
  }

  // MARK: Perspective

  static func points(_ flat: [Float]) -> [(x: Float, y: Float)] {
    (0..<4).map { (x: flat[2 * $0], y: flat[2 * $0 + 1]) }
  }

  @Test("the homography maps every end point onto its start point")
  func homographyMapsCorners() throws {
    let start: [Float] = [0, 0, 32, 0, 0, 20, 32, 20]
    let end: [Float] = [0, 0, 27.5, 3.25, 4, 17, 35, 24]
    let transform = try #require(
      ProjectiveTransform.homography(start: Self.points(start), end: Self.points(end)))
    let m = transform.coefficients.map(Double.init)
    for i in 0..<4 {
      let (x, y) = (Double(end[2 * i]), Double(end[2 * i + 1]))
      let k = m[6] * x + m[7] * y + 1
      #expect(abs((m[0] * x + m[1] * y + m[2]) / k - Double(start[2 * i])) < 1e-4)
      #expect(abs((m[3] * x + m[4] * y + m[5]) / k - Double(start[2 * i + 1])) < 1e-4)
    }
    // Coinciding corners (an image one pixel high) give no homography.
    #expect(
      ProjectiveTransform.homography(
        start: Self.points([0, 0, 8, 0, 0, 0, 8, 0]), end: Self.points([0, 0, 8, 0, 0, 0, 8, 0])) == nil)
  }

  @Test(
    "a perspective whose corners only translate equals the affine kernel in constant mode",
    arguments: shapes.filter { $0.0 > 1 && $0.1 > 1 })
  func perspectiveMatchesAffine(shape: (Int, Int, Int)) throws {
    let (height, width, channels) = shape
    let input = Self.image(height: height, width: width, channels: channels)
    let (w, h) = (Float(width - 1), Float(height - 1))
    let start: [Float] = [0, 0, w, 0, 0, h, w, h]
    let identity = try #require(
      ProjectiveTransform.homography(start: Self.points(start), end: Self.points(start)))
    for interpolation in Interpolation.allCases {
      #expect(Kernels.perspective(input, identity, interpolation: interpolation).pixels == input.pixels)
    }
    let shifted = start.enumerated().map { $0.element + ($0.offset % 2 == 0 ? 2 : -3) }
    let translation = try #require(
      ProjectiveTransform.homography(start: Self.points(start), end: Self.points(shifted)))
    for interpolation in Interpolation.allCases {
      let ours = Kernels.perspective(input, translation, interpolation: interpolation, fillValue: 31)
      let affine = Kernels.affine(
        input, .translation(x: 2, y: -3), interpolation: interpolation, fillMode: .constant, fillValue: 31)
      #expect(ours.pixels == affine.pixels)
    }
  }

  @Test("nearest perspective reads the pixel at TensorFlow's projected coordinate", arguments: shapes)
  func perspectiveNearest(shape: (Int, Int, Int)) {
    let (height, width, channels) = shape
    let input = Self.image(height: height, width: width, channels: channels)
    let transform = ProjectiveTransform(coefficients: [0.9, 0.05, 1.5, -0.1, 1.1, -0.5, 0.004, -0.002])
    let output = Kernels.perspective(input, transform, interpolation: .nearest, fillValue: 5)
    let m = transform.coefficients
    var expected = input.pixels
    for y in 0..<height {
      for x in 0..<width {
        let (fx, fy) = (Float(x), Float(y))
        let k = (m[6] * fx + m[7] * fy) + 1
        let ix = (((m[0] * fx + m[1] * fy) + m[2]) / k).rounded(.toNearestOrAwayFromZero)
        let iy = (((m[3] * fx + m[4] * fy) + m[5]) / k).rounded(.toNearestOrAwayFromZero)
        let inside = ix >= 0 && ix <= Float(width - 1) && iy >= 0 && iy <= Float(height - 1)
        for c in 0..<channels {
          expected[(y * width + x) * channels + c] =
            inside ? input.pixels[(Int(iy) * width + Int(ix)) * channels + c] : 5
        }
      }
    }
    #expect(output.pixels == expected)
  }

  // MARK: Elastic

  /// Keras' `map_coordinates` index rule for one axis, written out case by case.
  static func kerasIndex(_ i: Int, _ size: Int, _ mode: MapFillMode) -> Int? {
    switch mode {
    case .constant: return (0..<size).contains(i) ? i : nil
    case .nearest: return min(max(i, 0), size - 1)
    case .wrap: return ((i % size) + size) % size
    case .reflect:
      let m = abs(i) % (2 * size)
      return m < size ? m : 2 * size - m - 1
    }
  }

  @Test("elastic resampling follows Keras' map_coordinates, every fill mode", arguments: MapFillMode.allCases)
  func elasticReference(mode: MapFillMode) {
    for (height, width, channels) in Self.shapes {
      let input = Self.image(height: height, width: width, channels: channels)
      let field = (0..<(height * width)).map { Float(($0 * 37) % 23) / 4 - 2.7 }
      for interpolation in Interpolation.allCases {
        let alpha: Float = 1.75
        let output = Kernels.elasticTransform(
          input, displacement: field, alpha: alpha, interpolation: interpolation, fillMode: mode,
          fillValue: 33)
        var expected = input.pixels
        for y in 0..<height {
          for x in 0..<width {
            let cx = Float(x) + alpha * field[y * width + x]
            let cy = Float(y) + alpha * field[y * width + x]
            for c in 0..<channels {
              func read(_ iy: Int, _ ix: Int) -> Float {
                guard let ry = Self.kerasIndex(iy, height, mode), let rx = Self.kerasIndex(ix, width, mode)
                else {
                  return 33
                }
                return Float(input.pixels[(ry * width + rx) * channels + c])
              }
              let value: Float
              if interpolation == .nearest {
                value = read(Int(cy.rounded(.toNearestOrEven)), Int(cx.rounded(.toNearestOrEven)))
              } else {
                let (fy, fx) = (cy.rounded(.down), cx.rounded(.down))
                let (wy1, wx1) = (cy - fy, cx - fx)
                let (wy0, wx0) = (1 - wy1, 1 - wx1)
                let (y0, x0) = (Int(fy), Int(fx))
                value =
                  (((wy0 * wx0) * read(y0, x0) + (wy0 * wx1) * read(y0, x0 + 1)) + (wy1 * wx0)
                    * read(y0 + 1, x0))
                  + (wy1 * wx1) * read(y0 + 1, x0 + 1)
              }
              expected[(y * width + x) * channels + c] = Kernels.toUInt8(value)
            }
          }
        }
        #expect(output.pixels == expected, "\(height)x\(width)x\(channels) \(interpolation)")
        let still = Kernels.elasticTransform(
          input, displacement: [Float](repeating: 0, count: height * width), alpha: alpha,
          interpolation: interpolation, fillMode: mode, fillValue: 33)
        #expect(still.pixels == input.pixels)
      }
    }
  }

  @Test("elastic parameters and the blurred field follow Keras' formulas")
  func elasticField() {
    let parameters = ElasticParameters(height: 224, width: 160, distortionFactor: 1)
    #expect(parameters.alpha == Float(224) * (Float(0.1) * 1))
    #expect(parameters.sigma == Float(160) * Float(0.05) && parameters.kernelSize == 6 * 8 + 1)
    #expect(ElasticParameters(height: 9, width: 9, distortionFactor: 1).kernelSize == 1)
    let small = ElasticParameters(height: 9, width: 12, distortionFactor: 0.5)
    let noise = (0..<108).map { Float($0 % 7) - 3 }
    // A one-tap kernel leaves noise · sigma.
    #expect(
      Kernels.elasticDisplacement(noise: noise, height: 9, width: 12, parameters: small)
        == noise.map { $0 * small.sigma })
    let large = ElasticParameters(height: 40, width: 40, distortionFactor: 1)
    let field = (0..<1600).map { Float(($0 * 7919) % 101) / 50 - 1 }
    let blurred = Kernels.elasticDisplacement(noise: field, height: 40, width: 40, parameters: large)
    let taps = Kernels.gaussianKernel1D(size: large.kernelSize, sigma: large.sigma)
    let pad = large.kernelSize / 2
    // TensorFlow's depthwise_conv2d: a float32 sum in row-major kernel order, kernel k[r]·k[c].
    for y in 0..<40 {
      for x in 0..<40 {
        var sum: Float = 0
        var exact = 0.0
        for r in 0..<large.kernelSize {
          for k in 0..<large.kernelSize {
            let (iy, ix) = (y + r - pad, x + k - pad)
            guard (0..<40).contains(iy), (0..<40).contains(ix) else { continue }
            sum += (taps[r] * taps[k]) * (field[iy * 40 + ix] * large.sigma)
            exact += Double(taps[r]) * Double(taps[k]) * Double(field[iy * 40 + ix] * large.sigma)
          }
        }
        #expect(blurred[y * 40 + x] == sum)
        #expect(abs(Double(blurred[y * 40 + x]) - exact) < 1e-5)
      }
    }
    #expect(
      Kernels.elasticDisplacement(
        noise: field, height: 40, width: 40,
        parameters: ElasticParameters(height: 40, width: 40, distortionFactor: 0))
        == [Float](repeating: 0, count: 1600))
  }
}
