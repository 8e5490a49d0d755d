/// How Keras 3's own `map_coordinates` (what `RandomElasticTransform` resamples with) treats indices
/// outside the image. These act on the integer neighbour indices, not on the coordinate, and differ
/// from ``FillMode`` (TensorFlow's `ImageProjectiveTransformV3`). (Keras' layer also accepts `"mirror"`,
/// which its `elastic_transform` then rejects on every call; augstore rejects it when parsing.)
public enum MapFillMode: String, Sendable, CaseIterable {
  /// Index `i ≥ size` reads `2·size − 1 − i` (mod `2·size`); a negative index reads `|i|` (Keras takes
  /// the absolute value first, so −1 reads 1, not 0).
  case reflect
  /// Index `i` reads `i mod size`.
  case wrap
  /// Any neighbour outside the image reads `fill_value`.
  case constant
  /// Indices clamp to the edge.
  case nearest
}

/// Keras 3's elastic-transform constants for one image: the displacement scale `alpha`, the Gaussian
/// `sigma` of the displacement field and the blur kernel size `6·⌊sigma⌋ | 1`.
public struct ElasticParameters: Sendable, Equatable {
  /// Displacement scale: `max(height, width) · (0.1 · distortion_factor)` in float32.
  public var alpha: Float
  /// Field standard deviation: `min(height, width) · (0.05 · distortion_factor)` in float32.
  public var sigma: Float
  /// `6·⌊sigma⌋ | 1` (odd, at least 1).
  public var kernelSize: Int

  /// The parameters Keras' `get_elastic_transform_params` and `elastic_transform` derive.
  public init(height: Int, width: Int, distortionFactor: Float) {
    alpha = Float(max(height, width)) * (Float(0.1) * distortionFactor)
    sigma = Float(min(height, width)) * (Float(0.05) * distortionFactor)
    let factor = sigma.isFinite && sigma < 1_000_000 ? Int(sigma) : 0
    kernelSize = (6 * max(factor, 0)) | 1
  }
}

extension Kernels {
  /// Keras 3's displacement field for one axis from unit normal `noise` (`height`×`width`, row-major):
  /// `noise · sigma`, convolved with the square kernel `k[r]·k[c]` of ``gaussianKernel1D(size:sigma:)``
  /// under `padding="SAME"` (zero outside), as `elastic_transform` blurs it through
  /// `depthwise_conv2d`. Like TensorFlow's CPU kernel, each output sums its products in float32 in
  /// row-major kernel order (the products with padding are zero and change nothing), so the field
  /// matches Keras' bit for bit up to TensorFlow's flushing of subnormal values.
  public static func elasticDisplacement(
    noise: [Float], height: Int, width: Int, parameters: ElasticParameters
  ) -> [Float] {
    let sigma = parameters.sigma
    // Keras' kernel is 0/0 at sigma 0 (a distortion factor of exactly 0): no displacement.
    guard sigma > 0, height > 0, width > 0 else { return [Float](repeating: 0, count: height * width) }
    let size = parameters.kernelSize
    let taps = gaussianKernel1D(size: size, sigma: sigma)
    var kernel = [Float](repeating: 0, count: size * size)
    for r in 0..<size {
      for c in 0..<size { kernel[r * size + c] = taps[r] * taps[c] }
    }
    let pad = (size - 1) / 2
    let scaled = noise.map { $0 * sigma }
    var output = [Float](repeating: 0, count: height * width)
    scaled.withUnsafeBufferPointer { scaled in
      kernel.withUnsafeBufferPointer { kernel in
        output.withUnsafeMutableBufferPointer { output in
          guard let source = scaled.baseAddress, let weights = kernel.baseAddress,
            let out = output.baseAddress
          else { return }
          for y in 0..<height {
            let row = out + y * width
            for r in max(0, pad - y)..<min(size, height + pad - y) {
              let input = source + (y + r - pad) * width
              for c in 0..<size {
                let weight = weights[r * size + c]
                // Output x reads input x + c - pad; keep both inside the row.
                let first = max(0, pad - c)
                let last = min(width, width + pad - c)
                guard first < last else { continue }
                let shift = c - pad
                var x = first
                while x < last {
                  row[x] = row[x] + weight * input[x &+ shift]
                  x &+= 1
                }
              }
            }
          }
        }
      }
    }
    return output
  }

  /// Keras 3 `RandomElasticTransform` on an applied image: every channel (alpha too) is resampled at
  /// `(x + alpha·d, y + alpha·d)` with Keras' own `map_coordinates`, where `d` is `displacement` (Keras
  /// draws the x and y fields from the same seed, so they are one field).
  ///
  /// `.nearest` reads the index `c` rounded half to even (`tf.round`); `.bilinear` blends indices
  /// `⌊c⌋` and `⌊c⌋ + 1` with weights `1 − (c − ⌊c⌋)` and `c − ⌊c⌋`, the four terms `(wy·wx)·p` summed
  /// in Keras' order. Each index is mapped by `fillMode`; with `.constant`, a neighbour outside the image
  /// reads `fillValue`. The result is rounded half away from zero and clamped to `0...255`.
  public static func elasticTransform(
    _ image: Tensor, displacement: [Float], alpha: Float, interpolation: Interpolation,
    fillMode: MapFillMode, fillValue: Float
  ) -> Tensor {
    let height = image.height
    let width = image.width
    let channels = image.channels
    precondition(displacement.count == height * width, "one displacement per pixel")
    let fill = fillValue
    func index(_ i: Int, _ size: Int) -> (Int, Bool) {
      switch fillMode {
      case .constant:
        return (min(max(i, 0), size - 1), i >= 0 && i < size)
      case .nearest:
        return (min(max(i, 0), size - 1), true)
      case .wrap:
        let m = i % size
        return (m < 0 ? m + size : m, true)
      case .reflect:
        let doubled = 2 * size
        let m = abs(i) % doubled
        return (m < size ? m : doubled - m - 1, true)
      }
    }
    func clampIndex(_ value: Float) -> Int {
      guard value.isFinite else { return Int.min / 4 }
      return Int(min(max(value, -1_073_741_824), 1_073_741_824))
    }
    return image.withUnsafeBufferPointer { source in
      displacement.withUnsafeBufferPointer { field in
        makeTensor(height: height, width: width, channels: channels) { dst in
          guard let src = source.baseAddress else { return }
          var d = dst
          for y in 0..<height {
            for x in 0..<width {
              let shift = alpha * field[y * width + x]
              let cx = Float(x) + shift
              let cy = Float(y) + shift
              switch interpolation {
              case .nearest:
                let (iy, validY) = index(clampIndex(cy.rounded(.toNearestOrEven)), height)
                let (ix, validX) = index(clampIndex(cx.rounded(.toNearestOrEven)), width)
                let s = src + (iy * width + ix) * channels
                for c in 0..<channels {
                  d[c] = validX && validY ? s[c] : toUInt8(fill)
                }
              case .bilinear:
                let fy = cy.rounded(.down)
                let fx = cx.rounded(.down)
                let wy1 = cy - fy
                let wy0 = 1 - wy1
                let wx1 = cx - fx
                let wx0 = 1 - wx1
                let y0 = clampIndex(fy)
                let x0 = clampIndex(fx)
                let (r0, v0) = index(y0, height)
                let (r1, v1) = index(y0 + 1, height)
                let (c0, u0) = index(x0, width)
                let (c1, u1) = index(x0 + 1, width)
                let w00 = wy0 * wx0
                let w01 = wy0 * wx1
                let w10 = wy1 * wx0
                let w11 = wy1 * wx1
                for c in 0..<channels {
                  let p00 = v0 && u0 ? Float(src[(r0 * width + c0) * channels + c]) : fill
                  let p01 = v0 && u1 ? Float(src[(r0 * width + c1) * channels + c]) : fill
                  let p10 = v1 && u0 ? Float(src[(r1 * width + c0) * channels + c]) : fill
                  let p11 = v1 && u1 ? Float(src[(r1 * width + c1) * channels + c]) : fill
                  d[c] = toUInt8(((w00 * p00 + w01 * p01) + w10 * p10) + w11 * p11)
                }
              }
              d += channels
            }
          }
        }
      }
    }
  }
}
