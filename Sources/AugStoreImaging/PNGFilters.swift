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
