/// The order in which an epoch visits a dataset version's samples.
///
/// The shuffled order is a pure function of (seed, epoch, count): a Fisher–Yates shuffle of
/// `0..<count` driven by the draw stream with
///
/// ```
/// key     = [seed, DrawDomain.shuffle]
/// counter = [epoch, 0, 0, d >> 2]     (draw d, word d & 3)
/// ```
///
/// For `i` from `count - 1` down to 1: `j = nextInt(below: i + 1)` (Lemire), then swap elements `i` and
/// `j`. Its own domain constant keeps these draws apart from every per-sample draw.
public enum ShuffleOrder {
  /// The Philox key and counter prefix of an epoch's shuffle stream.
  @inlinable
  public static func stream(seed: UInt64, epoch: Int) -> DrawStream {
    DrawStream(
      key: SIMD2(seed, DrawDomain.shuffle),
      counterBase: SIMD4(UInt64(truncatingIfNeeded: epoch), 0, 0, 0))
  }

  /// The shuffled order of an epoch: `result[position]` is the index of the sample visited at
  /// `position`.
  /// - Precondition: `count >= 0`.
  public static func permutation(seed: UInt64, epoch: Int, count: Int) -> [Int] {
    precondition(count >= 0, "count must be non-negative")
    var order = Array(0..<count)
    guard count > 1 else { return order }
    var stream = stream(seed: seed, epoch: epoch)
    order.withUnsafeMutableBufferPointer { buffer in
      var i = count - 1
      while i > 0 {
        let j = stream.nextInt(below: i + 1)
        buffer.swapAt(i, j)
        i -= 1
      }
    }
    return order
  }

  /// The order used when shuffling is off: `0..<count`.
  public static func identity(count: Int) -> [Int] {
    Array(0..<max(count, 0))
  }

  /// The epoch's order: ``permutation(seed:epoch:count:)`` when `shuffle` is true, else
  /// ``identity(count:)``.
  public static func order(seed: UInt64, epoch: Int, count: Int, shuffle: Bool) -> [Int] {
    shuffle ? permutation(seed: seed, epoch: epoch, count: count) : identity(count: count)
  }
}
