/// PNG's five row filters, undone in place (PNG specification, section 9).
///
/// Every loop is specialised for the filter unit (`bpp`, bytes per complete pixel, at least 1) of the
/// common layouts, so that the `bpp` independent byte lanes of a row form separate dependency chains the
/// processor can overlap, and Paeth's predictor is chosen without branches: photographs mix the three
/// candidates from byte to byte, which a branch predictor cannot follow.
enum PNGFilters {
  /// Undoes filter `filter` of the `count` bytes at `line` (the row after its filter-type byte), given
  /// the unfiltered row above it in the same pass (`nil` for a pass's first row: all zeros).
  ///
  /// Throws ``PNGError/invalid(reason:)`` for a filter type above 4.
  static func unfilterRow(
    _ line: UnsafeMutablePointer<UInt8>, prior: UnsafePointer<UInt8>?, count: Int, bpp: Int, filter: UInt8
  ) throws {
    // Literal `bpp` values let each case compile to its own loop.
    switch bpp {
    case 1: try unfilterRow(line, prior: prior, count: count, unit: 1, filter: filter)
    case 2: try unfilterRow(line, prior: prior, count: count, unit: 2, filter: filter)
    case 3: try unfilterRow(line, prior: prior, count: count, unit: 3, filter: filter)
    case 4: try unfilterRow(line, prior: prior, count: count, unit: 4, filter: filter)
    case 6: try unfilterRow(line, prior: prior, count: count, unit: 6, filter: filter)
    case 8: try unfilterRow(line, prior: prior, count: count, unit: 8, filter: filter)
    default: try unfilterRow(line, prior: prior, count: count, unit: bpp, filter: filter)
    }
  }

  @inline(__always)
  static func unfilterRow(
    _ line: UnsafeMutablePointer<UInt8>, prior: UnsafePointer<UInt8>?, count: Int, unit bpp: Int,
    filter: UInt8
  ) throws {
    let head = min(bpp, count)
    switch filter {
    case 0:
      return
    case 1:  // Sub
      var i = bpp
      while i < count {
        line[i] &+= line[i &- bpp]
        i &+= 1
      }
    case 2:  // Up
      guard let prior else { return }
      var i = 0
      while i < count {
        line[i] &+= prior[i]
        i &+= 1
      }
    case 3:  // Average
      if let prior {
        for i in 0..<head { line[i] &+= prior[i] >> 1 }
        var i = bpp
        while i < count {
          line[i] &+= UInt8(truncatingIfNeeded: (UInt16(line[i &- bpp]) &+ UInt16(prior[i])) >> 1)
          i &+= 1
        }
      } else {
        var i = bpp
        while i < count {
          line[i] &+= line[i &- bpp] >> 1
          i &+= 1
        }
      }
    case 4:  // Paeth
      if let prior {
        for i in 0..<head { line[i] &+= prior[i] }
        if bpp == 3 {
          paethRow3(line, prior: prior, count: count)
        } else if bpp == 4 {
          paethRow4(line, prior: prior, count: count)
        } else {
          var i = bpp
          while i < count {
            line[i] &+= paeth(left: line[i &- bpp], up: prior[i], upLeft: prior[i &- bpp])
            i &+= 1
          }
        }
      } else {
        // With no row above, Paeth always predicts the left byte: the same as Sub.
        var i = bpp
        while i < count {
          line[i] &+= line[i &- bpp]
          i &+= 1
        }
      }
    default:
      throw PNGError.invalid(reason: "bad adaptive filter value")
    }
  }

  /// Paeth over a row of 3-byte pixels whose first pixel is already unfiltered: each channel's left
  /// and upper-left bytes stay in registers, so the three channels are three dependency chains that
  /// run side by side instead of one chain through memory.
  @inline(__always)
  static func paethRow3(_ line: UnsafeMutablePointer<UInt8>, prior: UnsafePointer<UInt8>, count: Int) {
    var (a0, a1, a2) = (Int32(line[0]), Int32(line[1]), Int32(line[2]))
    var (c0, c1, c2) = (Int32(prior[0]), Int32(prior[1]), Int32(prior[2]))
    var i = 3
    while i &+ 3 <= count {
      let (b0, b1, b2) = (Int32(prior[i]), Int32(prior[i &+ 1]), Int32(prior[i &+ 2]))
      a0 = (Int32(line[i]) &+ paeth(a0, b0, c0)) & 0xFF
      a1 = (Int32(line[i &+ 1]) &+ paeth(a1, b1, c1)) & 0xFF
      a2 = (Int32(line[i &+ 2]) &+ paeth(a2, b2, c2)) & 0xFF
      line[i] = UInt8(truncatingIfNeeded: a0)
      line[i &+ 1] = UInt8(truncatingIfNeeded: a1)
      line[i &+ 2] = UInt8(truncatingIfNeeded: a2)
      (c0, c1, c2) = (b0, b1, b2)
      i &+= 3
    }
  }

  /// ``paethRow3(_:prior:count:)`` for 4-byte pixels.
  @inline(__always)
  static func paethRow4(_ line: UnsafeMutablePointer<UInt8>, prior: UnsafePointer<UInt8>, count: Int) {
    var (a0, a1, a2, a3) = (Int32(line[0]), Int32(line[1]), Int32(line[2]), Int32(line[3]))
    var (c0, c1, c2, c3) = (Int32(prior[0]), Int32(prior[1]), Int32(prior[2]), Int32(prior[3]))
    var i = 4
    while i &+ 4 <= count {
      let (b0, b1) = (Int32(prior[i]), Int32(prior[i &+ 1]))
      let (b2, b3) = (Int32(prior[i &+ 2]), Int32(prior[i &+ 3]))
      a0 = (Int32(line[i]) &+ paeth(a0, b0, c0)) & 0xFF
      a1 = (Int32(line[i &+ 1]) &+ paeth(a1, b1, c1)) & 0xFF
      a2 = (Int32(line[i &+ 2]) &+ paeth(a2, b2, c2)) & 0xFF
      a3 = (Int32(line[i &+ 3]) &+ paeth(a3, b3, c3)) & 0xFF
      line[i] = UInt8(truncatingIfNeeded: a0)
      line[i &+ 1] = UInt8(truncatingIfNeeded: a1)
      line[i &+ 2] = UInt8(truncatingIfNeeded: a2)
      line[i &+ 3] = UInt8(truncatingIfNeeded: a3)
      (c0, c1, c2, c3) = (b0, b1, b2, b3)
      i &+= 4
    }
  }

  /// Undoes Paeth on two consecutive rows of 3- or 4-byte pixels at once: `line` (whose unfiltered
  /// row above is `prior`) and `next`, the row right after it (`count + 1` bytes on, past its
  /// filter-type byte), which must be Paeth-filtered too.
  ///
  /// Paeth is a chain from each pixel to the next, which a processor cannot overlap within a row. The
  /// lower row only needs the upper row up to the pixel above, so it runs one pixel behind in the
  /// same loop: one 8-lane vector holds a pixel of `line` (lanes 0–3) and the pixel before it of
  /// `next` (lanes 4–7), and each step unfilters both.
  ///
  /// Invariants: `count == pixels × bpp` with at least 2 pixels; `bpp` is 3 or 4. With `bpp` 3 the
  /// loop reads and writes 4 bytes per pixel: the fourth is the next byte in the buffer (the next
  /// pixel, or the following row's filter-type byte after `prior` and `line`), written back unchanged;
  /// `next`'s last pixel is unfiltered on its own, so nothing past `next` is touched.
  static func paethRowPair(
    _ line: UnsafeMutablePointer<UInt8>, prior: UnsafePointer<UInt8>, count: Int, bpp: Int
  ) {
    precondition((bpp == 3 || bpp == 4) && count % bpp == 0 && count >= 2 * bpp)
    let next = line + count + 1
    let pixels = count / bpp
    // Lanes 3 and 7 hold no sample when pixels are 3 bytes: they carry the loaded byte back.
    let spare: SIMDMask<SIMD8<Int16>> =
      bpp == 3 ? [false, false, false, true, false, false, false, true] : .init()
    @inline(__always) func load(_ upper: UnsafePointer<UInt8>, _ lower: UnsafePointer<UInt8>) -> SIMD8<Int16>
    {
      let bytes = SIMD8<UInt8>(
        lowHalf: UnsafeRawPointer(upper).loadUnaligned(as: SIMD4<UInt8>.self),
        highHalf: UnsafeRawPointer(lower).loadUnaligned(as: SIMD4<UInt8>.self))
      return SIMD8<Int16>(truncatingIfNeeded: bytes)
    }
    // The first pixel of `line`: no left or upper-left neighbour, so Paeth predicts the byte above.
    for i in 0..<bpp { line[i] &+= prior[i] }
    // Step k unfilters pixel k of `line` and pixel k − 1 of `next`. `left` is the previous step's
    // result; `up` is `prior`'s pixel k above `line`'s previous pixel; `upLeft` is the previous `up`
    // (zeros for `next`'s first pixel, which has no left or upper-left neighbour).
    @inline(__always) func pixel(_ bytes: UnsafePointer<UInt8>) -> SIMD4<Int16> {
      SIMD4<Int16>(truncatingIfNeeded: UnsafeRawPointer(bytes).loadUnaligned(as: SIMD4<UInt8>.self))
    }
    var left = SIMD8<Int16>(lowHalf: pixel(line), highHalf: .zero)
    var upLeft = SIMD8<Int16>(lowHalf: pixel(prior), highHalf: .zero)
    for k in 1..<pixels {
      let upperAt = k &* bpp
      let lowerAt = upperAt &- bpp
      let up = SIMD8<Int16>(lowHalf: pixel(prior + upperAt), highHalf: left.lowHalf)
      let raw = load(line + upperAt, next + lowerAt)
      let predicted = paeth(left, up, upLeft)
      left = (raw &+ predicted) & 0xFF
      let bytes = SIMD8<UInt8>(truncatingIfNeeded: left.replacing(with: raw, where: spare))
      UnsafeMutableRawPointer(line + upperAt).storeBytes(of: bytes.lowHalf, as: SIMD4<UInt8>.self)
      UnsafeMutableRawPointer(next + lowerAt).storeBytes(of: bytes.highHalf, as: SIMD4<UInt8>.self)
      upLeft = up
    }
    // `next`'s last pixel.
    let last = (pixels &- 1) &* bpp
    for i in last..<(last &+ bpp) {
      next[i] &+= paeth(left: next[i &- bpp], up: line[i], upLeft: line[i &- bpp])
    }
  }

  /// The Paeth predictor lane by lane (``paeth(_:_:_:)``) for byte values widened to 16 bits.
  @inline(__always)
  static func paeth(_ a: SIMD8<Int16>, _ b: SIMD8<Int16>, _ c: SIMD8<Int16>) -> SIMD8<Int16> {
    let towardsUp = b &- c
    let towardsLeft = a &- c
    let sum = towardsUp &+ towardsLeft
    let pa = pointwiseMax(towardsUp, .zero &- towardsUp)
    let pb = pointwiseMax(towardsLeft, .zero &- towardsLeft)
    let pc = pointwiseMax(sum, .zero &- sum)
    let upOrUpLeft = c.replacing(with: b, where: pb .<= pc)
    return upOrUpLeft.replacing(with: a, where: pa .<= pointwiseMin(pb, pc))
  }

  /// The Paeth predictor of bytes `a` (left), `b` (up) and `c` (upper left).
  @inline(__always)
  static func paeth(left a: UInt8, up b: UInt8, upLeft c: UInt8) -> UInt8 {
    UInt8(truncatingIfNeeded: paeth(Int32(a), Int32(b), Int32(c)))
  }

  /// The Paeth predictor for byte values `a` (left), `b` (up) and `c` (upper left): whichever of the
  /// three is nearest to `p = a + b − c`, preferring `a`, then `b` on ties.
  ///
  /// `|p − a| = |b − c|`, `|p − b| = |a − c|`, `|p − c| = |(b − c) + (a − c)|`; the choices are made
  /// with sign masks (all ones where a difference is negative) rather than branches or selects, which
  /// LLVM would turn back into branches.
  @inline(__always)
  static func paeth(_ a: Int32, _ b: Int32, _ c: Int32) -> Int32 {
    let towardsUp = b &- c
    let towardsLeft = a &- c
    let pa = magnitude(towardsUp)
    let pb = magnitude(towardsLeft)
    let pc = magnitude(towardsUp &+ towardsLeft)
    // All ones where `pc < pb`: then `c`, else `b`.
    let preferUpLeft = (pc &- pb) &>> 31
    let upOrUpLeft = (b & ~preferUpLeft) | (c & preferUpLeft)
    // All ones where `pb < pa` or `pc < pa`: then not `a`.
    let notLeft = ((pb &- pa) | (pc &- pa)) &>> 31
    return (a & ~notLeft) | (upOrUpLeft & notLeft)
  }

  /// `|x|` for `x` well inside `Int32`'s range, without a branch.
  @inline(__always)
  static func magnitude(_ x: Int32) -> Int32 {
    let sign = x &>> 31
    return (x ^ sign) &- sign
  }
}
