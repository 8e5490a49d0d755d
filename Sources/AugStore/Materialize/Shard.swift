/// One host's share of a sharded `materialize`: shard `index` of `count` (`augstore materialize RUN
/// --shard I/N`).
///
/// Shard `i` of `N` owns the samples whose index `s` in the run's dataset version has `s % N == i`,
/// in every epoch. Every sample therefore belongs to exactly one shard, whatever `N`; the assignment
/// depends on nothing but `(s, i, N)` (not on the epoch's shuffled order, the thread count or which
/// hosts are running), so a host that reruns its shard renders the same samples. Interleaving spreads
/// every class folder (and its image sizes) over all hosts evenly, and keeping a sample on the same
/// host in every epoch lets a host reuse the decoded originals it cached in earlier epochs. With
/// `N == 1` (``whole``) the one shard owns everything: the unsharded command.
public struct Shard: Sendable, Equatable, Hashable, CustomStringConvertible {
  /// This shard's index, `0..<count` (a host's rank).
  public let index: Int
  /// The number of shards the samples are split into (the number of hosts).
  public let count: Int

  /// The shard that owns every sample.
  public static let whole = Shard(checkedIndex: 0, count: 1)

  /// Shard `index` of `count`.
  ///
  /// - Throws: `StoreError.invalidShard` unless `count >= 1` and `0 <= index < count`.
  public init(index: Int, count: Int) throws(StoreError) {
    let text = "\(index)/\(count)"
    guard count >= 1 else { throw .invalidShard(text: text, reason: "the shard count must be at least 1") }
    guard index >= 0, index < count else {
      throw .invalidShard(
        text: text,
        reason: "shard \(index) does not exist: shards of \(count) are 0/\(count) to \(count - 1)/\(count)")
    }
    self.init(checkedIndex: index, count: count)
  }

  /// Parses `I/N` (ASCII digits, no sign or spaces), e.g. `0/4`.
  ///
  /// - Throws: `StoreError.invalidShard` naming the text and what is wrong with it.
  public init(parsing text: String) throws(StoreError) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2 else { throw .invalidShard(text: text, reason: "not of the form I/N") }
    var numbers: [Int] = []
    for part in parts {
      guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }) else {
        throw .invalidShard(
          text: text, reason: "\"\(part)\" is not a whole number (shard numbers are not negative)")
      }
      guard let value = Int(part) else { throw .invalidShard(text: text, reason: "\"\(part)\" is too large") }
      numbers.append(value)
    }
    do {
      try self.init(index: numbers[0], count: numbers[1])
    } catch {
      guard case .invalidShard(_, let reason) = error else { throw error }
      throw .invalidShard(text: text, reason: reason)
    }
  }

  private init(checkedIndex index: Int, count: Int) {
    self.index = index
    self.count = count
  }

  /// Whether this shard owns `sample` (an index in the run's dataset version).
  public func owns(sample: Int) -> Bool {
    sample % count == index
  }

  /// How many of an epoch's `sampleCount` samples this shard owns.
  public func sampleCount(of sampleCount: Int) -> Int {
    sampleCount > index ? (sampleCount - index + count - 1) / count : 0
  }

  /// The `n`-th sample this shard owns, in ascending order: `index + n * count`.
  public func sample(_ n: Int) -> Int {
    index + n * count
  }

  /// `I/N`.
  public var description: String { "\(index)/\(count)" }
}
