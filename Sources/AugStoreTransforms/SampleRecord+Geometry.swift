import AugStoreImaging

extension TransformSpec {
  /// Draws `RandomShear`, `RandomGaussianBlur` and `RandomPerspective` parameters (see the draw order in
  /// ``drawParams(address:inputSize:)``), following Keras 3.15.1's `get_random_transformation`.
  func drawGeometryExtra(_ stream: inout DrawStream, inputSize: ImageSize) -> TransformParams {
    switch self {
    case .randomShear(let xFactor, let yFactor, _, _, _):
      let invert: Float = stream.nextUnitDouble() > 0.5 ? -1 : 1
      let y = Float(stream.nextDouble(lower: yFactor.lower, upper: yFactor.upper))
      let x = Float(stream.nextDouble(lower: xFactor.lower, upper: xFactor.upper))
      return .shear(shearX: x * invert, shearY: y * invert)
    case .randomGaussianBlur(let factor, _, _, let sigma, _):
      let probability = stream.nextDouble(lower: factor.lower, upper: factor.upper)
      let applied = stream.nextBool(probability: probability)
      let epsilon = Float(1e-6)
      let x = Float(stream.nextDouble(lower: sigma.lower, upper: sigma.upper)) + epsilon
      let y = Float(stream.nextDouble(lower: sigma.lower, upper: sigma.upper)) + epsilon
      return .gaussianBlur(shouldApplyBlur: applied, blurFactorX: x, blurFactorY: y)
    case .randomPerspective(let factor, let scale, _, _):
      let probability = stream.nextDouble(lower: factor.lower, upper: factor.upper)
      let applied = stream.nextBool(probability: probability)
      let start = Self.perspectiveStartPoints(inputSize)
      var end: [Float] = []
      end.reserveCapacity(8)
      for value in start {
        let shift = Float(stream.nextDouble(lower: -0.5 * scale, upper: 0.5 * scale))
        end.append(value + value * shift)
      }
      return .perspective(applyPerspective: applied, endPoints: end)
    case .randomElasticTransform(let factor, let scale, _, _, _, _):
      let probability = stream.nextDouble(lower: factor.lower, upper: factor.upper)
      let applied = stream.nextBool(probability: probability) && factor.upper != 0 && scale.upper != 0
      let distortion = Float(stream.nextDouble(lower: scale.lower, upper: scale.upper))
      return .elasticTransform(
        applyTransform: applied, distortionFactor: distortion, noiseSeed: stream.nextWord())
    default:
      return .none
    }
  }

  /// Keras `RandomPerspective`'s `start_points` for an image of `size`, flattened `[x0, y0, ..., x3, y3]`:
  /// the corners (0, 0), (W-1, 0), (0, H-1), (W-1, H-1).
  public static func perspectiveStartPoints(_ size: ImageSize) -> [Float] {
    let right = Float(size.width - 1)
    let bottom = Float(size.height - 1)
    return [0, 0, right, 0, 0, bottom, right, bottom]
  }

  /// Applies recorded `RandomGaussianBlur` or `RandomPerspective` parameters to `image` (never draws).
  /// A perspective whose corners give a singular system (an image one pixel high or wide) leaves the
  /// image as it is. The Gaussian steps normalise their taps as `kernels` does.
  func applyFilterExtra(_ params: TransformParams, to image: Tensor, kernels: KernelVersion) -> Tensor? {
    switch (self, params) {
    case (
      .randomGaussianBlur(_, let kernelHeight, let kernelWidth, _, _),
      .gaussianBlur(let applied, let x, let y)
    ):
      guard applied else { return image }
      return Kernels.gaussianBlur(
        image, kernelHeight: kernelHeight, kernelWidth: kernelWidth, sigmaX: x, sigmaY: y, version: kernels)
    case (.randomPerspective(_, _, let interpolation, let fillValue), .perspective(let applied, let end)):
      guard applied, end.count == 8 else { return image }
      let start = Self.perspectiveStartPoints(ImageSize(height: image.height, width: image.width))
      func points(_ flat: [Float]) -> [(x: Float, y: Float)] {
        (0..<4).map { (x: flat[2 * $0], y: flat[2 * $0 + 1]) }
      }
      guard let transform = ProjectiveTransform.homography(start: points(start), end: points(end)) else {
        return image
      }
      return Kernels.perspective(image, transform, interpolation: interpolation, fillValue: Float(fillValue))
    case (
      .randomElasticTransform(_, _, let interpolation, let fillMode, let fillValue, _),
      .elasticTransform(let applied, let distortion, let seed)
    ):
      guard applied else { return image }
      let parameters = ElasticParameters(
        height: image.height, width: image.width, distortionFactor: distortion)
      let noise = ElasticNoise.field(seed: seed, count: image.height * image.width)
      let displacement = Kernels.elasticDisplacement(
        noise: noise, height: image.height, width: image.width, parameters: parameters, version: kernels)
      return Kernels.elasticTransform(
        image, displacement: displacement, alpha: parameters.alpha, interpolation: interpolation,
        fillMode: fillMode, fillValue: Float(fillValue))
    default:
      return nil
    }
  }
}

/// The unit normal noise `RandomElasticTransform` displaces pixels with, drawn from Philox instead of
/// Keras' generator so that replay is exact.
public enum ElasticNoise {
  /// `count` values, row-major, each the Irwin–Hall sum of twelve 16-bit uniforms `(k + 0.5) / 65536`
  /// minus 6 (mean 0, variance 1; pure arithmetic, no libm), from the stream keyed by `seed`: each 64-bit
  /// word gives four uniforms, low bits first, three words per value.
  public static func field(seed: UInt64, count: Int) -> [Float] {
    let key = SIMD2<UInt64>(seed, 0x6175_6773_2D65_6C61)
    var values = [Float](repeating: 0, count: count)
    values.withUnsafeMutableBufferPointer { values in
      // Four values take twelve words: Philox blocks 3g, 3g + 1 and 3g + 2 of the stream, computed
      // side by side (their rounds are independent, so they overlap in the processor).
      var group = 0
      while group &* 4 &+ 4 <= count {
        let block = UInt64(group) &* 3
        let words = (
          Philox4x64.block(key: key, counter: SIMD4(0, 0, 0, block)),
          Philox4x64.block(key: key, counter: SIMD4(0, 0, 0, block &+ 1)),
          Philox4x64.block(key: key, counter: SIMD4(0, 0, 0, block &+ 2))
        )
        let base = group &* 4
        values[base] = value(words.0[0], words.0[1], words.0[2])
        values[base &+ 1] = value(words.0[3], words.1[0], words.1[1])
        values[base &+ 2] = value(words.1[2], words.1[3], words.2[0])
        values[base &+ 3] = value(words.2[1], words.2[2], words.2[3])
        group &+= 1
      }
      for index in (group &* 4)..<count {
        let first = UInt64(index) &* 3
        @inline(__always) func word(_ offset: UInt64) -> UInt64 {
          DrawStream.word(key: key, counterBase: .zero, index: first &+ offset)
        }
        values[index] = value(word(0), word(1), word(2))
      }
    }
    return values
  }

  /// One value from its three words: the sum of their twelve 16-bit uniforms, `(sum + 6) / 65536 − 6`
  /// (exact in double, then rounded to float).
  @inline(__always)
  static func value(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> Float {
    @inline(__always) func quarters(_ word: UInt64) -> UInt64 {
      (word & 0xFFFF) + ((word >> 16) & 0xFFFF) + ((word >> 32) & 0xFFFF) + (word >> 48)
    }
    let sum = quarters(a) + quarters(b) + quarters(c)
    return Float((Double(sum) + 6) / 65536 - 6)
  }
}
