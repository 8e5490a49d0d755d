/// The Philox4x64-10 counter-based random number generator (Salmon et al., "Parallel random numbers:
/// as easy as 1, 2, 3", SC 2011).
///
/// Philox is a pure function of a 128-bit key and a 256-bit counter: `block(key:counter:)` returns four
/// 64-bit words and holds no state. Its output equals the Random123 reference implementation and numpy's
/// `Philox` bit generator word for word. numpy increments its counter *before* producing each block, so
/// numpy's first block for a counter `c` is `block(key:counter: c + 1)` here (a 256-bit add, word 0 least
/// significant).
///
/// Words of keys and counters are little-endian in word order: `key[0]` and `counter[0]` are the least
/// significant words, as in numpy's `key` and `counter` arrays.
public enum Philox4x64 {
  /// Multiplier applied to counter word 0 in each round.
  public static let multiplier0: UInt64 = 0xD2E7_470E_E14C_6C93
  /// Multiplier applied to counter word 2 in each round.
  public static let multiplier1: UInt64 = 0xCA5A_8263_9512_1157
  /// Weyl increment added to key word 0 between rounds (golden ratio).
  public static let weyl0: UInt64 = 0x9E37_79B9_7F4A_7C15
  /// Weyl increment added to key word 1 between rounds (sqrt(3) - 1).
  public static let weyl1: UInt64 = 0xBB67_AE85_84CA_A73B
  /// Number of rounds: the "-10" of Philox4x64-10.
  public static let rounds = 10

  /// Computes the Philox4x64-10 block for one key and counter.
  ///
  /// - Parameters:
  ///   - key: the two key words, `key[0]` first.
  ///   - counter: the four counter words, `counter[0]` least significant.
  /// - Returns: the four output words, in the order numpy's `random_raw()` returns them.
  @inlinable
  public static func block(key: SIMD2<UInt64>, counter: SIMD4<UInt64>) -> SIMD4<UInt64> {
    var k0 = key[0]
    var k1 = key[1]
    var c0 = counter[0]
    var c1 = counter[1]
    var c2 = counter[2]
    var c3 = counter[3]
    for round in 0..<10 {
      if round > 0 {
        k0 &+= 0x9E37_79B9_7F4A_7C15
        k1 &+= 0xBB67_AE85_84CA_A73B
      }
      let p0 = UInt64(0xD2E7_470E_E14C_6C93).multipliedFullWidth(by: c0)
      let p1 = UInt64(0xCA5A_8263_9512_1157).multipliedFullWidth(by: c2)
      c0 = p1.high ^ c1 ^ k0
      c1 = p1.low
      c2 = p0.high ^ c3 ^ k1
      c3 = p0.low
    }
    return SIMD4(c0, c1, c2, c3)
  }
}
