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
  ///
  /// The sums run over a zero-padded copy of the scaled noise: a product with a padding zero is ±0,
  /// and adding it to a running sum that started at +0 (which is never −0) leaves the sum unchanged,
  /// so each output is the sum over its in-image taps only. Outputs are computed 32 columns at a time
  /// with their sums held in vector registers across all the taps.
  public static func elasticDisplacement(
    noise: [Float], height: Int, width: Int, parameters: ElasticParameters, version: KernelVersion = .current
  ) -> [Float] {
    let sigma = parameters.sigma
    // Keras' kernel is 0/0 at sigma 0 (a distortion factor of exactly 0): no displacement.
    guard sigma > 0, height > 0, width > 0 else { return [Float](repeating: 0, count: height * width) }
    let size = parameters.kernelSize
    let taps = gaussianKernel1D(size: size, sigma: sigma, version: version)
    var kernel = [Float](repeating: 0, count: size * size)
    for r in 0..<size {
      for c in 0..<size { kernel[r * size + c] = taps[r] * taps[c] }
    }
    let pad = (size - 1) / 2
    // Output columns are computed `block` at a time; the zero-padded input holds `pad` zero columns
    // on the left, the row, and zeros up to the last block's last tap, with `pad` zero rows above and
    // `size − 1 − pad` below.
    let block = 4 * BlurLanes.scalarCount
    let blocksWidth = (width + block - 1) / block * block
    let paddedWidth = blocksWidth + size - 1
    var padded = [Float](repeating: 0, count: (height + size - 1) * paddedWidth)
    padded.withUnsafeMutableBufferPointer { padded in
      noise.withUnsafeBufferPointer { noise in
        guard let padded = padded.baseAddress, let noise = noise.baseAddress else { return }
        for y in 0..<height {
          let row = padded + (y + pad) * paddedWidth + pad
          let input = noise + y * width
          for x in 0..<width { row[x] = input[x] * sigma }
        }
      }
    }
    var output = [Float](repeating: 0, count: height * width)
    var rowSums = [Float](repeating: 0, count: blocksWidth)
    padded.withUnsafeBufferPointer { padded in
      kernel.withUnsafeBufferPointer { kernel in
        output.withUnsafeMutableBufferPointer { output in
          rowSums.withUnsafeMutableBufferPointer { rowSums in
            guard let source = padded.baseAddress, let weights = kernel.baseAddress,
              let out = output.baseAddress, let sums = rowSums.baseAddress
            else { return }
            for y in 0..<height {
              var x = 0
              while x < blocksWidth {
                displacementBlock(source + y * paddedWidth + x, paddedWidth, weights, size, sums + x)
                x &+= block
              }
              (out + y * width).update(from: sums, count: width)
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
          guard let src = source.baseAddress, let field = field.baseAddress else { return }
          /// Output pixel (`x`, `y`) into `d`.
          func pixel(_ x: Int, _ y: Int, _ d: UnsafeMutablePointer<UInt8>) {
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
          }
          if interpolation == .bilinear && channels == 3 && width > 1 && height > 1
            && height * width * 3 < 1 << 22
          {
            elasticLanes(src, dst, field, height: height, width: width, alpha: alpha, pixel)
            return
          }
          var d = dst
          for y in 0..<height {
            for x in 0..<width {
              pixel(x, y, d)
              d += channels
            }
          }
        }
      }
    }
  }

  /// ``elasticTransform(_:displacement:alpha:interpolation:fillMode:fillValue:)``'s bilinear
  /// resampling of an RGB image (fewer than 2²² samples, at least two pixels along each axis), eight
  /// output pixels at a time.
  ///
  /// A step whose eight coordinates all satisfy `0 ≤ c < size − 1` along both axes reads only
  /// in-image neighbours `⌊c⌋` and `⌊c⌋ + 1`, which no fill mode maps: each lane computes the scalar
  /// path's float32 operations in the same order (`c = x + alpha·d`, the floor, `w1 = c − ⌊c⌋`,
  /// `w0 = 1 − w1`, the four weight products and `((w00·p00 + w01·p01) + w10·p10) + w11·p11`), then
  /// ``toUInt8(_:)`` per lane. Each row's two neighbours come from one 8-byte load per lane
  /// (``AffineSampler/gatherPairs(_:_:)``). Other steps, and the columns past the last multiple of
  /// eight, go through `pixel` (the scalar path) one pixel at a time.
  static func elasticLanes(
    _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, _ field: UnsafePointer<Float>,
    height: Int, width: Int, alpha: Float, _ pixel: (Int, Int, UnsafeMutablePointer<UInt8>) -> Void
  ) {
    typealias Lanes = AffineSampler.Lanes
    let raw = UnsafeRawPointer(src)
    let rowStride = width * 3
    let lastPairOffset = Lanes(repeating: Float(height * rowStride - 8))
    let stride = Lanes(repeating: Float(rowStride))
    let laneOffsets = Lanes(0, 1, 2, 3, 4, 5, 6, 7)
    let one = Lanes(repeating: 1)
    let three = Lanes(repeating: 3)
    let zero = Lanes(repeating: 0)
    let lastX = Lanes(repeating: Float(width - 1))
    let lastY = Lanes(repeating: Float(height - 1))
    let alphaLanes = Lanes(repeating: alpha)
    var d = dst
    for y in 0..<height {
      let fy = Lanes(repeating: Float(y))
      let fieldRow = UnsafeRawPointer(field + y * width)
      var x = 0
      while x + 8 <= width {
        defer {
          x &+= 8
          d += 24
        }
        let shift = alphaLanes * fieldRow.loadUnaligned(fromByteOffset: x &* 4, as: Lanes.self)
        let cx = (Lanes(repeating: Float(x)) + laneOffsets) + shift
        let cy = fy + shift
        guard AffineSampler.allLanes((cx .>= zero) .& (cx .< lastX) .& (cy .>= zero) .& (cy .< lastY)) else {
          for lane in 0..<8 { pixel(x + lane, y, d + 3 * lane) }
          continue
        }
        let xFloor = AffineSampler.floorLanes(cx)
        let yFloor = AffineSampler.floorLanes(cy)
        let offset00 = yFloor * stride + xFloor * three
        let offset10 = offset00 + stride
        if AffineSampler.anyLane(offset10 .> lastPairOffset) {
          for lane in 0..<8 { pixel(x + lane, y, d + 3 * lane) }
          continue
        }
        let (p00, p01) = AffineSampler.gatherPairs(raw, AffineSampler.indices(offset00))
        let (p10, p11) = AffineSampler.gatherPairs(raw, AffineSampler.indices(offset10))
        let wy1 = cy - yFloor
        let wy0 = one - wy1
        let wx1 = cx - xFloor
        let wx0 = one - wx1
        let w00 = wy0 * wx0
        let w01 = wy0 * wx1
        let w10 = wy1 * wx0
        let w11 = wy1 * wx1
        @inline(__always) func blend(_ shift: UInt32) -> Lanes {
          ((w00 * AffineSampler.channel(p00, shift) + w01 * AffineSampler.channel(p01, shift))
            + w10 * AffineSampler.channel(p10, shift)) + w11 * AffineSampler.channel(p11, shift)
        }
        #if X86_64_V3
          storeRGB(
            red: clampedBytes(blend(0)), green: clampedBytes(blend(8)), blue: clampedBytes(blend(16)), d)
        #else
          @inline(__always) func word(_ shift: UInt32) -> SIMD8<UInt32> {
            unsafeBitCast(blurWords(blend(shift)), to: SIMD8<UInt32>.self) &<< SIMD8(repeating: shift)
          }
          AffineSampler.storeRGB(word(0) | word(8) | word(16), d)
        #endif
      }
      while x < width {
        pixel(x, y, d)
        x &+= 1
        d += 3
      }
    }
  }

  /// Thirty-two outputs of the displacement field: for columns `0..<32` of the block starting at
  /// `input` (row `y` of the zero-padded field, whose rows are `rowStride` apart),
  /// `sum = (((0 + w[0]·p[0]) + w[1]·p[1]) + …)` over the `size`×`size` taps in row-major order, tap
  /// `(r, c)` reading `input[r · rowStride + c]` shifted by the column.
  @inline(never)
  static func displacementBlock(
    _ input: UnsafePointer<Float>, _ rowStride: Int, _ weights: UnsafePointer<Float>, _ size: Int,
    _ out: UnsafeMutablePointer<Float>
  ) {
    let lanes = BlurLanes.scalarCount
    var s0 = BlurLanes(repeating: 0)
    var s1 = BlurLanes(repeating: 0)
    var s2 = BlurLanes(repeating: 0)
    var s3 = BlurLanes(repeating: 0)
    var tap = 0
    for r in 0..<size {
      let row = UnsafeRawPointer(input + r &* rowStride)
      for c in 0..<size {
        let w = BlurLanes(repeating: weights[tap])
        let at = c &* 4
        s0 = s0 + w * row.loadUnaligned(fromByteOffset: at, as: BlurLanes.self)
        s1 = s1 + w * row.loadUnaligned(fromByteOffset: at &+ lanes &* 4, as: BlurLanes.self)
        s2 = s2 + w * row.loadUnaligned(fromByteOffset: at &+ lanes &* 8, as: BlurLanes.self)
        s3 = s3 + w * row.loadUnaligned(fromByteOffset: at &+ lanes &* 12, as: BlurLanes.self)
        tap &+= 1
      }
    }
    let o = UnsafeMutableRawPointer(out)
    o.storeBytes(of: s0, as: BlurLanes.self)
    o.storeBytes(of: s1, toByteOffset: lanes &* 4, as: BlurLanes.self)
    o.storeBytes(of: s2, toByteOffset: lanes &* 8, as: BlurLanes.self)
    o.storeBytes(of: s3, toByteOffset: lanes &* 12, as: BlurLanes.self)
  }
}
