extension Kernels {
  /// Keras 3's one-dimensional Gaussian of `size` taps and standard deviation `sigma`, in float32:
  /// `exp(-0.5·((i − (size − 1)/2) / sigma)²)` (``tensorFlowExp(_:)``) normalised by the taps' sum,
  /// taken as `version` takes it (``KernelVersion``: TensorFlow's `reduce_sum` order from version 2).
  /// A `sigma` that is not positive (Keras then divides 0 by 0) gives the one-tap identity at the centre.
  public static func gaussianKernel1D(
    size: Int, sigma: Float, version: KernelVersion = .current
  ) -> [Float] {
    guard sigma > 0 else { return (0..<size).map { $0 == size / 2 ? 1 : 0 } }
    let centre = (Float(size) - 1) / 2
    var taps = (0..<size).map { index -> Float in
      let t = (Float(index) - centre) / sigma
      return tensorFlowExp(-0.5 * (t * t))
    }
    let sum: Float
    switch version {
    case .sequentialGaussianSum: sum = taps.reduce(0, +)
    case .tensorFlowGaussianSum: sum = tensorFlowSum(taps)
    }
    if sum > 0 && sum.isFinite {
      for index in taps.indices { taps[index] /= sum }
    }
    return taps
  }

  /// The float32 sum of `values` in the order TensorFlow's `reduce_sum` takes it on x86 CPUs (Eigen's
  /// full reduction over 8-float AVX packets, as TensorFlow's wheels are built):
  ///
  /// 1. whole packets of 8, four at a time, each into its own packet accumulator (packet `i` of a group
  ///    of four into accumulator `i`), the four accumulators then added in order;
  /// 2. the whole packets left over (fewer than four) added to that packet one by one;
  /// 3. the last `count mod 8` values summed left to right as scalars;
  /// 4. the packet's lanes reduced as `((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7))`, and the
  ///    scalar sum added to that last.
  ///
  /// Fewer than 8 values are summed left to right. `Tools/keras-parity/reduce_sum_order.py` checks this
  /// order against TensorFlow on random vectors.
  public static func tensorFlowSum(_ values: [Float]) -> Float {
    let packets = values.count / 8
    let unrolled = packets / 4 * 4
    var accumulators = [SIMD8<Float>](repeating: .zero, count: 4)
    func packet(_ index: Int) -> SIMD8<Float> {
      SIMD8(values[(index * 8)..<(index * 8 + 8)])
    }
    for index in 0..<unrolled { accumulators[index % 4] += packet(index) }
    var total = ((accumulators[0] + accumulators[1]) + accumulators[2]) + accumulators[3]
    for index in unrolled..<packets { total += packet(index) }
    var scalar: Float = 0
    for value in values[(packets * 8)...] { scalar += value }
    let pairs = total.lowHalf + total.highHalf
    let lanes = (pairs[0] + pairs[2]) + (pairs[1] + pairs[3])
    return scalar + lanes
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
    kernelHeight: Int, kernelWidth: Int, sigmaX: Float, sigmaY: Float, version: KernelVersion = .current
  )
    -> [Float]
  {
    let x = gaussianKernel1D(size: kernelHeight, sigma: sigmaX, version: version)
    let y = gaussianKernel1D(size: kernelWidth, sigma: sigmaY, version: version)
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
    _ image: Tensor, kernelHeight: Int, kernelWidth: Int, sigmaX: Float, sigmaY: Float,
    version: KernelVersion = .current
  ) -> Tensor {
    let height = image.height
    let width = image.width
    let channels = image.channels
    let rowLength = width * channels
    let padTop = (kernelHeight - 1) / 2
    let padLeft = (kernelWidth - 1) / 2
    if kernelHeight == kernelWidth && kernelWidth >= 1 {
      return separableBlur(
        image, columnTaps: gaussianKernel1D(size: kernelWidth, sigma: sigmaX, version: version),
        rowTaps: gaussianKernel1D(size: kernelHeight, sigma: sigmaY, version: version))
    }
    let kernel = gaussianKernel2D(
      kernelHeight: kernelHeight, kernelWidth: kernelWidth, sigmaX: sigmaX, sigmaY: sigmaY, version: version)
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

  /// Lanes of the separable blur's row passes: eight samples per vector (two SSE registers in the
  /// baseline build, one AVX register in the host-level build).
  typealias BlurLanes = SIMD8<Float>

  /// The square-kernel path of ``gaussianBlur(_:kernelHeight:kernelWidth:sigmaX:sigmaY:)``: a
  /// horizontal pass with `columnTaps` then a vertical pass with `rowTaps`, in float32.
  ///
  /// Each output sums its in-image taps in tap order (`(w0·p0 + w1·p1) + …`, no fused multiply-add).
  /// Samples outside the image are held as zeros instead of being skipped: the taps are finite and
  /// non-negative, so such a product is +0 and adding it leaves a sum of non-negative terms unchanged,
  /// and `0 + w·p` (the first in-image tap) is `w·p`. So every sample is the same float32 sum as a
  /// loop over the in-image taps only, eight samples per vector.
  ///
  /// Each row is converted once into a zero-padded float row; horizontal results live in a ring of
  /// `rowTaps.count` rows (zero rows above and below the image), so the working set stays small.
  static func separableBlur(_ image: Tensor, columnTaps: [Float], rowTaps: [Float]) -> Tensor {
    let height = image.height
    let width = image.width
    let channels = image.channels
    let rowLength = width * channels
    let lanes = BlurLanes.scalarCount
    let size = columnTaps.count
    let padLeft = (size - 1) / 2
    let padTop = (rowTaps.count - 1) / 2
    // Horizontal rows are computed in whole vectors: `stride` samples, the tail past `rowLength` unused.
    let stride = (rowLength + lanes - 1) / lanes * lanes
    // The padded input row: `padLeft` zero pixels, the row, then zeros up to the last vector's last tap.
    let paddedLength = stride + (size - 1) * channels + lanes
    let ringRows = rowTaps.count
    var scratch = [Float](repeating: 0, count: paddedLength + (ringRows + 1) * stride)
    // Where each of the vertical pass's rows starts in `scratch`.
    var rowStarts = [Int](repeating: 0, count: ringRows)
    return image.withUnsafeBufferPointer { source in
      scratch.withUnsafeMutableBufferPointer { scratch in
        columnTaps.withUnsafeBufferPointer { columnTaps in
          rowTaps.withUnsafeBufferPointer { rowTaps in
            rowStarts.withUnsafeMutableBufferPointer { rowStarts in
              makeTensor(height: height, width: width, channels: channels) { dst in
                guard let src = source.baseAddress, let scratch = scratch.baseAddress,
                  let columnTaps = columnTaps.baseAddress, let rowTaps = rowTaps.baseAddress,
                  let rows = rowStarts.baseAddress
                else { return }
                let padded = scratch
                let zeroRow = scratch + paddedLength
                let ring = zeroRow + stride
                let inputStart = padded + padLeft * channels
                let zeroStart = paddedLength
                let ringStart = paddedLength + stride
                var computed = 0
                for y in 0..<height {
                  // Horizontal rows up to the last one this output row reads.
                  while computed < min(height, y - padTop + ringRows) {
                    let bytes = src + computed * rowLength
                    for i in 0..<rowLength { inputStart[i] = Float(bytes[i]) }
                    let out = ring + (computed % ringRows) * stride
                    blurHorizontal(padded, out, stride, columnTaps, size: size, channels: channels)
                    computed += 1
                  }
                  for tap in 0..<ringRows {
                    let r = y + tap - padTop
                    rows[tap] = r >= 0 && r < height ? ringStart + (r % ringRows) * stride : zeroStart
                  }
                  let out = dst + y * rowLength
                  blurVertical(scratch, rows, rowTaps, out, rowLength, size: ringRows)
                }
              }
            }
          }
        }
      }
    }
  }

  /// ``blurHorizontalTaps(_:_:_:size:channels:weight:)`` with the common kernel sizes as constants:
  /// each size is a specialization of its own, so the tap loop unrolls.
  static func blurHorizontal(
    _ padded: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int,
    _ taps: UnsafePointer<Float>, size: Int, channels: Int
  ) {
    switch size {
    case 3: blurHorizontal(BlurTaps3.self, padded, out, count, taps, channels: channels)
    case 5: blurHorizontal(BlurTaps5.self, padded, out, count, taps, channels: channels)
    case 7: blurHorizontal(BlurTaps7.self, padded, out, count, taps, channels: channels)
    default:
      blurHorizontalTaps(padded, out, count, size: size, channels: channels) { taps[$0] }
    }
  }

  /// ``blurHorizontalTaps(_:_:_:size:channels:weight:)`` for `Size.count` taps, held in registers:
  /// read through `taps` in the loop, they would be loaded again every step, since the stores to
  /// `out` might alias them as far as the optimizer knows.
  @inline(never)
  static func blurHorizontal<Size: BlurTapCount>(
    _: Size.Type, _ padded: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int,
    _ taps: UnsafePointer<Float>, channels: Int
  ) {
    let weights = BlurTapRegisters(taps, count: Size.count)
    blurHorizontalTaps(padded, out, count, size: Size.count, channels: channels) { weights.weights[$0] }
  }

  /// The horizontal pass over one zero-padded float row: `out[i] = (w0·p[i] + w1·p[i + channels]) + …`
  /// for `i < count` (a multiple of the lane count), a vector at a time, `weight(k)` being tap `k`.
  /// Callers pass `size` as a literal where they can, so the tap loop unrolls.
  @inline(__always)
  static func blurHorizontalTaps(
    _ padded: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int, size: Int,
    channels: Int, weight: (Int) -> Float
  ) {
    let input = UnsafeRawPointer(padded)
    let output = UnsafeMutableRawPointer(out)
    let tapStride = channels &* 4
    let lanes = BlurLanes.scalarCount
    var i = 0
    while i < count {
      let at = i &* 4
      var sum = BlurLanes(repeating: weight(0)) * input.loadUnaligned(fromByteOffset: at, as: BlurLanes.self)
      for tap in 1..<size {
        sum =
          sum
          + BlurLanes(repeating: weight(tap))
          * input.loadUnaligned(fromByteOffset: at &+ tap &* tapStride, as: BlurLanes.self)
      }
      output.storeBytes(of: sum, toByteOffset: at, as: BlurLanes.self)
      i &+= lanes
    }
  }

  /// ``blurVerticalTaps(_:_:_:size:weight:row:)`` with the common kernel sizes as constants.
  static func blurVertical(
    _ base: UnsafePointer<Float>, _ rows: UnsafePointer<Int>, _ taps: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<UInt8>, _ count: Int, size: Int
  ) {
    switch size {
    case 3: blurVertical(BlurTaps3.self, base, rows, taps, out, count)
    case 5: blurVertical(BlurTaps5.self, base, rows, taps, out, count)
    case 7: blurVertical(BlurTaps7.self, base, rows, taps, out, count)
    default:
      blurVerticalTaps(base, out, count, size: size, weight: { taps[$0] }, row: { rows[$0] })
    }
  }

  /// ``blurVerticalTaps(_:_:_:size:weight:row:)`` for `Size.count` taps, the taps and row starts held
  /// in registers (see ``blurHorizontal(_:_:_:_:_:channels:)``: the byte stores to `out` might alias
  /// them, so they would be loaded again every step).
  @inline(never)
  static func blurVertical<Size: BlurTapCount>(
    _: Size.Type, _ base: UnsafePointer<Float>, _ rows: UnsafePointer<Int>, _ taps: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<UInt8>, _ count: Int
  ) {
    let registers = BlurTapRegisters(taps, count: Size.count, rows: rows)
    blurVerticalTaps(
      base, out, count, size: Size.count, weight: { registers.weights[$0] }, row: { registers.rows[$0] })
  }

  /// The vertical pass for one output row: `(w0·r0[i] + w1·r1[i]) + …` over the `size` horizontal rows
  /// starting at `base + row(k)`, `weight(k)` being tap `k`, as ``clampToUInt8(_:)`` bytes, sixteen
  /// samples at a time then one at a time. The taps and rows are finite and non-negative (Gaussian
  /// taps of horizontal sums of bytes), so the sums are +0 or positive (``nonNegativeBlurWords(_:)``).
  /// Callers pass `size` as a literal where they can.
  @inline(__always)
  static func blurVerticalTaps(
    _ base: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>, _ count: Int, size: Int,
    weight: (Int) -> Float, row: (Int) -> Int
  ) {
    let lanes = BlurLanes.scalarCount
    let d = UnsafeMutableRawPointer(out)
    @inline(__always) func sum(_ at: Int) -> BlurLanes {
      var sum =
        BlurLanes(repeating: weight(0))
        * UnsafeRawPointer(base + row(0)).loadUnaligned(fromByteOffset: at, as: BlurLanes.self)
      for tap in 1..<size {
        sum =
          sum + BlurLanes(repeating: weight(tap))
          * UnsafeRawPointer(base + row(tap)).loadUnaligned(fromByteOffset: at, as: BlurLanes.self)
      }
      return sum
    }
    var i = 0
    while i &+ 2 &* lanes <= count {
      let at = i &* 4
      #if arch(x86_64) && !PORTABLE_LANES
        let bytes = toBytes16(sum(at), sum(at &+ lanes &* 4))
      #else
        let low = nonNegativeBlurWords(sum(at))
        let high = nonNegativeBlurWords(sum(at &+ lanes &* 4))
        let bytes = SIMD16(
          lowHalf: lowBytes(narrowed(low.lowHalf, low.highHalf)),
          highHalf: lowBytes(narrowed(high.lowHalf, high.highHalf)))
      #endif
      d.storeBytes(of: bytes, toByteOffset: i, as: SIMD16<UInt8>.self)
      i &+= 2 &* lanes
    }
    while i < count {
      var sum = weight(0) * base[row(0) &+ i]
      for tap in 1..<size { sum = sum + weight(tap) * base[row(tap) &+ i] }
      out[i] = clampToUInt8(sum)
      i &+= 1
    }
  }

  /// ``blurWords(_:)`` for sums that are never negative or −0 (the vertical pass: non-negative taps
  /// times non-negative samples, so every product and sum is +0 or positive): the lower clamp is the
  /// identity there and is left out, and `min(x, 255) + 0.5` is taken as `min(x + 0.5, 255.5)` (equal
  /// for `x ≥ 0`: `x + 0.5` is exact up to 255 and at least 255.5 above), a select LLVM emits as one
  /// `minps`.
  @inline(__always)
  static func nonNegativeBlurWords(_ x: BlurLanes) -> SIMD8<Int32> {
    let top = BlurLanes(repeating: 255.5)
    let half = x + 0.5
    let z = half.replacing(with: top, where: top .< half)
    let magic = BlurLanes(repeating: 8_388_608)
    let shifted = z + magic
    let roundedUp = unsafeBitCast(z - (shifted - magic), to: SIMD8<Int32>.self) &>> 31
    return unsafeBitCast(shifted, to: SIMD8<Int32>.self) &+ roundedUp
  }

  /// ``clampToUInt8(_:)`` per lane for finite `x`, as 32-bit words holding the byte:
  /// `⌊min(max(x, 0), 255) + 0.5⌋` (``floorBytes(_:)``'s method).
  @inline(__always)
  static func blurWords(_ x: BlurLanes) -> SIMD8<Int32> {
    let zero = BlurLanes(repeating: 0)
    let top = BlurLanes(repeating: 255)
    let clamped = x.replacing(with: zero, where: x .< zero)
    let z = clamped.replacing(with: top, where: clamped .> top) + 0.5
    let magic = BlurLanes(repeating: 8_388_608)
    let shifted = z + magic
    // −1 where adding 2²³ rounded up: the sign of `z − nearest`, an exact difference.
    let roundedUp = unsafeBitCast(z - (shifted - magic), to: SIMD8<Int32>.self) &>> 31
    return unsafeBitCast(shifted, to: SIMD8<Int32>.self) &+ roundedUp
  }
}

/// Up to eight blur taps (and the vertical pass's row starts) as values, so loops read them from
/// registers.
struct BlurTapRegisters {
  /// Tap `k` in lane `k`.
  var weights = SIMD8<Float>()
  /// The start of tap `k`'s row in lane `k` (vertical pass only).
  var rows = SIMD8<Int>()

  /// The first `count` (at most 8) of `taps`, and of `rows` when given.
  init(_ taps: UnsafePointer<Float>, count: Int, rows: UnsafePointer<Int>? = nil) {
    precondition(count <= 8)
    for tap in 0..<count {
      weights[tap] = taps[tap]
      if let rows { self.rows[tap] = rows[tap] }
    }
  }
}

/// A kernel size known at compile time, for the blur passes' specializations.
protocol BlurTapCount {
  static var count: Int { get }
}

/// Three taps.
enum BlurTaps3: BlurTapCount { static var count: Int { 3 } }
/// Five taps.
enum BlurTaps5: BlurTapCount { static var count: Int { 5 } }
/// Seven taps.
enum BlurTaps7: BlurTapCount { static var count: Int { 7 } }
