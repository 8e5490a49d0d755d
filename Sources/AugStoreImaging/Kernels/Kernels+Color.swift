import CKernels

extension Kernels {
  /// The channels colour operations change: all but the alpha channel of grey+alpha and RGBA images.
  @inlinable
  static func colourChannels(_ channels: Int) -> Int {
    channels == 2 || channels == 4 ? channels - 1 : channels
  }

  /// Adds `delta` (on the 0–255 scale, Keras `RandomBrightness`' `rgb_delta`) to every colour sample and
  /// clips to `0...255`; alpha is left untouched.
  ///
  /// The sum is computed in float32 and rounded half away from zero, so a fractional delta behaves as
  /// Keras' float output rounded.
  public static func adjustBrightness(_ image: Tensor, delta: Float) -> Tensor {
    var table = [UInt8](repeating: 0, count: 256)
    for v in 0..<256 { table[v] = toUInt8(min(max(Float(v) + delta, 0), 255)) }
    // Whenever the table is a saturating add of an integer (always, unless float rounding of a
    // fractional delta splits a step), 16 samples at a time take one min and one wrapping add.
    if colourChannels(image.channels) == image.channels, let shift = saturatingShift(table) {
      return addSaturating(image, shift, table)
    }
    return applyLookup(image, table)
  }

  /// The integer `k` with `table[v] == clamp(v + k, 0, 255)` for every `v`, if there is one.
  static func saturatingShift(_ table: [UInt8]) -> Int? {
    let k = Int(table[128]) - 128
    for v in 0..<256 where Int(table[v]) != min(max(v + k, 0), 255) { return nil }
    return k
  }

  /// `min(x + k, 255)` per lane; `replacing(with:where:)` on 128-bit vectors compiles to `pminub`
  /// (generic `pointwiseMin` and wider vectors are scalarized), and the pair to `paddusb`.
  @inline(__always)
  static func addSaturating(_ x: SIMD16<UInt8>, _ k: SIMD16<UInt8>, _ limit: SIMD16<UInt8>) -> SIMD16<UInt8> {
    x.replacing(with: limit, where: limit .< x) &+ k
  }

  /// `max(x − k, 0)` per lane (`psubusb`).
  @inline(__always)
  static func subtractSaturating(_ x: SIMD16<UInt8>, _ k: SIMD16<UInt8>) -> SIMD16<UInt8> {
    x.replacing(with: k, where: k .> x) &- k
  }

  /// Every sample `v` becomes `clamp(v + shift, 0, 255)` (equal to `table[v]`, used for the tail).
  static func addSaturating(_ image: Tensor, _ shift: Int, _ table: [UInt8]) -> Tensor {
    if shift >= 0 {
      let k = SIMD16<UInt8>(repeating: UInt8(min(shift, 255)))
      let limit = SIMD16<UInt8>(repeating: UInt8(255 - min(shift, 255)))
      return mapBytes(image, table, SaturatingAddition(k: k, limit: limit))
    }
    return mapBytes(image, table, SaturatingSubtraction(k: SIMD16<UInt8>(repeating: UInt8(min(-shift, 255)))))
  }

  /// `clamp(x + k, 0, 255)` per lane, for ``mapBytes(_:_:_:)``.
  struct SaturatingAddition: ByteLanesTransform {
    let k: SIMD16<UInt8>
    let limit: SIMD16<UInt8>
    @inline(__always)
    func callAsFunction(_ x: SIMD16<UInt8>) -> SIMD16<UInt8> { addSaturating(x, k, limit) }
  }

  /// `max(x − k, 0)` per lane, for ``mapBytes(_:_:_:)``.
  struct SaturatingSubtraction: ByteLanesTransform {
    let k: SIMD16<UInt8>
    @inline(__always)
    func callAsFunction(_ x: SIMD16<UInt8>) -> SIMD16<UInt8> { subtractSaturating(x, k) }
  }

  /// Every sample through `transform`, 32 samples per step (two vectors), and the samples past the
  /// last whole step through `table`, which must agree with `transform` sample for sample. Generic
  /// rather than over a closure, so each transform is specialized into the loop (a closure was
  /// called per vector).
  @inline(__always)
  static func mapBytes<Transform: ByteLanesTransform>(
    _ image: Tensor, _ table: [UInt8], _ transform: Transform
  ) -> Tensor {
    image.withUnsafeBufferPointer { source in
      table.withUnsafeBufferPointer { lut in
        makeTensor(height: image.height, width: image.width, channels: image.channels) { out in
          guard let src = source.baseAddress, let lut = lut.baseAddress else { return }
          let count = source.count
          let s = UnsafeRawPointer(src)
          let d = UnsafeMutableRawPointer(out)
          var i = 0
          while i &+ 32 <= count {
            let x0 = s.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
            let x1 = s.loadUnaligned(fromByteOffset: i &+ 16, as: SIMD16<UInt8>.self)
            d.storeBytes(of: transform(x0), toByteOffset: i, as: SIMD16<UInt8>.self)
            d.storeBytes(of: transform(x1), toByteOffset: i &+ 16, as: SIMD16<UInt8>.self)
            i &+= 32
          }
          while i < count {
            out[i] = lut[Int(src[i])]
            i &+= 1
          }
        }
      }
    }
  }

  /// Applies `table` to every colour sample (alpha untouched).
  static func applyLookup(_ image: Tensor, _ table: [UInt8]) -> Tensor {
    let channels = image.channels
    let colour = colourChannels(channels)
    return image.withUnsafeBufferPointer { source in
      table.withUnsafeBufferPointer { lut in
        makeTensor(height: image.height, width: image.width, channels: channels) { out in
          guard let src = source.baseAddress, let lut = lut.baseAddress else { return }
          let count = source.count
          if colour == channels {
            var i = 0
            while i + 4 <= count {
              out[i] = lut[Int(src[i])]
              out[i + 1] = lut[Int(src[i + 1])]
              out[i + 2] = lut[Int(src[i + 2])]
              out[i + 3] = lut[Int(src[i + 3])]
              i += 4
            }
            while i < count {
              out[i] = lut[Int(src[i])]
              i += 1
            }
          } else {
            var i = 0
            while i < count {
              for c in 0..<colour { out[i + c] = lut[Int(src[i + c])] }
              out[i + colour] = src[i + colour]
              i += channels
            }
          }
        }
      }
    }
  }

  /// The mean of each channel over the whole image (Keras' per-image, per-channel mean): the exact
  /// integer sum of the channel's samples divided by the pixel count, in `Double`.
  public static func channelMeans(_ image: Tensor) -> [Double] {
    let sums = image.withUnsafeBufferPointer { buffer in
      channelSums(buffer, channels: image.channels)
    }
    let count = Double(image.height * image.width)
    return sums.map { Double($0) / count }
  }

  /// The exact integer sum of each channel's samples in an interleaved buffer of `channels`-sample
  /// pixels (`buffer.count` a multiple of `channels`).
  ///
  /// A block of 16 bytes (48 for three channels) holds whole pixels, so each byte position in a block
  /// always belongs to the same channel. Each 16-byte vector is split into its even and odd bytes
  /// (`pand`, `psrlw`) and added into 16-bit lanes; at most 256 blocks are accumulated
  /// (`256 · 255 < 2¹⁶`, so no lane wraps) before the lanes are flushed into `Int` sums.
  static func channelSums(_ buffer: UnsafeBufferPointer<UInt8>, channels: Int) -> [Int] {
    var sums = [Int](repeating: 0, count: channels)
    guard let src = buffer.baseAddress else { return sums }
    let count = buffer.count
    let vectorsPerBlock = channels == 3 ? 3 : 1
    let blockBytes = 16 * vectorsPerBlock
    let raw = UnsafeRawPointer(src)
    let lowByte = SIMD8<UInt16>(repeating: 0x00FF)
    var i = 0
    while i + blockBytes <= count {
      let blocks = min((count - i) / blockBytes, 256)
      var even0 = SIMD8<UInt16>()
      var odd0 = SIMD8<UInt16>()
      var even1 = SIMD8<UInt16>()
      var odd1 = SIMD8<UInt16>()
      var even2 = SIMD8<UInt16>()
      var odd2 = SIMD8<UInt16>()
      if vectorsPerBlock == 3 {
        for _ in 0..<blocks {
          let w0 = raw.loadUnaligned(fromByteOffset: i, as: SIMD8<UInt16>.self)
          let w1 = raw.loadUnaligned(fromByteOffset: i &+ 16, as: SIMD8<UInt16>.self)
          let w2 = raw.loadUnaligned(fromByteOffset: i &+ 32, as: SIMD8<UInt16>.self)
          even0 &+= w0 & lowByte
          odd0 &+= w0 &>> 8
          even1 &+= w1 & lowByte
          odd1 &+= w1 &>> 8
          even2 &+= w2 & lowByte
          odd2 &+= w2 &>> 8
          i &+= 48
        }
      } else {
        for _ in 0..<blocks {
          let w0 = raw.loadUnaligned(fromByteOffset: i, as: SIMD8<UInt16>.self)
          even0 &+= w0 & lowByte
          odd0 &+= w0 &>> 8
          i &+= 16
        }
      }
      // Lane `l` of vector `k` holds byte positions `16k + 2l` (even) and `16k + 2l + 1` (odd).
      for lane in 0..<8 {
        sums[(2 * lane) % channels] += Int(even0[lane])
        sums[(2 * lane + 1) % channels] += Int(odd0[lane])
        if vectorsPerBlock == 3 {
          sums[(16 + 2 * lane) % 3] += Int(even1[lane])
          sums[(17 + 2 * lane) % 3] += Int(odd1[lane])
          sums[(32 + 2 * lane) % 3] += Int(even2[lane])
          sums[(33 + 2 * lane) % 3] += Int(odd2[lane])
        }
      }
    }
    // `i` is a multiple of the block size, hence of `channels`.
    var channel = 0
    while i < count {
      sums[channel] += Int(src[i])
      channel = channel + 1 == channels ? 0 : channel + 1
      i += 1
    }
    return sums
  }

  /// Keras 3 `RandomContrast` with a given `contrast_factor`: per channel,
  /// `(x − mean) · factor + mean` clipped to `0...255`, where `mean` is the channel's mean over the
  /// whole image; alpha is left untouched.
  ///
  /// The mean is computed exactly (integer sum) and rounded to float32; the rest in float32.
  public static func adjustContrast(_ image: Tensor, factor: Float) -> Tensor {
    let means = channelMeans(image)
    let channels = image.channels
    let colour = colourChannels(channels)
    var tables = [UInt8](repeating: 0, count: 256 * channels)
    for c in 0..<channels {
      let mean = Float(means[c])
      for v in 0..<256 {
        tables[c * 256 + v] =
          c < colour ? toUInt8(min(max((Float(v) - mean) * factor + mean, 0), 255)) : UInt8(v)
      }
    }
    // Each table as an integer line, when one reproduces it exactly (almost always for
    // 0 < factor < 3.9); otherwise (a negative or tiny factor, a table no line fits) a lookup per sample.
    var lines: [SampleLine] = []
    tables.withUnsafeBufferPointer { lut in
      guard let lut = lut.baseAddress else { return }
      for c in 0..<channels {
        let line = c < colour ? SampleLine(table: lut + c * 256, slope: factor) : .identity
        guard let line else { return }
        lines.append(line)
      }
    }
    if lines.count == channels {
      return image.withUnsafeBufferPointer { source in
        makeTensor(height: image.height, width: image.width, channels: channels) { out in
          guard let src = source.baseAddress else { return }
          switch channels {
          case 1: applyLines(src, out, source.count, lines, channels: 1)
          case 2: applyLines(src, out, source.count, lines, channels: 2)
          case 3: applyLines(src, out, source.count, lines, channels: 3)
          default: applyLines(src, out, source.count, lines, channels: 4)
          }
        }
      }
    }
    return image.withUnsafeBufferPointer { source in
      tables.withUnsafeBufferPointer { lut in
        makeTensor(height: image.height, width: image.width, channels: channels) { out in
          guard let src = source.baseAddress, let lut = lut.baseAddress else { return }
          switch channels {
          case 1: applyChannelTables(src, out, source.count, lut, channels: 1)
          case 2: applyChannelTables(src, out, source.count, lut, channels: 2)
          case 3: applyChannelTables(src, out, source.count, lut, channels: 3)
          default: applyChannelTables(src, out, source.count, lut, channels: 4)
          }
        }
      }
    }
  }

  /// A 256-entry byte table as the line `v ↦ clamp(⌊(a·v + b) / 2¹⁴⌋, 0, 255)`, in the pieces 16-bit
  /// lanes compute it from (``applyLines(_:_:_:_:channels:)``).
  ///
  /// With `a = aₕ·2⁸ + aₗ` and `b = bₕ·2⁸ + bₗ` (`0 ≤ aₗ, bₗ < 2⁸`, `0 ≤ aₕ < 2⁸`) and
  /// `q = ⌊(aₗ·v + bₗ) / 2⁸⌋`: `a·v + b = 2⁸·(aₕ·v + q + bₕ) + s` with `0 ≤ s < 2⁸`, so
  /// `⌊(a·v + b) / 2¹⁴⌋ = ⌊(aₕ·v + q + bₕ) / 2⁶⌋`. Both `aₗ·v + bₗ` and `aₕ·v + q` stay below 2¹⁶;
  /// adding `bₕ` saturates at 0 and 2¹⁶ − 1, which the final clamp to `0...255` would reach anyway.
  struct SampleLine {
    /// `aₗ`: the slope's low 8 bits.
    var slopeLow: UInt16
    /// `aₕ`: the slope's high 8 bits.
    var slopeHigh: UInt16
    /// `bₗ`: the intercept's low 8 bits.
    var interceptLow: UInt16
    /// `bₕ` when it is positive, else 0.
    var interceptAdded: UInt16
    /// `−bₕ` when `bₕ` is negative, else 0.
    var interceptSubtracted: UInt16

    /// `v ↦ v`.
    static let identity = SampleLine(slope: 1 << 14, intercept: 0)

    /// The pieces of `a` (`0 ≤ a < 2¹⁶`) and `b` (`|b| < 2²⁴`).
    init(slope a: Int, intercept b: Int) {
      slopeLow = UInt16(a & 0xFF)
      slopeHigh = UInt16(a >> 8)
      interceptLow = UInt16(b & 0xFF)
      let high = b >> 8
      interceptAdded = UInt16(max(high, 0))
      interceptSubtracted = UInt16(max(-high, 0))
    }

    /// `clamp(⌊(a·v + b) / 2¹⁴⌋, 0, 255)` as the lanes compute it, in scalar code.
    func callAsFunction(_ v: UInt8) -> UInt8 {
      let x = Int(v)
      let q = (Int(slopeLow) * x + Int(interceptLow)) >> 8
      let t = Int(slopeHigh) * x + q + Int(interceptAdded) - Int(interceptSubtracted)
      return UInt8(min(max(t, 0) >> 6, 255))
    }

    /// The line that reproduces `table` exactly, or `nil` if no slope near `slope · 2¹⁴` (within
    /// `0 < a < 2¹⁶`) has one.
    ///
    /// For a candidate `a`, each `v` bounds `b`: `table[v] · 2¹⁴ ≤ a·v + b < (table[v] + 1) · 2¹⁴`,
    /// without the lower bound where the table is 0 and the upper one where it is 255 (the clamp
    /// covers those). Candidates are tried from the rounded ideal slope outwards; of the intercepts
    /// that fit, the one nearest 0 is taken. The line found is checked against every entry.
    init?(table: UnsafePointer<UInt8>, slope: Float) {
      let ideal = (Double(slope) * 16384).rounded()
      guard ideal.isFinite, ideal >= 2, ideal <= 65_533 else { return nil }
      for delta in [0, -1, 1, -2, 2] {
        let a = Int(ideal) + delta
        var low = Int.min
        var high = Int.max
        for v in 0..<256 {
          let t = Int(table[v])
          if t > 0 { low = max(low, t << 14 - a * v) }
          if t < 255 { high = min(high, (t + 1) << 14 - 1 - a * v) }
        }
        guard low <= high else { continue }
        let b = min(max(0, low), high)
        guard abs(b) < 1 << 24 else { continue }
        let line = SampleLine(slope: a, intercept: b)
        guard (0..<256).allSatisfy({ line(UInt8($0)) == table[$0] }) else { continue }
        self = line
        return
      }
      return nil
    }
  }

  /// `out[i] = clamp(⌊(a·src[i] + b) / 2¹⁴⌋, 0, 255)` with the ``SampleLine`` of channel `i % channels`,
  /// 16 samples per step in 16-bit lanes: two `pmullw`, a shift and two adds for `aₕ·x + q`, a
  /// saturating add and subtract for `bₕ`, a shift, and a saturating narrowing. A block of 16 bytes
  /// (48 for three channels) holds whole pixels, so each vector of a block has fixed per-lane
  /// coefficients. Callers pass `channels` as a literal.
  @inline(__always)
  static func applyLines(
    _ src: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, _ count: Int, _ lines: [SampleLine],
    channels: Int
  ) {
    typealias Coefficients = (
      slopeLow: SIMD16<UInt16>, slopeHigh: SIMD16<UInt16>, interceptLow: SIMD16<UInt16>,
      interceptAdded: SIMD16<UInt16>, interceptSubtracted: SIMD16<UInt16>
    )
    /// Lane `l` of the `k`-th vector of a block belongs to channel `(16k + l) % channels`.
    func lanes(_ k: Int) -> Coefficients {
      var coefficients = Coefficients(SIMD16(), SIMD16(), SIMD16(), SIMD16(), SIMD16())
      for lane in 0..<16 {
        let line = lines[(16 * k + lane) % channels]
        coefficients.slopeLow[lane] = line.slopeLow
        coefficients.slopeHigh[lane] = line.slopeHigh
        coefficients.interceptLow[lane] = line.interceptLow
        coefficients.interceptAdded[lane] = line.interceptAdded
        coefficients.interceptSubtracted[lane] = line.interceptSubtracted
      }
      return coefficients
    }
    let k0 = lanes(0)
    let k1 = lanes(1)
    let k2 = lanes(2)
    // Conversions lane by lane: the standard library's generic SIMD conversions stay calls here,
    // where the optimizer folds these into single instructions; the selects below are its
    // saturating add and subtract (`paddusw`, `psubusw`).
    @inline(__always) func vector(_ bytes: SIMD16<UInt8>, _ k: Coefficients) -> SIMD16<UInt8> {
      #if arch(x86_64) && !PORTABLE_LANES
        return lineLanes(
          bytes, k.slopeLow, k.slopeHigh, k.interceptLow, k.interceptAdded, k.interceptSubtracted)
      #else
        let top = SIMD16<UInt16>(repeating: 255)
        let ones = SIMD16<UInt16>(repeating: 0xFFFF)
        var x = SIMD16<UInt16>()
        for lane in 0..<16 { x[lane] = UInt16(bytes[lane]) }
        let q = (x &* k.slopeLow &+ k.interceptLow) &>> 8
        let t = x &* k.slopeHigh &+ q
        let added = t &+ k.interceptAdded
        let up = added.replacing(with: ones, where: added .< t)
        let down = (up &- k.interceptSubtracted).replacing(with: 0, where: up .< k.interceptSubtracted)
        let shifted = down &>> 6
        let clamped = shifted.replacing(with: top, where: shifted .> top)
        var result = SIMD16<UInt8>()
        for lane in 0..<16 { result[lane] = UInt8(truncatingIfNeeded: clamped[lane]) }
        return result
      #endif
    }
    let s = UnsafeRawPointer(src)
    let d = UnsafeMutableRawPointer(out)
    let block = channels == 3 ? 48 : 16
    var i = 0
    while i &+ block <= count {
      let v0 = s.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
      if channels == 3 {
        let v1 = s.loadUnaligned(fromByteOffset: i &+ 16, as: SIMD16<UInt8>.self)
        let v2 = s.loadUnaligned(fromByteOffset: i &+ 32, as: SIMD16<UInt8>.self)
        d.storeBytes(of: vector(v0, k0), toByteOffset: i, as: SIMD16<UInt8>.self)
        d.storeBytes(of: vector(v1, k1), toByteOffset: i &+ 16, as: SIMD16<UInt8>.self)
        d.storeBytes(of: vector(v2, k2), toByteOffset: i &+ 32, as: SIMD16<UInt8>.self)
      } else {
        d.storeBytes(of: vector(v0, k0), toByteOffset: i, as: SIMD16<UInt8>.self)
      }
      i &+= block
    }
    // `i` is a multiple of the block, hence of `channels`.
    var channel = 0
    while i < count {
      out[i] = lines[channel](src[i])
      channel = channel + 1 == channels ? 0 : channel + 1
      i &+= 1
    }
  }

  /// `out[i] = tables[(i % channels) · 256 + src[i]]` for `i < count` (`count` a multiple of `channels`).
  ///
  /// Byte stores limit a plain lookup loop, so eight looked-up bytes are assembled into one `UInt64`
  /// and stored at once. A period of `channels` words (8 · `channels` bytes) starts on a pixel boundary,
  /// so the table of each byte in it is a constant once `channels` is (callers pass a literal).
  @inline(__always)
  static func applyChannelTables(
    _ src: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, _ count: Int,
    _ tables: UnsafePointer<UInt8>, channels: Int
  ) {
    let period = 8 &* channels
    let destination = UnsafeMutableRawPointer(out)
    var i = 0
    while i &+ period <= count {
      for word in 0..<channels {
        let base = i &+ 8 &* word
        var value: UInt64 = 0
        for j in 0..<8 {
          let table = ((8 &* word &+ j) % channels) &* 256
          value |= UInt64(tables[table &+ Int(src[base &+ j])]) &<< (8 &* j)
        }
        destination.storeBytes(of: value.littleEndian, toByteOffset: base, as: UInt64.self)
      }
      i &+= period
    }
    while i < count {
      out[i] = tables[(i % channels) &* 256 &+ Int(src[i])]
      i &+= 1
    }
  }

  /// Keras 3 `RandomGrayscale` when it applies: every RGB sample becomes
  /// `0.2989·r + 0.5870·g + 0.1140·b` (float32), keeping three channels as Keras broadcasts them; alpha
  /// is untouched, and grey images are returned unchanged.
  public static func grayscale(_ image: Tensor) -> Tensor {
    guard image.channels >= 3 else { return image }
    var output = image
    let channels = image.channels
    output.withUnsafeMutableBufferPointer { buffer in
      var i = 0
      while i < buffer.count {
        let r = Float(buffer[i])
        let g = Float(buffer[i + 1])
        let b = Float(buffer[i + 2])
        let grey = toUInt8(r * 0.2989 + g * 0.5870 + b * 0.1140)
        buffer[i] = grey
        buffer[i + 1] = grey
        buffer[i + 2] = grey
        i += channels
      }
    }
    return output
  }

  /// Keras 3 `RandomSaturation` with a given multiplier (the layer's `factor` transformation, i.e. the
  /// drawn value `f` already mapped to `f / (1 − f + ε)`): RGB → HSV, `s · factor` clipped to
  /// `[0, 255]` (Keras clips to the value range, so `s` may exceed 1), HSV → RGB, then clipped to
  /// `0...255` when converted to `UInt8`.
  ///
  /// Grey and grey+alpha images are unchanged; alpha is untouched.
  ///
  /// The HSV round trip is evaluated in closed form: with `v = max(r, g, b)`, scaling saturation by
  /// `factor` maps each channel `c` to `v + factor·(c − v)` (float32), which equals TensorFlow's
  /// `hsv_to_rgb(rgb_to_hsv(...))` up to float rounding (well under 0.01). When `s · factor` would be
  /// clipped (`factor < 0`, or `factor > 255 / s`) the full HSV path runs instead.
  ///
  /// RGB images run the float32 formula in 16 interleaved lanes (``saturateRGB(_:_:count:factor:)``).
  /// RGBA images apply it through integer shifts per `v − c` (``saturationShifts(factor:)``), which give
  /// the same bytes as the float32 formula; for the rare factors where that cannot be proven, the
  /// formula runs in float lanes (``saturatePixels(_:_:count:factor:channels:)``).
  public static func adjustSaturation(_ image: Tensor, factor: Float) -> Tensor {
    guard image.channels >= 3 else { return image }
    guard factor >= 0 && factor <= 255 else { return mapHSV(image, .saturation(factor)) }
    let channels = image.channels
    return image.withUnsafeBufferPointer { source in
      makeTensor(height: image.height, width: image.width, channels: channels) { out in
        guard let src = source.baseAddress else { return }
        let count = source.count
        if channels == 3 {
          saturateRGB(src, out, count: count, factor: factor)
        } else if let shifts = saturationShifts(factor: factor) {
          shifts.withUnsafeBufferPointer { shifts in
            guard let shifts = shifts.baseAddress else { return }
            saturateWithShifts(src, out, count: count, shifts: shifts, channels: 4)
          }
        } else {
          saturatePixels(src, out, count: count, factor: factor, channels: 4)
        }
      }
    }
  }

  /// For `0 ≤ factor ≤ 255`, the integers `K[d]` (`d = v − c`, `0...255`) with
  /// `clampToUInt8(v + factor·(c − v)) == max(0, v − K[d])` for every pixel maximum `v ≥ d`, each at
  /// most 256 (larger shifts give 0 as well), or `nil`
  /// when one of them cannot be proven (then the float path runs).
  ///
  /// With `t = factor·(−d)` rounded to float32 (exactly the scalar product, as `c − v = −d` is exact)
  /// and `−t = k + φ` (`k` an integer, `0 ≤ φ < 1`), the exact value `v + t` rounds half away from
  /// zero to `v − k − [φ > 0.5]`. The float32 sum `v + t` and the `+ 0.5` each err by at most
  /// 2⁻¹⁷ when their magnitude is below 256 (larger negative sums clamp to 0 either way), which can
  /// change the result only when `φ` lies within 2⁻¹⁶ of ½ without being ½ (at exactly ½ both sums
  /// are exact). Results never exceed `v`, as `t ≤ 0`.
  static func saturationShifts(factor: Float) -> [Int32]? {
    var shifts = [Int32](repeating: 0, count: 256)
    for d in 0..<256 {
      let magnitude = -Double(factor * -Float(d))
      let k = magnitude.rounded(.down)
      let fraction = magnitude - k
      if fraction != 0.5 && abs(fraction - 0.5) <= 0x1p-16 { return nil }
      // Any shift of 256 or more gives 0 for every `v ≤ 255`.
      shifts[d] = Int32(min(k, 256)) + (k < 256 && fraction > 0.5 ? 1 : 0)
    }
    return shifts
  }

  /// ``adjustSaturation(_:factor:)``'s closed form with the shifts of ``saturationShifts(factor:)``:
  /// each colour sample `c` of a pixel with maximum `v` becomes `max(0, v − shifts[v − c])`; alpha is
  /// copied. Integer only; callers pass `channels` as a literal.
  @inline(__always)
  static func saturateWithShifts(
    _ src: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, count: Int,
    shifts: UnsafePointer<Int32>, channels: Int
  ) {
    // `max(0, x)` for `x = v − K` in `−256...255` (shifts are at most 256) as a lookup: LLVM turns the
    // arithmetic forms into a branch on the sign, which varies from pixel to pixel.
    var clampTable = [UInt8](repeating: 0, count: 512)
    for x in 0..<256 { clampTable[256 + x] = UInt8(x) }
    clampTable.withUnsafeBufferPointer { clampTable in
      guard let clampTable = clampTable.baseAddress else { return }
      let nonNegative = clampTable + 256
      saturateWithShifts(src, out, count: count, shifts: shifts, nonNegative: nonNegative, channels: channels)
    }
  }

  /// The loop of ``saturateWithShifts(_:_:count:shifts:channels:)``; `nonNegative[x]` is `max(0, x)`
  /// for `x` in `−256...255`.
  @inline(__always)
  static func saturateWithShifts(
    _ src: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, count: Int,
    shifts: UnsafePointer<Int32>, nonNegative: UnsafePointer<UInt8>, channels: Int
  ) {
    var i = 0
    while i < count {
      let r = Int32(src[i])
      let g = Int32(src[i &+ 1])
      let b = Int32(src[i &+ 2])
      let v = max(r, max(g, b))
      out[i] = nonNegative[Int(v &- shifts[Int(v &- r)])]
      out[i &+ 1] = nonNegative[Int(v &- shifts[Int(v &- g)])]
      out[i &+ 2] = nonNegative[Int(v &- shifts[Int(v &- b)])]
      if channels == 4 { out[i &+ 3] = src[i &+ 3] }
      i &+= channels
    }
  }

  /// The closed-form saturation of ``adjustSaturation(_:factor:)`` over an RGB or RGBA buffer: each
  /// colour sample `c` becomes `clampToUInt8(v + factor·(c − v))` with `v` its pixel's maximum, alpha is
  /// copied. Callers pass `channels` as a literal so each layout gets its own loop.
  ///
  /// Four pixels per step, one pixel per `SIMD4<Float>` (``loadPixelQuad(_:_:channels:)``): `v` is
  /// spread over the pixel's lanes (``pixelMaximum(_:)``) and the formula runs lane for lane — the
  /// same float32 operations as the scalar tail.
  @inline(__always)
  static func saturatePixels(
    _ src: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, count: Int, factor: Float,
    channels: Int
  ) {
    let s = UnsafeRawPointer(src)
    let d = UnsafeMutableRawPointer(out)
    let f = SIMD4<Float>(repeating: factor)
    let alphaLanes = SIMD16<UInt8>(0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1) .== 1
    let step = 4 &* channels
    var i = 0
    while i &+ 16 <= count {
      let quad = loadPixelQuad(s, i, channels: channels)
      let (p0, p1, p2, p3) = exactFloats(quad)
      let v0 = pixelMaximum(p0)
      let v1 = pixelMaximum(p1)
      let v2 = pixelMaximum(p2)
      let v3 = pixelMaximum(p3)
      // `c − v ≤ 0` and `factor ≥ 0`, so every result is at most `v ≤ 255`: only the lower clamp can
      // apply.
      var result = nonNegativeBytes(
        v0 + f * (p0 - v0), v1 + f * (p1 - v1), v2 + f * (p2 - v2), v3 + f * (p3 - v3))
      if channels == 4 { result = result.replacing(with: quad, where: alphaLanes) }
      storePixelQuad(result, d, i, channels: channels)
      i &+= step
    }
    while i < count {
      let r = Float(src[i])
      let g = Float(src[i + 1])
      let b = Float(src[i + 2])
      let v = max(r, max(g, b))
      out[i] = clampToUInt8(v + factor * (r - v))
      out[i + 1] = clampToUInt8(v + factor * (g - v))
      out[i + 2] = clampToUInt8(v + factor * (b - v))
      if channels == 4 { out[i + 3] = src[i + 3] }
      i += channels
    }
  }

  /// ``adjustSaturation(_:factor:)``'s closed form over an RGB buffer (`0 ≤ factor ≤ 255`): each sample
  /// `c` becomes `clampToUInt8(v − factor·(v − c))` with `v` its pixel's maximum — the scalar
  /// `v + factor·(c − v)` exactly, as `factor·(−d) = −(factor·d)` and `v + (−p) = v − p` in IEEE
  /// arithmetic.
  ///
  /// The samples stay interleaved: 16 bytes per vector, three vectors (16 pixels) per step. Each
  /// lane's pixel maximum comes from the unaligned loads at offsets −2…2: `max(x₀, x₊₁, x₊₂)` for a
  /// pixel's first sample, `max(x₋₁, x₀, x₊₁)` for its second, `max(x₋₂, x₋₁, x₀)` for its third,
  /// selected by masks that repeat every 48 bytes. `v − c` is exact in bytes; the float32 formula then
  /// runs in 16 lanes (four SSE or two AVX vectors) and ``clampedBytes16(_:)`` rounds. The first 16
  /// pixels (the loads reach two bytes back) and the tail use the scalar formula.
  static func saturateRGB(
    _ src: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, count: Int, factor: Float
  ) {
    @inline(__always) func scalar(_ start: Int, _ end: Int) {
      var i = start
      while i < end {
        let r = Float(src[i])
        let g = Float(src[i &+ 1])
        let b = Float(src[i &+ 2])
        let v = max(r, max(g, b))
        out[i] = clampToUInt8(v + factor * (r - v))
        out[i &+ 1] = clampToUInt8(v + factor * (g - v))
        out[i &+ 2] = clampToUInt8(v + factor * (b - v))
        i &+= 3
      }
    }
    let s = UnsafeRawPointer(src)
    let d = UnsafeMutableRawPointer(out)
    let f = SIMD16<Float>(repeating: factor)
    // Lanes holding a pixel's first, second and third sample in the first vector of a 48-byte block;
    // the second vector's are these rotated by one, the third's by two.
    var phases = (SIMD16<UInt8>(), SIMD16<UInt8>(), SIMD16<UInt8>())
    for lane in 0..<16 {
      switch lane % 3 {
      case 0: phases.0[lane] = 0xFF
      case 1: phases.1[lane] = 0xFF
      default: phases.2[lane] = 0xFF
      }
    }
    let head = min(48, count)
    scalar(0, head)
    var i = head
    // The last vector's loads end at `i + 50`.
    while i &+ 50 <= count {
      // The masks rotate from vector to vector. The body is written out once, not as a function
      // called per vector: the optimizer kept such a function out of line (a call per 16 bytes that
      // also rebuilt `f` and the rounding constants).
      var (first, second, third) = phases
      for _ in 0..<3 {
        let back2 = s.loadUnaligned(fromByteOffset: i &- 2, as: SIMD16<UInt8>.self)
        let back1 = s.loadUnaligned(fromByteOffset: i &- 1, as: SIMD16<UInt8>.self)
        let x = s.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
        let ahead1 = s.loadUnaligned(fromByteOffset: i &+ 1, as: SIMD16<UInt8>.self)
        let ahead2 = s.loadUnaligned(fromByteOffset: i &+ 2, as: SIMD16<UInt8>.self)
        let centre = byteMaximum(x, back1)
        let v =
          (byteMaximum(byteMaximum(x, ahead1), ahead2) & first) | (byteMaximum(centre, ahead1) & second)
          | (byteMaximum(centre, back2) & third)
        let saturated = clampedBytes16(exactFloats16(v) - f * exactFloats16(v &- x))
        d.storeBytes(of: saturated, toByteOffset: i, as: SIMD16<UInt8>.self)
        (first, second, third) = (third, first, second)
        i &+= 16
      }
    }
    scalar(i, count)
  }

  /// Keras 3 `RandomHue` with a given shift (the layer's `factor` transformation, in turns: `h + factor`
  /// wrapped into `[0, 1]`): values scaled to `[0, 1]`, RGB → HSV, hue shifted, HSV → RGB, clipped to
  /// `[0, 1]`, scaled back to 0–255.
  ///
  /// Grey and grey+alpha images are unchanged; alpha is untouched.
  public static func adjustHue(_ image: Tensor, factor: Float) -> Tensor {
    adjustHue(image, factor: factor, features: .current)
  }

  /// ``adjustHue(_:factor:)`` with the processor features it may use: with AVX2, the baseline build
  /// runs `augstore_shift_hue_bytes_avx2` (the lanes of ``shiftHuePixels(_:_:count:shift:channels:)``
  /// compiled for AVX2) over the leading pixels.
  static func adjustHue(_ image: Tensor, factor: Float, features: ProcessorFeatures) -> Tensor {
    let channels = image.channels
    // Non-finite shifts keep the scalar path (a NaN shift traps in `clampToUInt8` there).
    guard channels >= 3, factor.isFinite else { return mapHSV(image, .hue(factor)) }
    return image.withUnsafeBufferPointer { source in
      makeTensor(height: image.height, width: image.width, channels: channels) { out in
        guard let src = source.baseAddress else { return }
        // The AVX2 copy does the leading pixels and the Swift code the rest, rewriting the samples
        // the copy wrote past its part.
        let done =
          features.avx2
          ? augstore_shift_hue_bytes_avx2(src, out, source.count, channels, factor) : 0
        if channels == 3 {
          shiftHuePixels(src + done, out + done, count: source.count - done, shift: factor, channels: 3)
        } else {
          shiftHuePixels(src + done, out + done, count: source.count - done, shift: factor, channels: 4)
        }
      }
    }
  }

  /// The HSV adjustment ``mapHSV(_:_:)`` applies.
  enum HSVAdjustment {
    /// Multiply saturation, clip it to `[0, 255]`; values stay on the 0–255 scale.
    case saturation(Float)
    /// Add to hue and wrap; values are scaled to `[0, 1]` and the result clipped to `[0, 1]`.
    case hue(Float)
  }

  /// RGB → HSV → adjustment → RGB over every pixel with TensorFlow's formulas.
  static func mapHSV(_ image: Tensor, _ adjustment: HSVAdjustment) -> Tensor {
    guard image.channels >= 3 else { return image }
    let scale: Float
    let saturationFactor: Float
    let hueShift: Float
    switch adjustment {
    case .saturation(let factor): (scale, saturationFactor, hueShift) = (1, factor, 0)
    case .hue(let shift): (scale, saturationFactor, hueShift) = (255, 1, shift)
    }
    var output = image
    let channels = image.channels
    output.withUnsafeMutableBufferPointer { buffer in
      var i = 0
      while i < buffer.count {
        (buffer[i], buffer[i + 1], buffer[i + 2]) = mapHSVPixel(
          buffer[i], buffer[i + 1], buffer[i + 2], scale: scale, saturationFactor: saturationFactor,
          hueShift: hueShift)
        i += channels
      }
    }
    return output
  }

  /// One pixel of ``mapHSV(_:_:)``: `scale` 1 multiplies saturation by `saturationFactor` (clipped to
  /// `[0, 255]`); otherwise samples are divided by `scale`, the hue shifted by `hueShift` and wrapped,
  /// and the result clipped to `[0, 1]` and multiplied by `scale`.
  @inline(__always)
  static func mapHSVPixel(
    _ red: UInt8, _ green: UInt8, _ blue: UInt8, scale: Float, saturationFactor: Float, hueShift: Float
  ) -> (UInt8, UInt8, UInt8) {
    var r = Float(red)
    var g = Float(green)
    var b = Float(blue)
    if scale != 1 {
      r = r / scale
      g = g / scale
      b = b / scale
    }
    var (h, s, v) = rgbToHSV(r, g, b)
    if scale == 1 {
      s = min(max(s * saturationFactor, 0), 255)
    } else {
      h += hueShift
      if h > 1 { h -= 1 }
      if h < 0 { h += 1 }
    }
    (r, g, b) = hsvToRGB(h, s, v)
    if scale != 1 {
      r = min(max(r, 0), 1) * scale
      g = min(max(g, 0), 1) * scale
      b = min(max(b, 0), 1) * scale
    }
    return (clampToUInt8(r), clampToUInt8(g), clampToUInt8(b))
  }

  /// TensorFlow's `rgb_to_hsv` (float32): hue in `[0, 1)`, saturation `range / max`, value `max`.
  @inline(__always)
  static func rgbToHSV(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
    let value = max(r, max(g, b))
    let minimum = min(r, min(g, b))
    let range = value - minimum
    let saturation: Float = value > 0 ? range / value : 0
    let norm: Float = 1 / (6 * range)
    var hue: Float
    if r == value {
      hue = norm * (g - b)
    } else if g == value {
      hue = norm * (b - r) + 2.0 / 6.0
    } else {
      hue = norm * (r - g) + 4.0 / 6.0
    }
    if !(range > 0) { hue = 0 }
    if hue < 0 { hue += 1 }
    return (hue, saturation, value)
  }

  /// TensorFlow's `hsv_to_rgb` (float32).
  @inline(__always)
  static func hsvToRGB(_ h: Float, _ s: Float, _ v: Float) -> (Float, Float, Float) {
    let dh = h * 6
    let dr = min(max(abs(dh - 3) - 1, 0), 1)
    let dg = min(max(2 - abs(dh - 2), 0), 1)
    let db = min(max(2 - abs(dh - 4), 0), 1)
    let oneMinusS = 1 - s
    return ((oneMinusS + s * dr) * v, (oneMinusS + s * dg) * v, (oneMinusS + s * db) * v)
  }

  /// Keras `RandomErasing` with a given box: sets every sample of the `height`×`width` box at
  /// (`x`, `y`) to `value[c]` (one value per channel, or one for all), clipping the box to the image.
  public static func erase(
    _ image: Tensor, x: Int, y: Int, height: Int, width: Int, value: [UInt8]
  ) -> Tensor {
    precondition(value.count == 1 || value.count == image.channels, "one fill value or one per channel")
    let x0 = max(x, 0)
    let y0 = max(y, 0)
    let x1 = min(x + width, image.width)
    let y1 = min(y + height, image.height)
    var output = image
    guard x0 < x1 && y0 < y1 else { return output }
    let channels = image.channels
    let rowStride = image.width * channels
    output.withUnsafeMutableBufferPointer { buffer in
      for row in y0..<y1 {
        var i = row * rowStride + x0 * channels
        for _ in x0..<x1 {
          for c in 0..<channels { buffer[i + c] = value.count == 1 ? value[0] : value[c] }
          i += channels
        }
      }
    }
    return output
  }
}

/// A function of 16 bytes at a time, lane by lane (``Kernels/mapBytes(_:_:_:)``).
protocol ByteLanesTransform {
  func callAsFunction(_ x: SIMD16<UInt8>) -> SIMD16<UInt8>
}
