/// How an epoch's recorded order is cut into global batches, and which part of each batch one rank
/// receives.
///
/// Global batch `k` is positions `[k·B, (k+1)·B)` of the epoch's recorded order (the last one
/// shorter unless `dropLast`). Rank `r` of `W` receives the `r`-th of `W` contiguous slices of each
/// global batch. `B` must be divisible by `W`, so full batches split into equal slices; a shorter
/// last batch of `n` samples splits like `numpy.array_split`: the first `n % W` slices get one more.
/// The global batches therefore do not depend on `W`, and concatenating the ranks' slices in rank
/// order gives exactly the global batch.
public struct BatchPlan: Sendable, Equatable, Codable {
  /// Samples in the epoch.
  public var sampleCount: Int
  /// Samples per global batch.
  public var batchSize: Int
  /// Whether a last batch shorter than `batchSize` is left out.
  public var dropLast: Bool
  /// This consumer's rank, `0..<worldSize`.
  public var rank: Int
  /// The number of ranks sharing each global batch.
  public var worldSize: Int

  /// Checks and describes a plan.
  ///
  /// - Throws: `StoreError.invalidBatchPlan` when `batchSize < 1`, `worldSize < 1`, `rank` is not
  ///   in `0..<worldSize`, or `batchSize` is not divisible by `worldSize`.
  public init(
    sampleCount: Int, batchSize: Int, dropLast: Bool = false, rank: Int = 0, worldSize: Int = 1
  ) throws {
    guard batchSize >= 1 else {
      throw StoreError.invalidBatchPlan(reason: "batch size \(batchSize) must be at least 1")
    }
    guard worldSize >= 1 else {
      throw StoreError.invalidBatchPlan(reason: "world size \(worldSize) must be at least 1")
    }
    guard rank >= 0, rank < worldSize else {
      throw StoreError.invalidBatchPlan(reason: "rank \(rank) is not in 0..<\(worldSize) (the world size)")
    }
    guard batchSize % worldSize == 0 else {
      throw StoreError.invalidBatchPlan(
        reason:
          "batch size \(batchSize) is not divisible by world size \(worldSize): every rank must get an equal slice"
      )
    }
    self.sampleCount = sampleCount
    self.batchSize = batchSize
    self.dropLast = dropLast
    self.rank = rank
    self.worldSize = worldSize
  }

  /// Global batches in the epoch.
  public var batchCount: Int {
    dropLast ? sampleCount / batchSize : (sampleCount + batchSize - 1) / batchSize
  }

  /// The positions of global batch `index` in the epoch's order.
  public func globalPositions(ofBatch index: Int) -> Range<Int> {
    let start = index * batchSize
    return start..<min(start + batchSize, sampleCount)
  }

  /// The positions this rank receives of global batch `index`: its contiguous slice.
  public func positions(ofBatch index: Int) -> Range<Int> {
    let global = globalPositions(ofBatch: index)
    let count = global.count
    let base = count / worldSize
    let extra = count % worldSize
    let start = global.lowerBound + rank * base + min(rank, extra)
    return start..<(start + base + (rank < extra ? 1 : 0))
  }
}
