/// An epoch's delivery order (the sample at each step), assembled from its record blocks' positions
/// by either catalog engine.
package struct EpochOrderBuilder {
  private let run: String
  private let epoch: Int
  private var order: [Int]

  /// An empty order for an epoch of `count` samples of run `run`.
  package init(run: String, epoch: Int, count: Int) {
    self.run = run
    self.epoch = epoch
    order = [Int](repeating: -1, count: count)
  }

  /// Places block `block`'s samples at their positions (`positions`: little-endian `u32`s).
  ///
  /// - Throws: `CatalogError.corruptRecords` when a position is out of range or taken twice.
  package mutating func add(block: Int, positions: [UInt8]) throws {
    let count = order.count
    for index in 0..<(positions.count / 4) {
      let position = Int(RecordBlock.u32(positions, at: index) ?? 0)
      let sample = block * RecordBlock.size + index
      guard position < count, sample < count, order[position] == -1 else {
        throw CatalogError.corruptRecords(
          run: run, epoch: epoch, block: block, reason: "positions are not a permutation")
      }
      order[position] = sample
    }
  }

  /// The order, once every position is filled.
  ///
  /// - Throws: `CatalogError.corruptRecords` when a position was never filled.
  package func finish() throws -> [Int] {
    if order.contains(-1) {
      throw CatalogError.corruptRecords(run: run, epoch: epoch, block: 0, reason: "positions missing")
    }
    return order
  }
}
