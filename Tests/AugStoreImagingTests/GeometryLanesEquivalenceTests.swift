import Testing

@testable import AugStoreImaging

/// Frozen scalar versions of the Gaussian-blur, perspective and elastic kernels as they were before
/// their vector paths; the fast kernels must reproduce them byte for byte (bit for bit for the field).
enum GeometryReferences {
  /// Perspective, one pixel at a time through the sampler's scalar bilinear and border reads.
  static func perspective(_ image: Tensor, _ transform: ProjectiveTransform, fillValue: Float) -> Tensor {
    let sampler = AffineSampler(
      transform: .identity, inputHeight: image.height, inputWidth: image.width, channels: image.channels,
      fillMode: .constant, fillValue: fillValue)
    let m = transform.coefficients
    let (height, width, channels) = (image.height, image.width, image.channels)
    var output = image
    image.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { out in
        guard let src = source.baseAddress, var d = out.baseAddress else { return }
        for oy in 0..<height {
          let fy = Float(oy)
          for ox in 0..<width {
            let fx = Float(ox)
            let k = (m[6] * fx + m[7] * fy) + 1
            if k == 0 {
              for c in 0..<channels { d[c] = sampler.fill }
            } else {
              let x = ((m[0] * fx + m[1] * fy) + m[2]) / k
              let y = ((m[3] * fx + m[4] * fy) + m[5]) / k
              if x >= 0 && x <= Float(width - 1) && y >= 0 && y <= Float(height - 1) {
                sampler.bilinearPixel(src, d, x: x, y: y)
              } else {
                sampler.borderBilinear(src, d, x: x, y: y)
              }
            }
            d += channels
          }
        }
      }
    }
    return output
  }

  /// The displacement field: in-image taps only, added in row-major kernel order to a zero sum.
  static func elasticDisplacement(
    noise: [Float], height: Int, width: Int, parameters: ElasticParameters
  )
    -> [Float]
  {
    let sigma = parameters.sigma
    guard sigma > 0 else { return [Float](repeating: 0, count: height * width) }
    let size = parameters.kernelSize
    let taps = Kernels.gaussianKernel1D(size: size, sigma: sigma)
    let pad = (size - 1) / 2
    var output = [Float](repeating: 0, count: height * width)
    for y in 0..<height {
      for x in 0..<width {
        var sum: Float = 0
        for r in 0..<size {
          for c in 0..<size {
            let iy = y + r - pad
            let ix = x + c - pad
            guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
            sum = sum + (taps[r] * taps[c]) * (noise[iy * width + ix] * sigma)
          }
        }
        output[y * width + x] = sum
      }
    }
    return output
  }

  /// Bilinear elastic resampling, pixel by pixel, with Keras' `map_coordinates` index modes.
  static func elasticBilinear(
    _ image: Tensor, displacement: [Float], alpha: Float, fillMode: MapFillMode, fillValue: Float
  ) -> Tensor {
    let (height, width, channels) = (image.height, image.width, image.channels)
    func index(_ i: Int, _ size: Int) -> (Int, Bool) {
      switch fillMode {
      case .constant: return (min(max(i, 0), size - 1), i >= 0 && i < size)
      case .nearest: return (min(max(i, 0), size - 1), true)
      case .wrap:
        let m = i % size
        return (m < 0 ? m + size : m, true)
      case .reflect:
        let m = abs(i) % (2 * size)
        return (m < size ? m : 2 * size - m - 1, true)
      }
    }
    var output = image
    for y in 0..<height {
      for x in 0..<width {
        let shift = alpha * displacement[y * width + x]
        let cx = Float(x) + shift
        let cy = Float(y) + shift
        let fy = cy.rounded(.down)
        let fx = cx.rounded(.down)
        let wy1 = cy - fy
        let wy0 = 1 - wy1
        let wx1 = cx - fx
        let wx0 = 1 - wx1
        let (r0, v0) = index(Int(fy), height)
        let (r1, v1) = index(Int(fy) + 1, height)
        let (c0, u0) = index(Int(fx), width)
        let (c1, u1) = index(Int(fx) + 1, width)
        for c in 0..<channels {
          func read(_ valid: Bool, _ r: Int, _ col: Int) -> Float {
            valid ? Float(image.pixels[(r * width + col) * channels + c]) : fillValue
          }
          let value =
            (((wy0 * wx0) * read(v0 && u0, r0, c0) + (wy0 * wx1) * read(v0 && u1, r0, c1))
              + (wy1 * wx0) * read(v1 && u0, r1, c0)) + (wy1 * wx1) * read(v1 && u1, r1, c1)
          output.pixels[(y * width + x) * channels + c] = Kernels.toUInt8(value)
        }
      }
    }
    return output
  }
}

@Suite("Geometric kernels: vector paths equal the scalar references")
struct GeometryLanesEquivalenceTests {
  static let shapes: [(Int, Int)] = [(1, 1), (2, 9), (7, 13), (9, 8), (16, 21), (31, 7), (40, 57)]

  static func images() -> [Tensor] {
    var images: [Tensor] = []
    var seed: UInt32 = 3
    for (height, width) in shapes {
      for channels in 1...4 {
        images.append(EquivalenceImages.image(height: height, width: width, channels: channels, seed: seed))
        seed &+= 1
      }
    }
    return images
  }

  @Test(arguments: [
    [0.0, 0.0, 0.9, 0.05, 0.08, 0.95, 1.05, 0.9], [0.1, -0.2, 1.3, 0.0, -0.1, 1.0, 1.0, 1.2],
  ])
  func perspective(corners: [Double]) {
    for image in Self.images() where image.height > 1 && image.width > 1 {
      let (right, bottom) = (Float(image.width - 1), Float(image.height - 1))
      let start: [(x: Float, y: Float)] = [(0, 0), (right, 0), (0, bottom), (right, bottom)]
      let end = (0..<4).map { (x: Float(corners[2 * $0]) * right, y: Float(corners[2 * $0 + 1]) * bottom) }
      guard let transform = ProjectiveTransform.homography(start: start, end: end) else { continue }
      for fill: Float in [0, 17] {
        let fast = Kernels.perspective(image, transform, interpolation: .bilinear, fillValue: fill)
        let reference = GeometryReferences.perspective(image, transform, fillValue: fill)
        #expect(fast == reference, "\(EquivalenceImages.firstDifference(fast, reference))")
      }
    }
  }

  /// Corner sets that move every corner by up to 60 % of the image inwards or outwards, so output
  /// pixels map inside, across each border, just outside (`−1 < c < 0`, `length − 1 < c < length`),
  /// far outside, and beyond a vanishing line (`k` through 0).
  static let perspectiveCorners: [[Double]] = (0..<24).map { set in
    let base: [Double] = [0, 0, 1, 0, 0, 1, 1, 1]
    return (0..<8).map { coordinate in
      base[coordinate] + Double((set * 11 + coordinate * 7) % 25 - 12) * 0.05
    }
  }

  /// Fill values the constant-mode lanes take (including ones outside `0...255`, which round and clamp
  /// at the border) and one they leave to the scalar path.
  @Test(arguments: [Float(0), 17, 254.5, 255, -3.25, 300.75, 1_048_576, 2_000_000])
  func perspectiveConstantFill(fill: Float) {
    for image in Self.images() where image.height > 1 && image.width > 1 && image.channels == 3 {
      let (right, bottom) = (Float(image.width - 1), Float(image.height - 1))
      let start: [(x: Float, y: Float)] = [(0, 0), (right, 0), (0, bottom), (right, bottom)]
      for (index, corners) in Self.perspectiveCorners.enumerated() {
        let end = (0..<4).map { (x: Float(corners[2 * $0]) * right, y: Float(corners[2 * $0 + 1]) * bottom) }
        guard let transform = ProjectiveTransform.homography(start: start, end: end) else { continue }
        let fast = Kernels.perspective(image, transform, interpolation: .bilinear, fillValue: fill)
        let reference = GeometryReferences.perspective(image, transform, fillValue: fill)
        #expect(
          fast == reference,
          "\(image.height)×\(image.width), corners #\(index): \(EquivalenceImages.firstDifference(fast, reference))"
        )
      }
    }
  }

  @Test(arguments: [Float(0.02), 0.3, 0.5, 1.0])
  func elastic(distortion: Float) {
    for image in Self.images() {
      let (height, width) = (image.height, image.width)
      let parameters = ElasticParameters(height: height, width: width, distortionFactor: distortion)
      var state: UInt32 = 12345
      let noise = (0..<(height * width)).map { _ -> Float in
        state = state &* 1_664_525 &+ 1_013_904_223
        return Float(Int32(bitPattern: state) >> 8) / Float(1 << 22)
      }
      let field = Kernels.elasticDisplacement(
        noise: noise, height: height, width: width, parameters: parameters)
      let expectedField = GeometryReferences.elasticDisplacement(
        noise: noise, height: height, width: width, parameters: parameters)
      #expect(field.map(\.bitPattern) == expectedField.map(\.bitPattern))
      for mode in MapFillMode.allCases {
        // A larger alpha too, so that many samples leave the image.
        for alpha in [parameters.alpha, 3 * parameters.alpha + 1] {
          let fast = Kernels.elasticTransform(
            image, displacement: field, alpha: alpha, interpolation: .bilinear, fillMode: mode, fillValue: 17)
          let reference = GeometryReferences.elasticBilinear(
            image, displacement: field, alpha: alpha, fillMode: mode, fillValue: 17)
          #expect(fast == reference, "\(mode) \(EquivalenceImages.firstDifference(fast, reference))")
        }
      }
    }
  }
}
