#if X86_64_V3
  import _Builtin_intrinsics.intel
#endif

extension AffineSampler {
  /// Eight output pixels per step: one `SIMD8<Float>` lane per pixel.
  typealias Lanes = SIMD8<Float>
  typealias LaneIndices = SIMD8<Int32>

  /// Whether ``bilinearLanes(_:_:outHeight:outWidth:)`` handles this sampler's images: RGB, at least
  /// two pixels along each axis, and every byte offset below 2²² (so offsets are exact in float32 and
  /// the 2²³ conversion below is valid).
  var supportsLanes: Bool {
    channels == 3 && inputWidth > 1 && inputHeight > 1 && inputHeight * inputWidth * 3 < 1 << 22
  }

  /// ``bilinear(_:_:outHeight:outWidth:)`` for RGB images, eight output pixels at a time.
  ///
  /// Each lane runs the scalar path's float32 operations in the same order, so the bytes are identical
  /// to ``bilinearScalar(_:_:outHeight:outWidth:)``: the coordinate `(a0·x + a1·y) + a2`, TensorFlow's
  /// `map_coordinate` for reflect and nearest (``mapLanes(_:_:)``), the floor, the weights and the blend
  /// `wy0·(wx0·p00 + wx1·p01) + wy1·(wx0·p10 + wx1·p11)` per channel (``blendLanes(_:_:_:_:_:)``), then
  /// `+ 0.5` and truncation; the mapping, weights and blend are the scalar path's own generic
  /// definitions (AffineSampler+Pixel.swift) instantiated for eight lanes.
  /// Each row's two neighbours come from one 8-byte load (``gatherPairs(_:_:)``), split into channels
  /// with shifts and masks; results are packed into one word per pixel and written with overlapping
  /// 4-byte stores (lane 7 writes exactly 3).
  ///
  /// In `.constant` mode a step with a coordinate outside the image goes through
  /// ``constantBlendLanes(_:_:_:_:_:)`` (the scalar border path, lane by lane). A step falls back to
  /// the scalar per-pixel code (``scalarPixel(_:_:x:y:)``) when a lane needs what the lanes do not do:
  /// a coordinate outside the image with `.wrap` (or `.constant` with a fill value outside
  /// ``supportsConstantLanes``), a reflected coordinate a whole period (`2·length`) or more from 0, or
  /// an 8-byte load that would pass the end of the input (the last pixels of its last row). Columns
  /// past the last multiple of eight go through the same fallback.
  ///
  /// Only the output pixels in `rows` × `columns` (within the output) are written: each pixel's bytes
  /// depend on its own coordinate only, not on which lane or step computes it.
  func bilinearLanes(
    _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, outHeight: Int, outWidth: Int,
    rows: Range<Int>, columns: Range<Int>
  ) {
    precondition(supportsLanes)
    precondition(rows.lowerBound >= 0 && rows.upperBound <= outHeight)
    precondition(columns.lowerBound >= 0 && columns.upperBound <= outWidth)
    let raw = UnsafeRawPointer(src)
    let geometry = LaneGeometry(self)
    let laneOffsets = Lanes(0, 1, 2, 3, 4, 5, 6, 7)
    let zero = Lanes(repeating: 0)
    let lastColumn = Lanes(repeating: Float(inputWidth - 1))
    let lastRow = geometry.lastRow
    let constantLanes = supportsConstantLanes
    for oy in rows {
      let fy = Float(oy)
      let rowX = a1 * fy
      let rowY = b1 * fy
      var ox = columns.lowerBound
      var d = dst + (oy &* outWidth &+ ox) &* 3
      while ox + 8 <= columns.upperBound {
        defer {
          ox &+= 8
          d += 24
        }
        let fx = Lanes(repeating: Float(ox)) + laneOffsets
        let sourceX = (a0 * fx + rowX) + a2
        let sourceY = (b0 * fx + rowY) + b2
        var x = sourceX
        var y = sourceY
        let inside = Self.allLanes(
          (sourceX .>= zero) .& (sourceX .<= lastColumn) .& (sourceY .>= zero) .& (sourceY .<= lastRow))
        // Plain branches: written as `guard inside || (mapLanes && mapLanes), blendLanes else`, the
        // optimizer left `blendLanes` out of line (a call per step, about 9% slower).
        var done = inside
        if !inside {
          done = mapLanes(&x, inputWidth)
          if done { done = mapLanes(&y, inputHeight) }
        }
        if done {
          done = blendLanes(raw, x, y, d, geometry)
        } else if constantLanes {
          done = constantBlendLanes(raw, sourceX, sourceY, d, geometry)
        }
        if !done {
          for lane in 0..<8 { scalarPixel(src, d + 3 * lane, x: sourceX[lane], y: sourceY[lane]) }
        }
      }
      while ox < columns.upperBound {
        let fx = Float(ox)
        scalarPixel(src, d, x: (a0 * fx + rowX) + a2, y: (b0 * fx + rowY) + b2)
        ox &+= 1
        d += 3
      }
    }
  }

  /// One output pixel from its unmapped input coordinate, exactly as
  /// ``bilinearScalar(_:_:outHeight:outWidth:)`` computes it.
  @inline(never)
  func scalarPixel(_ src: UnsafePointer<UInt8>, _ d: UnsafeMutablePointer<UInt8>, x: Float, y: Float) {
    if x >= 0 && x <= Float(inputWidth - 1) && y >= 0 && y <= Float(inputHeight - 1) {
      bilinearPixel(src, d, x: x, y: y)
    } else if fillMode == .constant {
      borderBilinear(src, d, x: x, y: y)
    } else {
      bilinearPixel(src, d, x: map(x, inputWidth), y: map(y, inputHeight))
    }
  }

  /// ``map(_:_:)`` on eight coordinates in place, through the same ``reflectBelow(_:_:)``,
  /// ``reflectAbove(_:_:)`` and ``clamp(_:_:)``; `false` (leaving `coordinates` unusable) when a lane
  /// needs the scalar ``map(_:_:)``.
  ///
  /// Lanes inside `[0, length − 1]` pass unchanged in every fill mode (see the invariants beside
  /// ``map(_:_:)``). Otherwise `.nearest` clamps, and `.reflect` handles `−2·length < c < 2·length`,
  /// where TensorFlow's whole-period count `trunc(|c| / 2·length)` is 0 (the float32 quotient of a
  /// value below `2·length` by `2·length` stays below 1), so its period step is the identity and the
  /// scalar path's remaining steps are exactly these. `.constant` (whose border blends read the fill
  /// value), `.wrap`, NaN and farther coordinates return `false`.
  @inline(__always)
  func mapLanes(_ coordinates: inout Lanes, _ length: Int) -> Bool {
    let c = coordinates
    let zero = Lanes(repeating: 0)
    let last = Lanes(repeating: Float(length - 1))
    if Self.allLanes((c .>= zero) .& (c .<= last)) { return true }
    var mapped = c
    switch fillMode {
    case .nearest:
      break
    case .reflect:
      let period = Lanes(repeating: Float(2 * length))
      guard Self.allLanes((c .> -period) .& (c .< period)) else { return false }
      mapped = Self.reflectAbove(c, length).replacing(with: Self.reflectBelow(c, length), where: c .< zero)
    case .constant, .wrap:
      return false
    }
    mapped = Self.clamp(mapped, last)
    coordinates = mapped
    return Self.allLanes((mapped .>= zero) .& (mapped .<= last))
  }

  /// Per-image constants of the eight-lane blend (``blendLanes(_:_:_:_:_:)``).
  struct LaneGeometry {
    /// Input bytes per row.
    let stride: Lanes
    /// The last row index.
    let lastRow: Lanes
    /// The largest byte offset an 8-byte pair read may start at.
    let lastPairOffset: Lanes

    init(_ sampler: AffineSampler) {
      let rowStride = sampler.inputWidth * 3
      stride = Lanes(repeating: Float(rowStride))
      lastRow = Lanes(repeating: Float(sampler.inputHeight - 1))
      lastPairOffset = Lanes(repeating: Float(sampler.inputHeight * rowStride - 8))
    }
  }

  /// Eight RGB bilinear samples at coordinates inside the image (`0 ≤ x ≤ width − 1` and
  /// `0 ≤ y ≤ height − 1` in every lane), stored at `d` as 24 bytes; `false`, with nothing written, when
  /// a lane's row-below pair read would pass the end of the input (the caller goes pixel by pixel).
  ///
  /// Lane by lane this is ``bilinearPixel(_:_:x:y:)``: the exact floor, ``weights(_:floor:)``,
  /// ``blend(_:_:_:_:_:_:_:_:)`` per channel, then `⌊v + 0.5⌋`. Shared by the affine and perspective
  /// lane paths.
  @inline(__always)
  func blendLanes(
    _ raw: UnsafeRawPointer, _ x: Lanes, _ y: Lanes, _ d: UnsafeMutablePointer<UInt8>,
    _ geometry: LaneGeometry
  ) -> Bool {
    let one = Lanes(repeating: 1)
    let xFloor = Self.floorLanes(x)
    let yFloor = Self.floorLanes(y)
    // Exact: integers below 2²² (see `supportsLanes`). Only the row below is clamped: a column past
    // the last has weight exactly 0 (x == xFloor), so whatever the pair read finds there adds 0.
    let y1 = (yFloor + one).replacing(with: geometry.lastRow, where: geometry.lastRow .< yFloor + one)
    let column = xFloor * Lanes(repeating: 3)
    let offset00 = yFloor * geometry.stride + column
    let offset10 = y1 * geometry.stride + column
    if Self.anyLane(offset10 .> geometry.lastPairOffset) { return false }
    let (p00, p01) = Self.gatherPairs(raw, Self.indices(offset00))
    let (p10, p11) = Self.gatherPairs(raw, Self.indices(offset10))
    let (wx0, wx1) = Self.weights(x, floor: xFloor)
    let (wy0, wy1) = Self.weights(y, floor: yFloor)
    @inline(__always) func byte(_ shift: UInt32) -> SIMD8<UInt32> {
      let value = Self.blend(
        wx0, wx1, wy0, wy1, Self.channel(p00, shift), Self.channel(p01, shift), Self.channel(p10, shift),
        Self.channel(p11, shift))
      return Self.lowByteOfFloor(value + Lanes(repeating: 0.5))
    }
    #if X86_64_V3
      Kernels.storeRGB(
        red: unsafeBitCast(byte(0), to: SIMD8<Int32>.self),
        green: unsafeBitCast(byte(8), to: SIMD8<Int32>.self),
        blue: unsafeBitCast(byte(16), to: SIMD8<Int32>.self), d)
    #else
      Self.storeRGB(byte(0) | (byte(8) &<< 8) | (byte(16) &<< 16), d)
    #endif
    return true
  }

  /// Whether ``constantBlendLanes(_:_:_:_:_:)`` handles this sampler: constant fill mode with a fill
  /// value small enough that every blend stays finite and far from float32's limits.
  var supportsConstantLanes: Bool {
    supportsLanes && fillMode == .constant && fillValue.magnitude <= 1_048_576
  }

  /// Eight RGB bilinear samples in constant fill mode at any coordinates (``supportsConstantLanes``),
  /// stored at `d` as 24 bytes; `false`, with nothing written, when a lane's pair read would pass the
  /// end of the input (the caller goes pixel by pixel).
  ///
  /// Lane by lane this is what ``scalarPixel(_:_:x:y:)`` computes in constant mode:
  /// - a coordinate outside `(−1, width) × (−1, height)`, or NaN, gives the fill byte
  ///   (``borderBilinear(_:_:x:y:)``'s first case);
  /// - any other lane blends its four neighbours with ``weights(_:floor:)`` and
  ///   ``blend(_:_:_:_:_:_:_:_:)``, a neighbour outside the image reading as `fillValue`, and rounds as
  ///   ``Kernels/toUInt8(_:)`` (`⌊min(max(v, 0), 254.5) + 0.5⌋`).
  ///
  /// For a lane inside the image that is ``bilinearPixel(_:_:x:y:)``'s byte: its neighbours are all
  /// inside except a column or row past the last, whose weight is exactly 0 (`x == ⌊x⌋`), so reading
  /// `fillValue` there instead of a pixel adds a zero either way; and `toUInt8` is `⌊v + 0.5⌋` on
  /// `[0, 255]`. The floor is exact on `(−1, 2²²)`: −1 below 0 (as ``Kernels/floorSmall(_:)``, and −0
  /// floors to 0), ``floorLanes(_:)`` elsewhere.
  ///
  /// Loads stay inside the image: a neighbour column −1 reads column 0's pair and takes its first
  /// pixel as the right-hand neighbour, row −1 reads row 0, the row below the last reads the last
  /// row, and fill lanes read pixel 0; the values read for neighbours outside the image are replaced
  /// by `fillValue`.
  @inline(__always)
  func constantBlendLanes(
    _ raw: UnsafeRawPointer, _ x: Lanes, _ y: Lanes, _ d: UnsafeMutablePointer<UInt8>,
    _ geometry: LaneGeometry
  ) -> Bool {
    let zero = Lanes(repeating: 0)
    let one = Lanes(repeating: 1)
    let minusOne = Lanes(repeating: -1)
    let fillWord = SIMD8<UInt32>(repeating: UInt32(fill) &* 0x01_0101)
    let sampled =
      (x .> minusOne) .& (x .< Lanes(repeating: Float(inputWidth))) .& (y .> minusOne)
      .& (y .< Lanes(repeating: Float(inputHeight)))
    if !Self.anyLane(sampled) {
      Self.storeRGB(fillWord, d)
      return true
    }
    let xs = zero.replacing(with: x, where: sampled)
    let ys = zero.replacing(with: y, where: sampled)
    let xBelow = xs .< zero
    let yBelow = ys .< zero
    // The column and row read (−1 as 0), then the floors themselves.
    let column = Self.floorLanes(xs.replacing(with: zero, where: xBelow))
    let row0 = Self.floorLanes(ys.replacing(with: zero, where: yBelow))
    let xFloor = column.replacing(with: minusOne, where: xBelow)
    let yFloor = row0.replacing(with: minusOne, where: yBelow)
    let x0In = .!xBelow
    let y0In = .!yBelow
    let x1In = xFloor .< Lanes(repeating: Float(inputWidth - 1))
    let y1In = yFloor .< geometry.lastRow
    // The row below the last reads the last.
    let row1 = (yFloor + one).replacing(with: geometry.lastRow, where: .!y1In)
    let offset0 = row0 * geometry.stride + column * Lanes(repeating: 3)
    let offset1 = row1 * geometry.stride + column * Lanes(repeating: 3)
    if Self.anyLane((offset0 .> geometry.lastPairOffset) .| (offset1 .> geometry.lastPairOffset)) {
      return false
    }
    let (top0, top1) = Self.gatherPairs(raw, Self.indices(offset0))
    let (bottom0, bottom1) = Self.gatherPairs(raw, Self.indices(offset1))
    // At column −1 the pair read starts at the right-hand neighbour.
    let topRight = top1.replacing(with: top0, where: xBelow)
    let bottomRight = bottom1.replacing(with: bottom0, where: xBelow)
    let (wx0, wx1) = Self.weights(xs, floor: xFloor)
    let (wy0, wy1) = Self.weights(ys, floor: yFloor)
    let fillLanes = Lanes(repeating: fillValue)
    let in00 = x0In .& y0In
    let in01 = x1In .& y0In
    let in10 = x0In .& y1In
    let in11 = x1In .& y1In
    let top = Lanes(repeating: 254.5)
    var words = SIMD8<UInt32>()
    // A loop rather than a nested function called three times, which the optimizer leaves out of line.
    var shift: UInt32 = 0
    while shift <= 16 {
      defer { shift &+= 8 }
      let value = Self.blend(
        wx0, wx1, wy0, wy1,
        fillLanes.replacing(with: Self.channel(top0, shift), where: in00),
        fillLanes.replacing(with: Self.channel(topRight, shift), where: in01),
        fillLanes.replacing(with: Self.channel(bottom0, shift), where: in10),
        fillLanes.replacing(with: Self.channel(bottomRight, shift), where: in11))
      // `toUInt8`: 0 up to 0, 255 from 254.5, else `⌊v + 0.5⌋`.
      words |= Self.lowByteOfFloor(Self.clamp(value, top) + Lanes(repeating: 0.5)) &<< SIMD8(repeating: shift)
    }
    Self.storeRGB(fillWord.replacing(with: words, where: sampled), d)
    return true
  }

  /// `⌊x⌋` per lane for `0 ≤ x < 2²²`, exact, as a float (see ``Kernels/floorIndex(_:)``).
  @inline(__always)
  static func floorLanes(_ x: Lanes) -> Lanes {
    #if arch(x86_64) && !PORTABLE_LANES
      return Kernels.floats(Kernels.floors(x))
    #else
      let magic = Lanes(repeating: 8_388_608)
      let nearest = (x + magic) - magic
      return nearest.replacing(with: nearest - 1, where: nearest .> x)
    #endif
  }

  /// The low byte of `⌊v⌋` per lane for `0 ≤ v < 2²²`, exact: `v + 2²³` holds `v` rounded to nearest
  /// in its low mantissa bits (`0x4B00_0000` above them), and one is taken off where that rounded up.
  @inline(__always)
  static func lowByteOfFloor(_ v: Lanes) -> SIMD8<UInt32> {
    #if arch(x86_64) && !PORTABLE_LANES
      return unsafeBitCast(Kernels.floors(v), to: SIMD8<UInt32>.self) & 0xFF
    #else
      let magic = Lanes(repeating: 8_388_608)
      let shifted = v + magic
      let roundedUp = unsafeBitCast((shifted - magic) .> v, to: SIMD8<UInt32>.self)
      return (unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &+ roundedUp) & 0xFF
    #endif
  }

  /// Integral floats `0 ≤ v < 2²²` as integers: `v + 2²³` holds `v` in its low mantissa bits.
  @inline(__always)
  static func indices(_ v: Lanes) -> LaneIndices {
    #if arch(x86_64) && !PORTABLE_LANES
      return Kernels.floors(v)
    #else
      return unsafeBitCast(v + Lanes(repeating: 8_388_608), to: LaneIndices.self) &- 0x4B00_0000
    #endif
  }

  /// The byte at bit `shift` of each word, as a float.
  @inline(__always)
  static func channel(_ words: SIMD8<UInt32>, _ shift: UInt32) -> Lanes {
    let byte = (words &>> SIMD8(repeating: shift)) & 0xFF
    #if arch(x86_64) && !PORTABLE_LANES
      return Kernels.floats(unsafeBitCast(byte, to: SIMD8<Int32>.self))
    #else
      // The byte as the low mantissa bits of 2²³, minus 2²³: exact, and only bitwise operations and
      // one subtraction (the standard library's generic conversion is not always inlined).
      let magic = Lanes(repeating: 8_388_608)
      return unsafeBitCast(byte | 0x4B00_0000, to: Lanes.self) - magic
    #endif
  }

  /// Eight RGB pixels, one per word (red in the low byte), stored at `d` as exactly 24 bytes.
  ///
  /// The host-level build gathers the 24 bytes with one byte shuffle (``Kernels/storeRGBWords(_:_:)``)
  /// and stores 16 + 8 + 4 of them; the baseline build (no byte shuffle instruction) writes overlapping
  /// 4-byte stores in increasing order, the last pixel's three bytes exactly.
  @inline(__always)
  static func storeRGB(_ packed: SIMD8<UInt32>, _ d: UnsafeMutablePointer<UInt8>) {
    #if X86_64_V3
      Kernels.storeRGBWords(packed, d)
    #else
      let out = UnsafeMutableRawPointer(d)
      out.storeBytes(of: packed[0], toByteOffset: 0, as: UInt32.self)
      out.storeBytes(of: packed[1], toByteOffset: 3, as: UInt32.self)
      out.storeBytes(of: packed[2], toByteOffset: 6, as: UInt32.self)
      out.storeBytes(of: packed[3], toByteOffset: 9, as: UInt32.self)
      out.storeBytes(of: packed[4], toByteOffset: 12, as: UInt32.self)
      out.storeBytes(of: packed[5], toByteOffset: 15, as: UInt32.self)
      out.storeBytes(of: packed[6], toByteOffset: 18, as: UInt32.self)
      out.storeBytes(of: UInt16(truncatingIfNeeded: packed[7]), toByteOffset: 21, as: UInt16.self)
      out.storeBytes(of: UInt8(truncatingIfNeeded: packed[7] >> 16), toByteOffset: 23, as: UInt8.self)
    #endif
  }

  #if X86_64_V3
    /// Eight RGB pixels, one per word (red in the low byte; the fourth byte is ignored), stored at `d` as
    /// 24 bytes followed by 8 more bytes (copies of pixel bytes), for callers that
    /// overwrite those 8 bytes afterwards and have room for them: one byte shuffle within each 128-bit
    /// half (each half's four pixels as 12 bytes in front), one dword permutation joining the halves'
    /// 12 bytes, one 32-byte store.
    @inline(__always)
    static func storeRGBWide(_ packed: SIMD8<UInt32>, _ d: UnsafeMutablePointer<UInt8>) {
      let b = unsafeBitCast(packed, to: SIMD32<UInt8>.self)
      // Bytes 12...15 of each half repeat pixel bytes: the words' fourth bytes are never read, so LLVM
      // does not compute them lane by lane.
      let halves = SIMD32<UInt8>(
        b[0], b[1], b[2], b[4], b[5], b[6], b[8], b[9], b[10], b[12], b[13], b[14], b[0], b[1], b[2], b[4],
        b[16], b[17], b[18], b[20], b[21], b[22], b[24], b[25], b[26], b[28], b[29], b[30], b[16], b[17],
        b[18], b[20])
      let w = unsafeBitCast(halves, to: SIMD8<UInt32>.self)
      UnsafeMutableRawPointer(d).storeBytes(
        of: SIMD8<UInt32>(w[0], w[1], w[2], w[4], w[5], w[6], w[3], w[7]), as: SIMD8<UInt32>.self)
    }
  #endif

  #if X86_64_V3
    /// Eight RGB pixels from the 24 bytes at `s + offset`, one per word (red in the low byte, the
    /// fourth byte unspecified): two 16-byte loads (at 0 and 8) and one byte shuffle.
    @inline(__always)
    static func loadRGB(_ s: UnsafeRawPointer, _ offset: Int) -> SIMD8<UInt32> {
      let a = s.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
      let b = s.loadUnaligned(fromByteOffset: offset &+ 8, as: SIMD16<UInt8>.self)
      let words = SIMD32<UInt8>(
        a[0], a[1], a[2], a[2], a[3], a[4], a[5], a[5], a[6], a[7], a[8], a[8], a[9], a[10], a[11], a[11],
        b[4], b[5], b[6], b[6], b[7], b[8], b[9], b[9], b[10], b[11], b[12], b[12], b[13], b[14], b[15], b[15]
      )
      return unsafeBitCast(words, to: SIMD8<UInt32>.self)
    }
  #endif

  /// Whether every lane of `mask` is set (``Swift/all(_:)`` without the standard library's generic
  /// reduction, which is not always inlined).
  @inline(__always)
  static func allLanes(_ mask: SIMDMask<LaneIndices>) -> Bool {
    let m = unsafeBitCast(mask, to: LaneIndices.self)
    return (m[0] & m[1] & m[2] & m[3] & m[4] & m[5] & m[6] & m[7]) != 0
  }

  /// Whether any lane of `mask` is set (``Swift/any(_:)``, as ``allLanes(_:)``).
  @inline(__always)
  static func anyLane(_ mask: SIMDMask<LaneIndices>) -> Bool {
    let m = unsafeBitCast(mask, to: LaneIndices.self)
    return (m[0] | m[1] | m[2] | m[3] | m[4] | m[5] | m[6] | m[7]) != 0
  }

  /// The pixel at each of eight byte offsets and the pixel after it, as little-endian words (the
  /// fourth byte of each word is the next pixel's first): one 8-byte load per lane.
  @inline(__always)
  static func gatherPairs(
    _ raw: UnsafeRawPointer, _ offsets: LaneIndices
  ) -> (SIMD8<UInt32>, SIMD8<UInt32>) {
    #if X86_64_V3
      // Each lane's eight bytes go straight from memory into a vector register (`vmovq`, then
      // `vpunpcklqdq` pairs them): no round trip through a general-purpose register per lane. The
      // 128-bit halves hold lanes 0, 1, 4, 5 (`first`) and 2, 3, 6, 7 (`second`), so taking the even
      // words of both (`vshufps`) puts the eight in order. (In the baseline build the same loads
      // measured slower than the general-purpose ones below: SSE2 has no three-operand forms.)
      @inline(__always) func lanes(_ a: Int, _ b: Int) -> SIMD2<Int64> {
        @inline(__always) func load(_ lane: Int) -> SIMD2<Int64> {
          _mm_loadl_epi64((raw + Int(offsets[lane])).assumingMemoryBound(to: SIMD2<Int64>.self))
        }
        return _mm_unpacklo_epi64(load(a), load(b))
      }
      let first = unsafeBitCast((lanes(0, 1), lanes(4, 5)), to: SIMD4<UInt64>.self)
      let second = unsafeBitCast((lanes(2, 3), lanes(6, 7)), to: SIMD4<UInt64>.self)
      @inline(__always) func evenWords(_ a: SIMD4<UInt64>, _ b: SIMD4<UInt64>) -> SIMD8<UInt32> {
        let x = unsafeBitCast(a, to: SIMD8<UInt32>.self)
        let y = unsafeBitCast(b, to: SIMD8<UInt32>.self)
        return SIMD8(x[0], x[2], y[0], y[2], x[4], x[6], y[4], y[6])
      }
      return (evenWords(first, second), evenWords(first &>> 24, second &>> 24))
    #else
      func pair(_ lane: Int) -> UInt64 {
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: Int(offsets[lane]), as: UInt64.self))
      }
      let pairs = SIMD8<UInt64>(pair(0), pair(1), pair(2), pair(3), pair(4), pair(5), pair(6), pair(7))
      return (lowWords(pairs), lowWords(pairs &>> SIMD8(repeating: 24)))
    #endif
  }

  /// The low 32 bits of each lane (written lane by lane, so LLVM emits one shuffle; the standard
  /// library's generic truncation is not always inlined).
  @inline(__always)
  static func lowWords(_ x: SIMD8<UInt64>) -> SIMD8<UInt32> {
    let w = unsafeBitCast(x, to: SIMD16<UInt32>.self)
    return SIMD8(w[0], w[2], w[4], w[6], w[8], w[10], w[12], w[14])
  }

}
