extension Kernels {
  /// Keras 3's one-dimensional Gaussian of `size` taps and standard deviation `sigma`, in float32:
  /// `exp(-0.5·((i − (size − 1)/2) / sigma)²)` (``tensorFlowExp(_:)``) normalised by the taps' sum.
  /// A `sigma` that is not positive (Keras then divides 0 by 0) gives the one-tap identity at the centre.
  public static func gaussianKernel1D(size: Int, sigma: Float) -> [Float] {
    guard sigma > 0 else { return (0..<size).map { $0 == size / 2 ? 1 : 0 } }
    let centre = (Float(size) - 1) / 2
    var taps = (0..<size).map { index -> Float in
      let t = (Float(index) - centre) / sigma
      return tensorFlowExp(-0.5 * (t * t))
    }
    var sum: Float = 0
    for tap in taps { sum += tap }
    if sum > 0 && sum.isFinite {
      for index in taps.indices { taps[index] /= sum }
    }
    return taps
  }

  /// `exp` in float32 as TensorFlow's CPU kernels compute it (Eigen's `pexp_float`: a Cephes-style range
  /// reduction and degree-6 polynomial, separate multiplies and adds, subnormal results flushed to 0), so
  /// kernel taps match Keras' bit for bit and never depend on the platform's libm.
  public static func tensorFlowExp(_ x: Float) -> Float {
    if x.isNaN { return x }
    if x < -104 { return 0 }
    let clamped = min(x, 88.723)
    let m = (clamped * 1.442_695_040_888_963_41 + 0.5).rounded(.down)
    var r = m * -0.693_359_375 + clamped
    r = m * 2.121_944_4e-4 + r
    let r2 = r * r
    var even = r2 * 1.374_496_379_867_196_083_068_847_656_25e-3 + 4.166_965_186_595_916_748_046_875e-2
    let odd = r2 * 8.368_944_749_236_106_872_558_593_75e-3 + 0.166_665_181_517_601_013_183_593_75
    even = r2 * even + 0.499_999_880_790_710_449_218_75
    let low = r + 1
    var y = r * odd + even
    y = r2 * y + low
    let scaled = Float(sign: .plus, exponent: Int(m), significand: y)
    let result = max(scaled, x)
    return result < Float.leastNormalMagnitude ? 0 : result
  }

  /// The `kernelHeight`×`kernelWidth` depthwise kernel Keras 3's `gaussian_blur` builds from
  /// `kernel_size = (kernelHeight, kernelWidth)` and `sigma = (sigmaX, sigmaY)`, row-major.
  ///
  /// Keras takes the outer product of the `sigmaY` Gaussian of `kernelWidth` taps and the `sigmaX`
  /// Gaussian of `kernelHeight` taps, a `kernelWidth`×`kernelHeight` array, and reshapes it to
  /// `kernelHeight`×`kernelWidth`: for a square kernel that is rows weighted by the `sigmaY` Gaussian
  /// and columns by the `sigmaX` one; for a non-square kernel the entries are reinterpreted as Keras
  /// does (element `n` of the flat kernel is `y[n / kernelHeight] · x[n % kernelHeight]`).
  public static func gaussianKernel2D(
    kernelHeight: Int, kernelWidth: Int, sigmaX: Float, sigmaY: Float
  )
    -> [Float]
  {
    let x = gaussianKernel1D(size: kernelHeight, sigma: sigmaX)
    let y = gaussianKernel1D(size: kernelWidth, sigma: sigmaY)
    return (0..<(kernelHeight * kernelWidth)).map { n in y[n / kernelHeight] * x[n % kernelHeight] }
  }

  /// Keras 3 `RandomGaussianBlur` on an applied image: `depthwise_conv2d` of every channel (alpha too,
  /// as Keras convolves every channel) with ``gaussianKernel2D(kernelHeight:kernelWidth:sigmaX:sigmaY:)``
  /// under `padding="SAME"` (samples outside the image count as 0, so borders darken as in Keras),
  /// clipped to `0...255` and rounded half away from zero.
  ///
  /// A square kernel is an outer product and runs as a horizontal then a vertical float32 pass; other
  /// kernels run as a direct two-dimensional sum. The float sums associate differently from
  /// TensorFlow's, so a sample can differ by one step of the uint8 scale.
  public static func gaussianBlur(
    _ image: Tensor, kernelHeight: Int, kernelWidth: Int, sigmaX: Float, sigmaY: Float
  ) -> Tensor {
    let height = image.height
    let width = image.width
    let channels = image.channels
    let rowLength = width * channels
    let padTop = (kernelHeight - 1) / 2
    let padLeft = (kernelWidth - 1) / 2
    if kernelHeight == kernelWidth {
      // Each output sums its in-image taps in order; looping tap by tap over a whole row keeps that
      // order per sample and lets the row loops vectorize.
      let columnTaps = gaussianKernel1D(size: kernelWidth, sigma: sigmaX)
      let rowTaps = gaussianKernel1D(size: kernelHeight, sigma: sigmaY)
      var horizontal = [Float](repeating: 0, count: height * rowLength)
      var inputRow = [Float](repeating: 0, count: rowLength)
      var sums = [Float](repeating: 0, count: rowLength)
      return image.withUnsafeBufferPointer { source in
        horizontal.withUnsafeMutableBufferPointer { horizontal in
          inputRow.withUnsafeMutableBufferPointer { inputRow in
            sums.withUnsafeMutableBufferPointer { sums in
              makeTensor(height: height, width: width, channels: channels) { dst in
                guard let src = source.baseAddress, let h = horizontal.baseAddress,
                  let row = inputRow.baseAddress, let acc = sums.baseAddress
                else { return }
                for y in 0..<height {
                  let bytes = src + y * rowLength
                  for i in 0..<rowLength { row[i] = Float(bytes[i]) }
                  let out = h + y * rowLength
                  for tap in 0..<kernelWidth {
                    let weight = columnTaps[tap]
                    let shift = (tap - padLeft) * channels
                    let first = max(0, padLeft - tap) * channels
                    let last = min(width, width + padLeft - tap) * channels
                    var i = first
                    while i < last {
                      out[i] = out[i] + weight * row[i &+ shift]
                      i &+= 1
                    }
                  }
                }
                for y in 0..<height {
                  for i in 0..<rowLength { acc[i] = 0 }
                  for tap in max(0, padTop - y)..<min(kernelHeight, height + padTop - y) {
                    let weight = rowTaps[tap]
                    let input = h + (y + tap - padTop) * rowLength
                    for i in 0..<rowLength { acc[i] = acc[i] + weight * input[i] }
                  }
                  let out = dst + y * rowLength
                  for i in 0..<rowLength { out[i] = toUInt8(acc[i]) }
                }
              }
            }
          }
        }
      }
    }
    let kernel = gaussianKernel2D(
      kernelHeight: kernelHeight, kernelWidth: kernelWidth, sigmaX: sigmaX, sigmaY: sigmaY)
    return image.withUnsafeBufferPointer { source in
      kernel.withUnsafeBufferPointer { kernel in
        makeTensor(height: height, width: width, channels: channels) { dst in
          guard let src = source.baseAddress else { return }
          for y in 0..<height {
            let rowFirst = max(0, padTop - y)
            let rowLast = min(kernelHeight, height + padTop - y)
            for x in 0..<width {
              let columnFirst = max(0, padLeft - x)
              let columnLast = min(kernelWidth, width + padLeft - x)
              for c in 0..<channels {
                var sum: Float = 0
                var r = rowFirst
                while r < rowLast {
                  let row = src + (y + r - padTop) * rowLength
                  var k = columnFirst
                  while k < columnLast {
                    sum += kernel[r * kernelWidth + k] * Float(row[(x + k - padLeft) * channels + c])
                    k += 1
                  }
                  r += 1
                }
                dst[(y * width + x) * channels + c] = toUInt8(sum)
              }
            }
          }
        }
      }
    }
  }
}
