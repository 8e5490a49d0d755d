import Foundation

extension Kernels {
  /// Keras 3's one-dimensional Gaussian of `size` taps and standard deviation `sigma`, in float32:
  /// `exp(-0.5·((i − (size − 1)/2) / sigma)²)` normalised to sum 1.
  public static func gaussianKernel1D(size: Int, sigma: Float) -> [Float] {
    let centre = (Float(size) - 1) / 2
    var taps = (0..<size).map { index -> Float in
      let t = (Float(index) - centre) / sigma
      return Float(exp(Double(-0.5 * (t * t))))
    }
    var sum: Float = 0
    for tap in taps { sum += tap }
    if sum > 0 && sum.isFinite {
      for index in taps.indices { taps[index] /= sum }
    }
    return taps
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
      let columnTaps = gaussianKernel1D(size: kernelWidth, sigma: sigmaX)
      let rowTaps = gaussianKernel1D(size: kernelHeight, sigma: sigmaY)
      var horizontal = [Float](repeating: 0, count: height * rowLength)
      return image.withUnsafeBufferPointer { source in
        horizontal.withUnsafeMutableBufferPointer { horizontal in
          columnTaps.withUnsafeBufferPointer { columnTaps in
            rowTaps.withUnsafeBufferPointer { rowTaps in
              makeTensor(height: height, width: width, channels: channels) { dst in
                guard let src = source.baseAddress, let h = horizontal.baseAddress else { return }
                for y in 0..<height {
                  let row = src + y * rowLength
                  let out = h + y * rowLength
                  for x in 0..<width {
                    let first = max(0, padLeft - x)
                    let last = min(kernelWidth, width + padLeft - x)
                    for c in 0..<channels {
                      var sum: Float = 0
                      var tap = first
                      while tap < last {
                        sum += columnTaps[tap] * Float(row[(x + tap - padLeft) * channels + c])
                        tap += 1
                      }
                      out[x * channels + c] = sum
                    }
                  }
                }
                for y in 0..<height {
                  let first = max(0, padTop - y)
                  let last = min(kernelHeight, height + padTop - y)
                  let out = dst + y * rowLength
                  for i in 0..<rowLength {
                    var sum: Float = 0
                    var tap = first
                    while tap < last {
                      sum += rowTaps[tap] * h[(y + tap - padTop) * rowLength + i]
                      tap += 1
                    }
                    out[i] = toUInt8(sum)
                  }
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
