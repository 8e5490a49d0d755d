import CKernels

extension Kernels {
  /// Keras 3 `RandomInvert` when it applies: every colour sample `v` becomes `maximum − v` (255 for the
  /// default `value_range`), rounded and clipped to `0...255`; alpha is untouched.
  ///
  /// With `maximum` 255 the result is exact (`255 − v`, a bitwise complement), 16 samples at a time.
  public static func invert(_ image: Tensor, maximum: Float = 255) -> Tensor {
    guard maximum == 255, colourChannels(image.channels) == image.channels else {
      return applyLookup(image, (0..<256).map { toUInt8(maximum - Float($0)) })
    }
    return image.withUnsafeBufferPointer { source in
      makeTensor(height: image.height, width: image.width, channels: image.channels) { out in
        guard let src = source.baseAddress else { return }
        let count = source.count
        let s = UnsafeRawPointer(src)
        let d = UnsafeMutableRawPointer(out)
        var i = 0
        // 64 bytes per step, without overflow checks, so the loop's speed does not hinge on where its
        // few instructions happen to be placed.
        while i &+ 64 <= count {
          for offset in stride(from: 0, to: 64, by: 16) {
            d.storeBytes(
              of: ~s.loadUnaligned(fromByteOffset: i &+ offset, as: SIMD16<UInt8>.self),
              toByteOffset: i &+ offset,
              as: SIMD16<UInt8>.self)
          }
          i &+= 64
        }
        while i &+ 16 <= count {
          d.storeBytes(
            of: ~s.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self), toByteOffset: i,
            as: SIMD16<UInt8>.self)
          i &+= 16
        }
        while i < count {
          out[i] = ~src[i]
          i += 1
        }
      }
    }
  }

  /// Keras 3 `Solarization` with given `additions` and `thresholds` (0–255 scale): each colour sample
  /// becomes `r = clip(v + additions, 0, 255)`, then `r` where `r < thresholds`, else `255 − r`
  /// (float32, rounded half away from zero); alpha is untouched.
  ///
  /// Whenever the table is a saturating add of an integer followed by a complement above an integer
  /// bound (always for an integer `addition`; checked over all 256 samples by
  /// ``solarizeShape(_:addition:threshold:)``), 16 samples at a time take a few byte operations.
  public static func solarize(_ image: Tensor, addition: Float, threshold: Float) -> Tensor {
    let table = (0..<256).map { v -> UInt8 in
      let r = min(max(Float(v) + addition, 0), 255)
      return toUInt8(r < threshold ? r : 255 - r)
    }
    if colourChannels(image.channels) == image.channels,
      let shape = solarizeShape(table, addition: addition, threshold: threshold)
    {
      return solarizeBytes(image, shift: shape.shift, bound: shape.bound, table)
    }
    return applyLookup(image, table)
  }

  /// The integers `k` (the rounded `addition`) and `t` (the number of integers `0 ≤ r ≤ 255` below
  /// `threshold`) if `table[v]` is `s < t ? s : 255 − s` with `s = clamp(v + k, 0, 255)` for every `v`.
  static func solarizeShape(
    _ table: [UInt8], addition: Float, threshold: Float
  ) -> (shift: Int, bound: Int)? {
    guard addition.isFinite else { return nil }
    let k = Int(roundSmall(min(max(addition, -256), 256)))
    let t = (0..<256).filter { Float($0) < threshold }.count
    for v in 0..<256 {
      let s = min(max(v + k, 0), 255)
      if Int(table[v]) != (s < t ? s : 255 - s) { return nil }
    }
    return (k, t)
  }

  /// Every sample `v` becomes `s < bound ? s : 255 − s` with `s = clamp(v + shift, 0, 255)` (equal to
  /// `table[v]`, used for the tail), for `0 ≤ bound ≤ 256`. Per 16 samples: `s` by a saturating add
  /// and subtract (one of them of 0); `255 − s` is `s ^ 0xFF`; the mask is `0 − min(max(s, t − 1) −
  /// (t − 1), 1)` (`0xFF` exactly where `s > t − 1`), or all ones for `bound` 0.
  static func solarizeBytes(_ image: Tensor, shift: Int, bound: Int, _ table: [UInt8]) -> Tensor {
    let up = UInt8(min(max(shift, 0), 255))
    return mapBytes(
      image, table,
      SolarizedBytes(
        plus: SIMD16(repeating: up), limit: SIMD16(repeating: 255 &- up),
        minus: SIMD16(repeating: UInt8(min(max(-shift, 0), 255))),
        below: SIMD16(repeating: UInt8(max(bound - 1, 0))), always: SIMD16(repeating: bound == 0 ? 0xFF : 0)))
  }

  /// One vector of ``solarizeBytes(_:shift:bound:_:)``, for ``mapBytes(_:_:_:)``.
  struct SolarizedBytes: ByteLanesTransform {
    let plus: SIMD16<UInt8>
    let limit: SIMD16<UInt8>
    let minus: SIMD16<UInt8>
    let below: SIMD16<UInt8>
    let always: SIMD16<UInt8>

    @inline(__always)
    func callAsFunction(_ x: SIMD16<UInt8>) -> SIMD16<UInt8> {
      let v = subtractSaturating(addSaturating(x, plus, limit), minus)
      let mask = (SIMD16<UInt8>() &- byteMinimum(subtractSaturating(v, below), SIMD16(repeating: 1))) | always
      return v ^ mask
    }
  }

  /// Keras 3 `RandomPosterization` with a given `shift_factor`: each colour sample keeps its high
  /// `8 − shift` bits (`(v >> shift) << shift`, exact); alpha is untouched.
  ///
  /// Without alpha this is one mask over 16 samples at a time (`v & (0xFF << shift)`).
  public static func posterize(_ image: Tensor, shift: Int) -> Tensor {
    let mask: UInt8 = shift >= 8 ? 0 : 0xFF << UInt8(max(shift, 0))
    guard colourChannels(image.channels) == image.channels else {
      return applyLookup(image, (0..<256).map { UInt8($0) & mask })
    }
    return image.withUnsafeBufferPointer { source in
      makeTensor(height: image.height, width: image.width, channels: image.channels) { out in
        guard let src = source.baseAddress else { return }
        let count = source.count
        let s = UnsafeRawPointer(src)
        let d = UnsafeMutableRawPointer(out)
        let lanes = SIMD16<UInt8>(repeating: mask)
        var i = 0
        // 64 bytes per step, without overflow checks (as in `invert`).
        while i &+ 64 <= count {
          for offset in stride(from: 0, to: 64, by: 16) {
            d.storeBytes(
              of: s.loadUnaligned(fromByteOffset: i &+ offset, as: SIMD16<UInt8>.self) & lanes,
              toByteOffset: i &+ offset, as: SIMD16<UInt8>.self)
          }
          i &+= 64
        }
        while i &+ 16 <= count {
          d.storeBytes(
            of: s.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self) & lanes, toByteOffset: i,
            as: SIMD16<UInt8>.self)
          i &+= 16
        }
        while i < count {
          out[i] = src[i] & mask
          i += 1
        }
      }
    }
  }

  /// Keras 3 `RandomColorDegeneration` with a given `factor`: with `g = 0.2989·r + 0.5870·g + 0.1140·b`
  /// (`rgb_to_grayscale`), each RGB sample `c` becomes `c + factor·(g − c)` clipped to `0...255`
  /// (float32, rounded half away from zero). Grey images are unchanged (their grey is themselves);
  /// alpha is untouched.
  public static func degenerateColor(_ image: Tensor, factor: Float) -> Tensor {
    degenerateColor(image, factor: factor, features: .current)
  }

  /// ``degenerateColor(_:factor:)`` with the processor features it may use: with AVX2, the baseline
  /// build runs `augstore_degenerate_bytes_avx2` (the host-level build's eight-pixel lanes compiled
  /// for AVX2) over the leading pixels.
  static func degenerateColor(_ image: Tensor, factor: Float, features: ProcessorFeatures) -> Tensor {
    let channels = image.channels
    guard channels >= 3 else { return image }
    return image.withUnsafeBufferPointer { source in
      makeTensor(height: image.height, width: image.width, channels: channels) { out in
        guard let src = source.baseAddress else { return }
        let count = source.count
        // The AVX2 copy does the leading pixels and the Swift code the rest, rewriting the samples the
        // copy wrote past its part.
        let done =
          features.avx2 && factor.isFinite
          ? augstore_degenerate_bytes_avx2(src, out, count, channels, factor) : 0
        var i =
          done
          + (channels == 3
            ? degeneratePixels(src + done, out + done, count: count - done, factor: factor, channels: 3)
            : degeneratePixels(src + done, out + done, count: count - done, factor: factor, channels: 4))
        while i < count {
          let r = Float(src[i])
          let g = Float(src[i &+ 1])
          let b = Float(src[i &+ 2])
          let grey = r * 0.2989 + g * 0.5870 + b * 0.1140
          out[i] = clampToUInt8(r + factor * (grey - r))
          out[i &+ 1] = clampToUInt8(g + factor * (grey - g))
          out[i &+ 2] = clampToUInt8(b + factor * (grey - b))
          if channels == 4 { out[i &+ 3] = src[i &+ 3] }
          i &+= channels
        }
      }
    }
  }

  #if X86_64_V3
    /// ``degenerateColor(_:factor:)`` for a finite `factor`, eight pixels at a time, one pixel per lane
    /// of ``HueLanes`` (the host-level build); returns where the scalar tail starts. Callers pass
    /// `channels` as a literal.
    ///
    /// Each group of eight pixels is loaded one pixel per 32-bit lane (``AffineSampler/loadRGB(_:_:)``,
    /// or 32 bytes of RGBA), so masks and shifts give planar channels, converted exactly to floats
    /// (``floats(_:)``). Each lane runs the scalar loop's float32 operations in order
    /// (`(r·0.2989 + g·0.5870) + b·0.1140`, then `c + factor·(grey − c)`), clamped and rounded as
    /// ``clampToUInt8(_:)`` does (``clampedBytes(_:)``; the values are finite); the planes are stored
    /// as exactly 24 RGB bytes (``storeRGB(red:green:blue:_:)``), or shifted back into eight RGBA words
    /// (alpha kept).
    @inline(__always)
    static func degeneratePixels(
      _ src: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, count: Int, factor: Float,
      channels: Int
    ) -> Int {
      guard factor.isFinite else { return 0 }
      let s = UnsafeRawPointer(src)
      let d = UnsafeMutableRawPointer(out)
      let f = HueLanes(repeating: factor)
      let byte = HueBits(repeating: 0xFF)
      let alpha = HueBits(repeating: Int32(bitPattern: 0xFF00_0000))
      let groupStep = 8 &* channels
      var i = 0
      while i &+ groupStep <= count {
        let pixels =
          channels == 3
          ? unsafeBitCast(AffineSampler.loadRGB(s, i), to: HueBits.self)
          : s.loadUnaligned(fromByteOffset: i, as: HueBits.self)
        let r = floats(pixels & byte)
        let g = floats((pixels &>> 8) & byte)
        let b = floats((pixels &>> 16) & byte)
        let grey =
          r * HueLanes(repeating: 0.2989) + g * HueLanes(repeating: 0.5870) + b * HueLanes(repeating: 0.1140)
        let red = clampedBytes(r + f * (grey - r))
        let green = clampedBytes(g + f * (grey - g))
        let blue = clampedBytes(b + f * (grey - b))
        if channels == 3 {
          storeRGB(red: red, green: green, blue: blue, out + i)
        } else {
          let words = red | (green &<< 8) | (blue &<< 16) | (pixels & alpha)
          d.storeBytes(of: words, toByteOffset: i, as: HueBits.self)
        }
        i &+= groupStep
      }
      return i
    }
  #else
    /// ``degenerateColor(_:factor:)`` for a finite `factor`, four pixels at a time, one pixel per lane
    /// of ``HueLanes`` (the baseline build); returns where the scalar tail starts. Callers pass
    /// `channels` as a literal.
    ///
    /// Each group is loaded one pixel per 32-bit lane (``loadPixelQuad(_:_:channels:)``), so masks and
    /// shifts give planar channels, converted exactly to floats. Each lane runs the scalar loop's
    /// float32 operations in order (`(r·0.2989 + g·0.5870) + b·0.1140`, then `c + factor·(grey − c)`),
    /// clamped to `0...255` as ``clampToUInt8(_:)`` does (the values are finite) and rounded
    /// (``roundedBytes(_:)``); the bytes are shifted back into each pixel's lane (alpha kept) and stored
    /// by ``storePixelQuad(_:_:_:channels:)`` (the byte after the group is written by the next group or
    /// the scalar tail).
    @inline(__always)
    static func degeneratePixels(
      _ src: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, count: Int, factor: Float,
      channels: Int
    ) -> Int {
      guard factor.isFinite else { return 0 }
      let s = UnsafeRawPointer(src)
      let d = UnsafeMutableRawPointer(out)
      let f = HueLanes(repeating: factor)
      let byte = HueBits(repeating: 0xFF)
      let alpha = HueBits(repeating: Int32(bitPattern: 0xFF00_0000))
      let groupStep = HueLanes.scalarCount &* channels
      var i = 0
      while i &+ 16 <= count {
        let pixels = unsafeBitCast(loadPixelQuad(s, i, channels: channels), to: HueBits.self)
        let r = exactFloats(pixels & byte)
        let g = exactFloats((pixels &>> 8) & byte)
        let b = exactFloats((pixels &>> 16) & byte)
        let grey =
          r * HueLanes(repeating: 0.2989) + g * HueLanes(repeating: 0.5870) + b * HueLanes(repeating: 0.1140)
        var words =
          roundedBytes(r + f * (grey - r)) | (roundedBytes(g + f * (grey - g)) &<< 8)
          | (roundedBytes(b + f * (grey - b)) &<< 16)
        if channels == 4 { words = (words & 0x00FF_FFFF) | (pixels & alpha) }
        storePixelQuad(unsafeBitCast(words, to: SIMD16<UInt8>.self), d, i, channels: channels)
        i &+= groupStep
      }
      return i
    }
  #endif

  /// Integer lanes in `0..<2²³` as exact floats: `cvtdq2ps` on x86-64 (``floats(_:)``), elsewhere in
  /// the low mantissa bits of 2²³, minus 2²³ (only bitwise operations and one subtraction; the
  /// standard library's generic conversion is not always inlined).
  @inline(__always)
  static func exactFloats(_ x: HueBits) -> HueLanes {
    #if arch(x86_64) && !PORTABLE_LANES
      return floats(x)
    #else
      return unsafeBitCast(x | HueBits(repeating: 0x4B00_0000), to: HueLanes.self)
        - HueLanes(repeating: 8_388_608)
    #endif
  }

  /// ``clampToUInt8(_:)`` per lane for finite values, in the low byte of each lane; the second byte is
  /// zero, the upper two are unspecified (so the result shifted left by 8 or 16 bits holds only the
  /// byte). On x86-64 this is ``clampedBytes(_:)`` (the upper bytes are zero too); elsewhere
  /// ``portableRoundedBytes(_:)``.
  @inline(__always)
  static func roundedBytes(_ x: HueLanes) -> HueBits {
    #if arch(x86_64) && !PORTABLE_LANES
      return clampedBytes(x)
    #else
      return portableRoundedBytes(x)
    #endif
  }

  /// ``roundedBytes(_:)`` without the x86-64 conversion instructions. Negative lanes (the sign bit)
  /// become +0; `z = min(x, 255) + 0.5` is taken as
  /// `min(x + 0.5, 255.5)` (``selectMin(_:_:)``, `minps`; equal, as `x + 0.5` is exact up to 255 and at
  /// least 255.5 above); then `⌊z⌋` by `z + 2²³` (rounded to nearest into the low mantissa bits) less
  /// one where that rounded up.
  @inline(__always)
  static func portableRoundedBytes(_ x: HueLanes) -> HueBits {
    let magic = HueLanes(repeating: 8_388_608)
    let bits = bitPattern(x)
    let raised = unsafeBitCast(bits & ~(bits &>> 31), to: HueLanes.self)
    let z = selectMin(raised + 0.5, HueLanes(repeating: 255.5))
    let shifted = z + magic
    return bitPattern(shifted) &+ lessMask(z, shifted - magic)
  }

  /// Keras 3 `AutoContrast`: each colour channel is stretched from its own `[low, high]` over the image
  /// to `[0, 255]`: `v · scale + offset` with `scale = 255 / (high − low)` and `offset = −low · scale`
  /// (float32), clipped and rounded half away from zero. A channel with `low == high` is left as it is
  /// (Keras' result is NaN there and it keeps the input); alpha is untouched.
  public static func autoContrast(_ image: Tensor) -> Tensor {
    let channels = image.channels
    let colour = colourChannels(channels)
    let (low, high) = image.withUnsafeBufferPointer { channelExtremes($0, channels: channels) }
    var tables = [UInt8](repeating: 0, count: 256 * channels)
    for c in 0..<channels {
      let identity = c >= colour || low[c] == high[c]
      let scale: Float = identity ? 1 : 255 / (Float(high[c]) - Float(low[c]))
      let offset: Float = -Float(low[c]) * scale
      for v in 0..<256 {
        tables[c * 256 + v] = identity ? UInt8(v) : toUInt8(min(max(Float(v) * scale + offset, 0), 255))
      }
    }
    return applyChannelTables(image, tables)
  }

  /// The smallest and largest sample of each channel in an interleaved buffer of `channels`-sample
  /// pixels (`buffer.count` a multiple of `channels`); an empty buffer gives 255 and 0.
  ///
  /// A block of 48 bytes holds whole pixels for one to four channels, so each byte position of its three
  /// 16-byte vectors always belongs to the same channel: the blocks are folded into three vectors of
  /// minima and three of maxima (`pminub`, `pmaxub`), whose lanes are gathered per channel at the end.
  static func channelExtremes(
    _ buffer: UnsafeBufferPointer<UInt8>, channels: Int
  ) -> (low: [UInt8], high: [UInt8]) {
    var low = [UInt8](repeating: 255, count: channels)
    var high = [UInt8](repeating: 0, count: channels)
    guard let src = buffer.baseAddress, channels > 0 else { return (low, high) }
    let count = buffer.count
    let raw = UnsafeRawPointer(src)
    var i = 0
    if count >= 48 {
      var low0 = SIMD16<UInt8>(repeating: 255)
      var low1 = low0
      var low2 = low0
      var high0 = SIMD16<UInt8>(repeating: 0)
      var high1 = high0
      var high2 = high0
      while i &+ 48 <= count {
        let v0 = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
        let v1 = raw.loadUnaligned(fromByteOffset: i &+ 16, as: SIMD16<UInt8>.self)
        let v2 = raw.loadUnaligned(fromByteOffset: i &+ 32, as: SIMD16<UInt8>.self)
        low0 = byteMinimum(low0, v0)
        low1 = byteMinimum(low1, v1)
        low2 = byteMinimum(low2, v2)
        high0 = byteMaximum(high0, v0)
        high1 = byteMaximum(high1, v1)
        high2 = byteMaximum(high2, v2)
        i &+= 48
      }
      for lane in 0..<16 {
        for (k, (l, h)) in [(low0, high0), (low1, high1), (low2, high2)].enumerated() {
          let c = (16 * k + lane) % channels
          low[c] = min(low[c], l[lane])
          high[c] = max(high[c], h[lane])
        }
      }
    }
    // `i` is a multiple of 48, hence of `channels`.
    while i < count {
      for c in 0..<channels {
        low[c] = min(low[c], src[i + c])
        high[c] = max(high[c], src[i + c])
      }
      i += channels
    }
    return (low, high)
  }

  /// Adds the histogram of each of the first `colour` channels of `count` interleaved samples to
  /// `counts` (256 per channel, channel-major).
  ///
  /// Neighbouring pixels often share a value, and an increment that waits on the one before it to
  /// the same counter bounds the loop by store-to-load latency; so even and odd pixels count into two
  /// separate tables, added together at the end.
  static func countSamples(
    _ src: UnsafePointer<UInt8>, _ count: Int, channels: Int, colour: Int,
    into counts: UnsafeMutablePointer<Int>
  ) {
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * 256 * colour) { tables in
      guard let even = tables.baseAddress else { return }
      even.initialize(repeating: 0, count: 2 * 256 * colour)
      let odd = even + 256 * colour
      var i = 0
      let pair = 2 &* channels
      while i &+ pair <= count {
        for c in 0..<colour {
          even[c &* 256 &+ Int(src[i &+ c])] &+= 1
          odd[c &* 256 &+ Int(src[i &+ channels &+ c])] &+= 1
        }
        i &+= pair
      }
      while i < count {
        for c in 0..<colour { even[c &* 256 &+ Int(src[i &+ c])] &+= 1 }
        i &+= channels
      }
      for k in 0..<(256 * colour) { counts[k] += even[k] + odd[k] }
    }
  }

  /// Keras 3 `Equalization` with `bins` histogram bins, per colour channel of the image:
  ///
  /// - bin of a sample `v`: `Int32((v · (bins − 1)) / 255)` (float32), clipped to `0...bins − 1`;
  /// - a channel whose samples fall in at most one bin is left as it is;
  /// - otherwise with `cdf` the cumulative bin counts and `m` the first non-zero `cdf` entry, the
  ///   table is `round_half_even((cdf − m) · 255 / (cdf.last − m))` (float64 division) clipped to
  ///   `0...255`, and `v` becomes the table entry at `Int32((v / 255) · (bins − 1))` (float32; note
  ///   the different order from the bin index, as in Keras).
  ///
  /// Exact: every output is an integer in Keras too. Alpha is untouched (Keras equalizes it as well).
  public static func equalize(_ image: Tensor, bins: Int) -> Tensor {
    let channels = image.channels
    let colour = colourChannels(channels)
    let bins = max(bins, 1)
    var counts = [Int](repeating: 0, count: 256 * channels)
    image.withUnsafeBufferPointer { source in
      counts.withUnsafeMutableBufferPointer { counts in
        guard let src = source.baseAddress, let counts = counts.baseAddress else { return }
        countSamples(src, source.count, channels: channels, colour: colour, into: counts)
      }
    }
    let last = Float(bins - 1)
    func binIndex(_ v: Int) -> Int { min(max(Int((Float(v) * last) / 255), 0), bins - 1) }
    func lookupIndex(_ v: Int) -> Int { Int(min(max((Float(v) / 255) * last, 0), last)) }
    var tables = [UInt8](repeating: 0, count: 256 * channels)
    for c in 0..<channels {
      for v in 0..<256 { tables[c * 256 + v] = UInt8(v) }
      guard c < colour else { continue }
      var histogram = [Int](repeating: 0, count: bins)
      for v in 0..<256 { histogram[binIndex(v)] += counts[c * 256 + v] }
      guard histogram.lazy.filter({ $0 != 0 }).count > 1 else { continue }
      var cdf = histogram
      for k in 1..<bins { cdf[k] += cdf[k - 1] }
      let minimum = cdf.first { $0 != 0 } ?? 0
      let denominator = cdf[bins - 1] - minimum == 0 ? 1 : cdf[bins - 1] - minimum
      for v in 0..<256 {
        let entry = (Double((cdf[lookupIndex(v)] - minimum) * 255) / Double(denominator))
          .rounded(.toNearestOrEven)
        tables[c * 256 + v] = UInt8(min(max(entry, 0), 255))
      }
    }
    return applyChannelTables(image, tables)
  }

  /// Applies the per-channel `tables` (`tables[c · 256 + v]`) to every sample.
  static func applyChannelTables(_ image: Tensor, _ tables: [UInt8]) -> Tensor {
    let channels = image.channels
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

  /// Keras 3 `RandomSharpness` with a given `factor`: the image is smoothed with the 3×3 kernel
  /// `[[a, a, a], [a, b, a], [a, a, a]]`, `a = 1/13`, `b = 5/13` (a depthwise convolution with
  /// `padding="same"`: samples outside the image count as `padding`, 0 for the default `value_range`,
  /// so border pixels darken as in Keras), then each colour sample `v` becomes
  /// `v + (1 − 2·factor)·(smoothed − v)` clipped to `0...255` (float32, rounded half away from zero).
  /// Alpha is untouched.
  ///
  /// The eight neighbours are summed exactly in integers (three-sample row sums, then three rows), so
  /// `smoothed = a · neighbours + b · v`.
  ///
  /// Grey and RGB images with zero padding take a float-lane path (``sharpenLanes(_:factor:)``: eight
  /// samples per step, the same float32 operations as the scalar loop, on exact integer sums).
  public static func sharpen(_ image: Tensor, factor: Float, padding: Float = 0) -> Tensor {
    if padding == 0, colourChannels(image.channels) == image.channels {
      return sharpenLanes(image, factor: factor)
    }
    let (height, width, channels) = (image.height, image.width, image.channels)
    let colour = colourChannels(channels)
    let weight = 1 - factor * 2
    let a = Float(1.0 / 13.0)
    let b = Float(5.0 / 13.0)
    let rowLength = width * channels
    // Row sums of three horizontally adjacent samples (zero outside), per row.
    var rowSums = [Int32](repeating: 0, count: height * rowLength)
    image.withUnsafeBufferPointer { source in
      rowSums.withUnsafeMutableBufferPointer { sums in
        guard let src = source.baseAddress, let sums = sums.baseAddress else { return }
        for y in 0..<height {
          let row = src + y * rowLength
          let out = sums + y * rowLength
          for i in 0..<rowLength {
            var total = Int32(row[i])
            if i >= channels { total &+= Int32(row[i - channels]) }
            if i + channels < rowLength { total &+= Int32(row[i + channels]) }
            out[i] = total
          }
        }
      }
    }
    return image.withUnsafeBufferPointer { source in
      rowSums.withUnsafeBufferPointer { sums in
        makeTensor(height: height, width: width, channels: channels) { out in
          guard let src = source.baseAddress, let sums = sums.baseAddress else { return }
          for y in 0..<height {
            let above = y > 0 ? sums + (y - 1) * rowLength : nil
            let middle = sums + y * rowLength
            let below = y + 1 < height ? sums + (y + 1) * rowLength : nil
            let rowsInside = 1 + (above == nil ? 0 : 1) + (below == nil ? 0 : 1)
            let row = src + y * rowLength
            let outRow = out + y * rowLength
            for x in 0..<width {
              let columnsInside = 1 + (x > 0 ? 1 : 0) + (x + 1 < width ? 1 : 0)
              let outside = Float(9 - rowsInside * columnsInside) * padding
              for c in 0..<channels {
                let i = x * channels + c
                let v = row[i]
                guard c < colour else {
                  outRow[i] = v
                  continue
                }
                var total = middle[i]
                if let above { total &+= above[i] }
                if let below { total &+= below[i] }
                let value = Float(v)
                let neighbours = Float(total &- Int32(v)) + outside
                let smoothed = a * neighbours + b * value
                outRow[i] = clampToUInt8(value + weight * (smoothed - value))
              }
            }
          }
        }
      }
    }
  }

  /// ``sharpen(_:factor:padding:)`` for images without alpha and zero padding.
  ///
  /// Each row's three-sample sums (`src[i − channels] + src[i] + src[i + channels]`, zero outside) are
  /// exact 16-bit integers (at most 765), kept for three rows in a ring (plus a zero row above and below
  /// the image); the eight neighbours of a sample are the three rows' sums minus the sample (at most
  /// 2040). Eight samples at a time those integers become exact floats and run the scalar loop's float32
  /// operations per lane (`a · neighbours + b · v`, then `v + weight · (smoothed − v)`), clamped to
  /// `0...255` and rounded half up (``clampToUInt8(_:)``; the lanes need a finite result, so a weight
  /// of magnitude 2²⁰ or more, or NaN, takes the scalar loop).
  static func sharpenLanes(_ image: Tensor, factor: Float) -> Tensor {
    let (height, width, channels) = (image.height, image.width, image.channels)
    let rowLength = width * channels
    let weight = 1 - factor * 2
    let a = Float(1.0 / 13.0)
    let b = Float(5.0 / 13.0)
    let lanes = abs(weight) < 1_048_576
    // Rows 0...2: the ring of row sums; row 3: zeros. Eight spare samples after each row.
    let stride = rowLength + 8
    var rowSums = [UInt16](repeating: 0, count: 4 * stride)
    return image.withUnsafeBufferPointer { source in
      rowSums.withUnsafeMutableBufferPointer { sums in
        makeTensor(height: height, width: width, channels: channels) { out in
          guard let src = source.baseAddress, let sums = sums.baseAddress else { return }
          let zeros = UnsafePointer(sums + 3 * stride)
          /// Ring row of image row `y`.
          func ring(_ y: Int) -> UnsafePointer<UInt16> { UnsafePointer(sums + (y % 3) * stride) }
          /// Writes the row sums of image row `y` into ring row `y mod 3`.
          func fill(_ y: Int) {
            sharpenRowSums(
              src + y * rowLength, sums + (y % 3) * stride, rowLength: rowLength, channels: channels)
          }
          fill(0)
          for y in 0..<height {
            if y + 1 < height { fill(y + 1) }
            let above = y > 0 ? ring(y - 1) : zeros
            let middle = ring(y)
            let below = y + 1 < height ? ring(y + 1) : zeros
            let row = src + y * rowLength
            let outRow = out + y * rowLength
            var i = 0
            if lanes {
              i = sharpenRow(
                row, above, middle, below, outRow, count: rowLength, weight: weight, a: a, b: b)
            }
            while i < rowLength {
              let value = Float(row[i])
              let total = Int32(middle[i]) + Int32(above[i]) + Int32(below[i])
              let smoothed = a * Float(total - Int32(row[i])) + b * value
              outRow[i] = clampToUInt8(value + weight * (smoothed - value))
              i += 1
            }
          }
        }
      }
    }
  }

  /// `out[i] = src[i − channels] + src[i] + src[i + channels]` for `i < rowLength` (samples outside the
  /// row count as zero): the edge pixels one sample at a time, the rest eight at a time.
  @inline(__always)
  static func sharpenRowSums(
    _ src: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt16>, rowLength: Int, channels: Int
  ) {
    let s = UnsafeRawPointer(src)
    let o = UnsafeMutableRawPointer(out)
    var i = 0
    while i < min(channels, rowLength) {
      out[i] = UInt16(src[i]) + (i + channels < rowLength ? UInt16(src[i + channels]) : 0)
      i += 1
    }
    @inline(__always) func words(_ offset: Int) -> SIMD8<UInt16> {
      let x = s.loadUnaligned(fromByteOffset: offset, as: SIMD8<UInt8>.self)
      return SIMD8(
        UInt16(x[0]), UInt16(x[1]), UInt16(x[2]), UInt16(x[3]), UInt16(x[4]), UInt16(x[5]), UInt16(x[6]),
        UInt16(x[7]))
    }
    while i &+ 8 &+ channels <= rowLength {
      o.storeBytes(
        of: words(i &- channels) &+ words(i) &+ words(i &+ channels), toByteOffset: i &* 2,
        as: SIMD8<UInt16>.self)
      i &+= 8
    }
    while i < rowLength {
      out[i] =
        UInt16(src[i]) + UInt16(src[i - channels])
        + (i + channels < rowLength ? UInt16(src[i + channels]) : 0)
      i += 1
    }
  }

  /// One output row of ``sharpenLanes(_:factor:)``, eight samples at a time; returns where the scalar
  /// tail starts. `weight` is finite with magnitude below 2²⁰, so every lane's result is finite.
  @inline(__always)
  static func sharpenRow(
    _ row: UnsafePointer<UInt8>, _ above: UnsafePointer<UInt16>, _ middle: UnsafePointer<UInt16>,
    _ below: UnsafePointer<UInt16>, _ out: UnsafeMutablePointer<UInt8>, count: Int, weight: Float, a: Float,
    b: Float
  ) -> Int {
    typealias Lanes = SIMD8<Float>
    typealias Bits = SIMD8<Int32>
    let s = UnsafeRawPointer(row)
    let d = UnsafeMutableRawPointer(out)
    let (up, mid, down) = (UnsafeRawPointer(above), UnsafeRawPointer(middle), UnsafeRawPointer(below))
    let w = Lanes(repeating: weight)
    let aLanes = Lanes(repeating: a)
    let bLanes = Lanes(repeating: b)
    let top = Lanes(repeating: 255.5)
    let half = Lanes(repeating: 0.5)
    let magic = Lanes(repeating: 8_388_608)
    let exponent = Bits(repeating: 0x4B00_0000)
    /// Integers below 2²³ as exact floats: in the low mantissa bits of 2²³, minus 2²³.
    @inline(__always) func exact(_ x: SIMD8<UInt16>) -> Lanes {
      let wide = Bits(
        Int32(x[0]), Int32(x[1]), Int32(x[2]), Int32(x[3]), Int32(x[4]), Int32(x[5]), Int32(x[6]), Int32(x[7])
      )
      return unsafeBitCast(wide | exponent, to: Lanes.self) - magic
    }
    var i = 0
    while i &+ 8 <= count {
      let bytes = s.loadUnaligned(fromByteOffset: i, as: SIMD8<UInt8>.self)
      let v = SIMD8<UInt16>(
        UInt16(bytes[0]), UInt16(bytes[1]), UInt16(bytes[2]), UInt16(bytes[3]), UInt16(bytes[4]),
        UInt16(bytes[5]), UInt16(bytes[6]), UInt16(bytes[7]))
      let total =
        mid.loadUnaligned(fromByteOffset: i &* 2, as: SIMD8<UInt16>.self)
        &+ up.loadUnaligned(fromByteOffset: i &* 2, as: SIMD8<UInt16>.self)
        &+ down.loadUnaligned(fromByteOffset: i &* 2, as: SIMD8<UInt16>.self)
      let value = exact(v)
      let smoothed = aLanes * exact(total &- v) + bLanes * value
      let x = value + w * (smoothed - value)
      // min(max(x, 0), 255) + 0.5: negative lanes (the sign bit) become +0, then min(x + 0.5, 255.5)
      // (equal: x + 0.5 is exact up to 255 and at least 255.5 above), a select that is `minps`.
      let bits = unsafeBitCast(x, to: Bits.self)
      let positive = unsafeBitCast(bits & ~(bits &>> 31), to: Lanes.self) + half
      let z = positive.replacing(with: top, where: top .< positive)
      // ⌊z⌋: `z + 2²³` rounds to the nearest integer in its low bits, less one where that rounded up.
      let shifted = z + magic
      let n =
        unsafeBitCast(shifted, to: Bits.self) &+ (unsafeBitCast(z - (shifted - magic), to: Bits.self) &>> 31)
      let result = SIMD8<UInt8>(
        UInt8(truncatingIfNeeded: n[0]), UInt8(truncatingIfNeeded: n[1]), UInt8(truncatingIfNeeded: n[2]),
        UInt8(truncatingIfNeeded: n[3]), UInt8(truncatingIfNeeded: n[4]), UInt8(truncatingIfNeeded: n[5]),
        UInt8(truncatingIfNeeded: n[6]), UInt8(truncatingIfNeeded: n[7]))
      d.storeBytes(of: result, toByteOffset: i, as: SIMD8<UInt8>.self)
      i &+= 8
    }
    return i
  }

  /// Keras 3 `RandomColorJitter` with the factors its steps drew (nil: step skipped), chained in
  /// float32 without rounding between steps, as Keras chains them:
  ///
  /// 1. brightness: `clip(x + rgbDelta, 0, 255)` (`rgbDelta` on the 0–255 scale);
  /// 2. contrast: `clip((x − mean) · factor + mean, 0, 255)` with the channel's mean over the image;
  /// 3. saturation: RGB → HSV, `s · factor` clipped to `saturationClip` (Keras clips to its
  ///    `value_range`), HSV → RGB (not clipped);
  /// 4. hue: `x / 255`, RGB → HSV, hue shifted and wrapped, HSV → RGB, clipped to `[0, 1]`, `· 255`;
  ///
  /// then rounded half away from zero and clipped to `0...255`. Steps 3 and 4 use the same float32
  /// conversions as ``adjustSaturation(_:factor:)`` and ``adjustHue(_:factor:)`` and skip grey images;
  /// alpha is untouched.
  ///
  /// Samples are held in float32 planes, one per colour channel. The saturation step runs in float
  /// lanes (``saturatedPair(_:_:_:)``) and the hue step in ``adjustHue(_:factor:)``'s float lanes:
  /// the same float32 operations per lane as the scalar HSV conversions.
  public static func colorJitter(
    _ image: Tensor, rgbDelta: Float?, contrastFactor: Float?, saturationFactor: Float?,
    saturationClip: ClosedRange<Float> = 0...255, hueFactor: Float?
  ) -> Tensor {
    colorJitter(
      image, rgbDelta: rgbDelta, contrastFactor: contrastFactor, saturationFactor: saturationFactor,
      saturationClip: saturationClip, hueFactor: hueFactor, hueLanes: true, features: .current)
  }

  /// ``colorJitter(_:rgbDelta:contrastFactor:saturationFactor:saturationClip:hueFactor:)``, with the
  /// saturation and hue steps' float lanes on or off (off: every pixel through the scalar HSV
  /// conversions), and the processor features the lanes may use: with AVX2, the baseline build runs
  /// `augstore_saturate_planes_avx2` and `augstore_shift_hue_planes_avx2` (the lanes of
  /// ``saturatedPair(_:_:_:)`` and ``shiftedHuePair(_:_:shift:)`` compiled for AVX2) over the leading
  /// pixels.
  static func colorJitter(
    _ image: Tensor, rgbDelta: Float?, contrastFactor: Float?, saturationFactor: Float?,
    saturationClip: ClosedRange<Float>, hueFactor: Float?, hueLanes: Bool, features: ProcessorFeatures
  ) -> Tensor {
    let channels = image.channels
    let colour = colourChannels(channels)
    let pixelCount = image.height * image.width
    // Plane `c` holds channel `c` of every pixel: `planes[c * pixelCount + p]`.
    var planes = [Float](repeating: 0, count: pixelCount * colour)
    image.withUnsafeBufferPointer { source in
      planes.withUnsafeMutableBufferPointer { planes in
        var first = 0
        if channels == 3, let src = source.baseAddress, let base = planes.baseAddress {
          first = jitterPlanesRGB(src, base, pixelCount: pixelCount)
        }
        for c in 0..<colour {
          for p in first..<pixelCount { planes[c * pixelCount + p] = Float(source[p * channels + c]) }
        }
      }
    }
    planes.withUnsafeMutableBufferPointer { x in
      guard let base = x.baseAddress else { return }
      if let delta = rgbDelta {
        for i in 0..<x.count { x[i] = min(max(x[i] + delta, 0), 255) }
      }
      if let factor = contrastFactor {
        for c in 0..<colour {
          let plane = base + c * pixelCount
          let mean = Float(planeSum(plane, count: pixelCount) / Double(pixelCount))
          for p in 0..<pixelCount { plane[p] = min(max((plane[p] - mean) * factor + mean, 0), 255) }
        }
      }
      guard colour >= 3 else { return }
      let (red, green, blue) = (base, base + pixelCount, base + 2 * pixelCount)
      if let factor = saturationFactor {
        var p = 0
        if hueLanes, factor.isFinite {
          if features.avx2 {
            p = augstore_saturate_planes_avx2(
              red, green, blue, pixelCount, factor, saturationClip.lowerBound, saturationClip.upperBound)
          }
          let width = HueLanes.scalarCount
          let lanes = (
            HueLanes(repeating: factor), HueLanes(repeating: saturationClip.lowerBound),
            HueLanes(repeating: saturationClip.upperBound)
          )
          while p + 2 * width <= pixelCount {
            let first = (
              UnsafeRawPointer(red + p).loadUnaligned(as: HueLanes.self),
              UnsafeRawPointer(green + p).loadUnaligned(as: HueLanes.self),
              UnsafeRawPointer(blue + p).loadUnaligned(as: HueLanes.self)
            )
            let q = p + width
            let second = (
              UnsafeRawPointer(red + q).loadUnaligned(as: HueLanes.self),
              UnsafeRawPointer(green + q).loadUnaligned(as: HueLanes.self),
              UnsafeRawPointer(blue + q).loadUnaligned(as: HueLanes.self)
            )
            let (a, b) = saturatedPair(first, second, lanes)
            for (offset, result) in [(p, a), (q, b)] {
              UnsafeMutableRawPointer(red + offset).storeBytes(of: result.0, as: HueLanes.self)
              UnsafeMutableRawPointer(green + offset).storeBytes(of: result.1, as: HueLanes.self)
              UnsafeMutableRawPointer(blue + offset).storeBytes(of: result.2, as: HueLanes.self)
            }
            p += 2 * width
          }
        }
        while p < pixelCount {
          var (h, s, v) = rgbToHSV(red[p], green[p], blue[p])
          s = min(max(s * factor, saturationClip.lowerBound), saturationClip.upperBound)
          (red[p], green[p], blue[p]) = hsvToRGB(h, s, v)
          p += 1
        }
      }
      guard let shift = hueFactor else { return }
      var p = 0
      // The lanes need finite inputs that are never −0: the clipped brightness and contrast results
      // and the saturation step's results are (a product that is 0 is +0 there, as v ≥ 0).
      if hueLanes, shift.isFinite, saturationFactor?.isFinite ?? true {
        if features.avx2 { p = augstore_shift_hue_planes_avx2(red, green, blue, pixelCount, shift) }
        let width = HueLanes.scalarCount
        let shiftLanes = HueLanes(repeating: shift)
        @inline(__always) func load(_ offset: Int) -> (HueLanes, HueLanes, HueLanes) {
          (
            UnsafeRawPointer(red + offset).loadUnaligned(as: HueLanes.self),
            UnsafeRawPointer(green + offset).loadUnaligned(as: HueLanes.self),
            UnsafeRawPointer(blue + offset).loadUnaligned(as: HueLanes.self)
          )
        }
        @inline(__always) func store(_ lanes: (HueLanes, HueLanes, HueLanes), _ offset: Int) {
          UnsafeMutableRawPointer(red + offset).storeBytes(of: lanes.0, as: HueLanes.self)
          UnsafeMutableRawPointer(green + offset).storeBytes(of: lanes.1, as: HueLanes.self)
          UnsafeMutableRawPointer(blue + offset).storeBytes(of: lanes.2, as: HueLanes.self)
        }
        while p + 2 * width <= pixelCount {
          let (first, second) = shiftedHuePair(load(p), load(p + width), shift: shiftLanes)
          store(first, p)
          store(second, p + width)
          p += 2 * width
        }
      }
      while p < pixelCount {
        var (h, s, v) = rgbToHSV(red[p] / 255, green[p] / 255, blue[p] / 255)
        h += shift
        if h > 1 { h -= 1 }
        if h < 0 { h += 1 }
        let (r, g, b) = hsvToRGB(h, s, v)
        red[p] = min(max(r, 0), 1) * 255
        green[p] = min(max(g, 0), 1) * 255
        blue[p] = min(max(b, 0), 1) * 255
        p += 1
      }
    }
    return image.withUnsafeBufferPointer { source in
      planes.withUnsafeBufferPointer { planes in
        makeTensor(height: image.height, width: image.width, channels: channels) { out in
          var first = 0
          if channels == 3, let base = planes.baseAddress {
            first = jitterBytesRGB(base, out, pixelCount: pixelCount)
          }
          for p in first..<pixelCount {
            for c in 0..<colour { out[p * channels + c] = toUInt8(planes[c * pixelCount + p]) }
            if colour < channels { out[p * channels + colour] = source[p * channels + colour] }
          }
        }
      }
    }
  }

  /// `plane[0] + plane[1] + … + plane[count − 1]` in `Double`, added left to right, for samples in
  /// `0...255` or NaN (the colour jitter's clipped planes).
  ///
  /// When every sample is 0 or at least `t` (below), each sample and every partial sum is a multiple
  /// of `u = t · 2⁻²³` (a float32 of at least `t` is a multiple of its ulp, at least `u`) and the total
  /// is below `255 · count ≤ 2⁵³ · u`, so every addition is exact and any order gives the sum left to
  /// right: eight `Double` lanes then add independently instead of one chain of dependent additions.
  /// `t` is 2⁻⁶ up to 2¹⁶ samples (`255 · 2¹⁶ < 2²⁴ = 2⁵³ · 2⁻²⁹`), doubled with each doubling of the
  /// count. A NaN makes every order's sum NaN. Otherwise the samples are added left to right.
  static func planeSum(_ plane: UnsafePointer<Float>, count: Int) -> Double {
    var threshold: Float = 1.0 / 64
    var limit = 1 << 16
    while count > limit {
      threshold *= 2
      limit <<= 1
    }
    var i = 0
    if threshold <= 128 {
      let raw = UnsafeRawPointer(plane)
      // `x` lies in `(0, threshold)` exactly where its bit pattern minus one, unsigned, is below the
      // threshold's minus one (+0 wraps around; negative samples and NaNs have the sign or exponent
      // bits set).
      let below = SIMD8<UInt32>(repeating: threshold.bitPattern &- 1)
      var tiny = SIMD8<UInt32>()
      var low = SIMD4<Double>()
      var high = SIMD4<Double>()
      while i &+ 8 <= count {
        let x = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self) &- 1
        // The sign bit set where `bits < below` (unsigned): `below < 2³¹`, so that is `bits < 2³¹` and
        // `bits − below` negative.
        tiny |= ~bits & (bits &- below)
        low += SIMD4(Double(x[0]), Double(x[1]), Double(x[2]), Double(x[3]))
        high += SIMD4(Double(x[4]), Double(x[5]), Double(x[6]), Double(x[7]))
        i &+= 8
      }
      let anyTiny = (tiny[0] | tiny[1] | tiny[2] | tiny[3] | tiny[4] | tiny[5] | tiny[6] | tiny[7]) >> 31 != 0
      if !anyTiny {
        var sum = ((low[0] + low[1]) + (low[2] + low[3])) + ((high[0] + high[1]) + (high[2] + high[3]))
        while i < count {
          sum += Double(plane[i])
          i &+= 1
        }
        return sum
      }
    }
    var sum = 0.0
    for p in 0..<count { sum += Double(plane[p]) }
    return sum
  }

  /// The colour jitter's planes of an RGB image, one ``HueLanes`` group of pixels at a time (exact
  /// floats of the bytes); returns the number of pixels done. The host-level build loads eight pixels
  /// with ``AffineSampler/loadRGB(_:_:)``, the baseline build four with
  /// ``loadPixelQuad(_:_:channels:)``; each pixel is one 32-bit lane, so masks and shifts give the
  /// planar channels.
  static func jitterPlanesRGB(
    _ src: UnsafePointer<UInt8>, _ planes: UnsafeMutablePointer<Float>, pixelCount: Int
  )
    -> Int
  {
    let s = UnsafeRawPointer(src)
    let width = HueLanes.scalarCount
    let count = pixelCount &* 3
    @inline(__always) func sample(_ pixels: HueBits, _ shift: Int32) -> HueLanes {
      exactFloats((pixels &>> HueBits(repeating: shift)) & 0xFF)
    }
    // A group's loads end by byte `3 · p + 24` (eight pixels) or `3 · p + 16` (four).
    let reach = width == 8 ? 24 : 16
    var p = 0
    while 3 &* p &+ reach <= count {
      #if X86_64_V3
        let pixels = unsafeBitCast(AffineSampler.loadRGB(s, p &* 3), to: HueBits.self)
      #else
        let pixels = unsafeBitCast(loadPixelQuad(s, p &* 3, channels: 3), to: HueBits.self)
      #endif
      UnsafeMutableRawPointer(planes + p).storeBytes(of: sample(pixels, 0), as: HueLanes.self)
      UnsafeMutableRawPointer(planes + (pixelCount &+ p)).storeBytes(of: sample(pixels, 8), as: HueLanes.self)
      UnsafeMutableRawPointer(planes + (2 &* pixelCount &+ p)).storeBytes(
        of: sample(pixels, 16), as: HueLanes.self)
      p &+= width
    }
    return p
  }

  /// The colour jitter's RGB planes as ``toUInt8(_:)`` bytes (NaN included), one ``HueLanes`` group
  /// of pixels at a time; returns the number of pixels done. The host-level build rounds with
  /// ``clampedBytes(_:)`` and stores eight pixels with ``storeRGB(red:green:blue:_:)``; the baseline
  /// build four with
  /// ``storePixelQuad(_:_:_:channels:)``, whose fourth byte the next group or the caller's scalar
  /// tail overwrites (a group is stored only while 16 bytes remain).
  static func jitterBytesRGB(
    _ planes: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>, pixelCount: Int
  )
    -> Int
  {
    let width = HueLanes.scalarCount
    var p = 0
    #if X86_64_V3
      // `clampedBytes` is `toUInt8` for NaN too: `vmaxps(NaN, 0)` is 0.
      @inline(__always) func plane(_ offset: Int) -> HueBits {
        clampedBytes(UnsafeRawPointer(planes + offset).loadUnaligned(as: HueLanes.self))
      }
      while p &+ 8 <= pixelCount {
        storeRGB(
          red: plane(p), green: plane(pixelCount &+ p), blue: plane(2 &* pixelCount &+ p), out + p &* 3)
        p &+= width
      }
    #else
      let count = pixelCount &* 3
      /// `toUInt8` per lane: `v > 0 ? min(v, 255) : 0` (NaN gives 0), plus 0.5, floored; `min(v, 255)
      /// + 0.5` is taken as `min(v + 0.5, 255.5)` (equal for `v ≥ 0`: exact up to 255, at least 255.5
      /// above), so that the clamps are one `maxps` and one `minps`: ``clampedBytes(_:)`` on x86-64
      /// (`maxps(NaN, 0)` is 0).
      @inline(__always) func byte(_ offset: Int) -> HueBits {
        let v = UnsafeRawPointer(planes + offset).loadUnaligned(as: HueLanes.self)
        #if arch(x86_64) && !PORTABLE_LANES
          return clampedBytes(v)
        #else
          let positive = HueLanes(repeating: 0).replacing(with: v, where: v .> 0) + 0.5
          let top = HueLanes(repeating: 255.5)
          let z = positive.replacing(with: top, where: top .< positive)
          let magic = HueLanes(repeating: 8_388_608)
          let shifted = z + magic
          let roundedUp = unsafeBitCast(z - (shifted - magic), to: HueBits.self) &>> 31
          return unsafeBitCast(shifted, to: HueBits.self) &+ roundedUp
        #endif
      }
      let d = UnsafeMutableRawPointer(out)
      while 3 &* p &+ 16 <= count {
        let words =
          (byte(p) & 0xFF) | ((byte(pixelCount &+ p) & 0xFF) &<< 8)
          | ((byte(2 &* pixelCount &+ p) & 0xFF) &<< 16)
        storePixelQuad(unsafeBitCast(words, to: SIMD16<UInt8>.self), d, p &* 3, channels: 3)
        p &+= width
      }
    #endif
    return p
  }

  /// The jitter's saturation step (``mapHSV(_:_:)``'s `.saturation` arithmetic with the clip to
  /// `[low, high]`, not rounded) for two groups of planar float lanes: `rgbToHSV`, `s · factor`
  /// clipped, `hsvToRGB`, one operation per lane for each scalar one, every branch evaluated and
  /// selected per lane. Inputs are finite and non-negative (never −0); a saturation of −0 (a negative
  /// factor times 0) gives the same RGB as +0.
  @inline(never)
  static func saturatedPair(
    _ first: (HueLanes, HueLanes, HueLanes), _ second: (HueLanes, HueLanes, HueLanes),
    _ limits: (factor: HueLanes, low: HueLanes, high: HueLanes)
  ) -> ((HueLanes, HueLanes, HueLanes), (HueLanes, HueLanes, HueLanes)) {
    (saturated(first, limits), saturated(second, limits))
  }

  /// One group of ``saturatedPair(_:_:_:)``.
  @inline(__always)
  static func saturated(
    _ rgb: (HueLanes, HueLanes, HueLanes), _ limits: (factor: HueLanes, low: HueLanes, high: HueLanes)
  ) -> (HueLanes, HueLanes, HueLanes) {
    let (r, g, b) = rgb
    let zero = HueLanes(repeating: 0)
    let one = HueLanes(repeating: 1)
    // rgbToHSV
    let value = laneMax(r, laneMax(g, b))
    let minimum = laneMin(r, laneMin(g, b))
    let range = value - minimum
    var saturation = choose(lessMask(zero, value), range / value, zero)
    let norm = one / (6 * range)
    let fromRed = norm * (g - b)
    let fromGreen = norm * (b - r) + HueLanes(repeating: 2.0 / 6.0)
    let fromBlue = norm * (r - g) + HueLanes(repeating: 4.0 / 6.0)
    var hue = choose(zeroMask(value - r), fromRed, choose(zeroMask(value - g), fromGreen, fromBlue))
    hue = choose(lessMask(zero, range), hue, zero)
    hue = choose(lessMask(hue, zero), hue + 1, hue)
    // The scaled saturation, clipped as `min(max(s · factor, low), high)`.
    saturation = laneMin(laneMax(saturation * limits.factor, limits.low), limits.high)
    // hsvToRGB
    let dh = hue * 6
    let dr = clampedToUnit(laneAbs(dh - 3) - 1)
    let dg = clampedToUnit(2 - laneAbs(dh - 2))
    let db = clampedToUnit(2 - laneAbs(dh - 4))
    let oneMinusS = 1 - saturation
    return (
      (oneMinusS + saturation * dr) * value, (oneMinusS + saturation * dg) * value,
      (oneMinusS + saturation * db) * value
    )
  }
}
