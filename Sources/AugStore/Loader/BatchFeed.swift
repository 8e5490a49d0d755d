import AugStoreCatalog
import AugStoreImaging
import AugStoreTransforms
import Foundation

/// How a delivered batch's tensors reach the consumer.
public enum BatchDelivery: String, Sendable, Equatable, Codable {
  /// Rendered in memory and handed over as one buffer; the tensors never touch the disk.
  case streaming
  /// Rendered into the tensor cache (or read from it, checked); the consumer maps the files.
  case cached
}

/// One rank's slice of one global batch, in the epoch's recorded order.
public struct DeliveredBatch: Sendable {
  /// The epoch.
  public var epoch: Int
  /// The global batch index within the epoch.
  public var index: Int
  /// The positions in the epoch's order this slice covers.
  public var positions: Range<Int>
  /// The samples (indexes in the run's dataset version), in order.
  public var samples: [Int]
  /// Their relative paths.
  public var paths: [String]
  /// Their class indexes in ``BatchFeed/labels`` order, -1 for unlabelled samples.
  public var labels: [Int64]
  /// For a pipeline with MixUp or CutMix: each sample's mixed one-hot label (one row of
  /// ``BatchFeed/labels``'s count per sample).
  public var softLabels: [[Float]]?
  /// The stacked shape, `[count] + tensor shape`.
  public var shape: [Int]
  /// The element type.
  public var dtype: NPYDType
  /// Streaming delivery: the tensors' data (no `.npy` headers), concatenated in order.
  public var data: [UInt8]
  /// Cached delivery: each tensor's checked `.npy` file in the cache, in order.
  public var files: [String]
  /// Each tensor's SHA-256 (of its `.npy` bytes, as `materialize` and `replay` hash them).
  public var digests: [[UInt8]]
  /// How many tensors got their digest recorded by this delivery (their first).
  public var firstDeliveries: Int
}

/// Serves a run's global batches in the recorded order: the tensors a training loop consumes.
///
/// Batch `k` of epoch `e` is byte for byte what `augstore replay RUN --epoch e --batch k
/// --batch-size B` writes. Every tensor's digest is recorded on its first delivery and checked on
/// every later one, exactly as `materialize` does, so the records are a fact about what the loop
/// was given. An epoch without records is recorded first.
///
/// Not thread-safe: one feed serves one consumer at a time (it renders each batch on `jobs`
/// threads itself).
public final class BatchFeed {
  /// The store.
  public let store: Store
  /// The run with its dataset version and pipeline.
  public let details: RunDetails
  /// The class names in sorted order; a class index is a position in this list.
  public let labels: [String]
  /// Threads to render each batch on.
  public let jobs: Int

  private let samples: SampleTable
  private let renderer: Renderer
  /// The order of the epoch served last (only one is kept: an order is 8 bytes per sample).
  private var order: (epoch: Int, order: [Int])?
  /// What streaming deliveries have not committed yet (one epoch's worth at a time).
  private var pending = PendingDelivery()
  /// Tensors (first deliveries, decoded-original writes and reads) gathered before a commit: one
  /// transaction, with its fsync, per this many instead of one per batch. A crash loses at most
  /// these first-delivery digests, which the next delivery records again (they are a pure
  /// function of the records).
  public static let commitInterval = 1024

  /// Opens run `name` of `store`.
  ///
  /// - Throws: `CatalogError.runNotFound`, or what reading the run's dataset version throws.
  public init(store: Store, run name: String, jobs: Int? = nil) throws {
    self.store = store
    details = try store.runDetails(named: name)
    samples = try SampleTable(catalog: store.catalog, version: details.version)
    labels = samples.labels
    renderer = try Renderer(store: store, details: details, samples: samples)
    self.jobs = max(1, jobs ?? Parallel.coreCount)
  }

  /// The run's name.
  public var runName: String { details.run.name }

  /// Samples in every epoch of the run.
  public var sampleCount: Int { samples.count }

  /// The pipeline's output element type and layout.
  public var output: OutputSpec { renderer.spec.output }
  /// Whether the pipeline mixes samples (MixUp, CutMix): batches then carry ``DeliveredBatch/softLabels``.
  public var mixesSamples: Bool { renderer.spec.batchLevelIndex != nil }

  /// The order of `epoch`, recording the epoch first if it has no records.
  @discardableResult
  public func prepare(epoch: Int) throws -> [Int] {
    if let order, order.epoch == epoch { return order.order }
    if try !store.catalog.recordedEpochs(run: details.run).contains(where: { $0.epoch == epoch }) {
      try store.record(run: runName, epochs: EpochSelection([epoch]), jobs: jobs)
    }
    let order = try store.catalog.epochOrder(run: details.run, epoch: epoch)
    self.order = (epoch, order)
    return order
  }

  /// Renders this rank's slice of global batch `index` of `epoch`, checks every tensor against
  /// its recorded digest and records the digests of first deliveries.
  ///
  /// - Throws: `StoreError.batchOutOfRange`, `.digestMismatch` naming the run, epoch and sample,
  ///   `.mixedShapes` when the tensors cannot be stacked, or what rendering throws.
  public func batch(epoch: Int, index: Int, plan: BatchPlan, delivery: BatchDelivery) throws -> DeliveredBatch
  {
    guard let result = try batches(epoch: epoch, indexes: [index], plan: plan, delivery: delivery).first
    else {
      throw StoreError.batchOutOfRange(run: runName, epoch: epoch, batch: index, batchCount: 0)
    }
    return try result.get()
  }

  /// Several batches of one epoch at once: their samples are rendered together on the feed's
  /// threads, so no thread waits at the end of each batch for the others. Each batch succeeds or
  /// fails on its own, as `batch(epoch:index:plan:delivery:)` would.
  ///
  /// - Throws: what preparing the epoch throws (the results carry each batch's own errors).
  public func batches(
    epoch: Int, indexes: [Int], plan: BatchPlan, delivery: BatchDelivery
  ) throws -> [Result<DeliveredBatch, any Error>] {
    if let runBatch = details.run.batchSize, mixesSamples, plan.batchSize != runBatch {
      // A batch must hold its samples' partners, as the batch the model trained on did.
      throw StoreError.invalidBatchPlan(
        reason: "run \"\(runName)\" mixes samples within global batches of \(runBatch) "
          + "(\(renderer.spec.transforms[renderer.spec.batchLevelIndex ?? 0].typeName)): load it with batch size "
          + "\(runBatch), not \(plan.batchSize)")
    }
    let order = try prepare(epoch: epoch)
    let plan = try BatchPlan(
      sampleCount: order.count, batchSize: plan.batchSize, dropLast: plan.dropLast, rank: plan.rank,
      worldSize: plan.worldSize)
    if delivery == .cached {
      return indexes.map { index in
        Result { try cachedBatch(epoch: epoch, index: index, order: order, plan: plan) }
      }
    }
    var slices: [(index: Int, range: Range<Int>)] = []
    var chosen: [Int] = []
    for index in indexes where index >= 0 && index < plan.batchCount {
      let positions = plan.positions(ofBatch: index)
      slices.append((index, chosen.count..<(chosen.count + positions.count)))
      chosen += order[positions]
    }
    let records = try store.catalog.records(run: details.run, epoch: epoch, samples: chosen)
    let rendered = try store.renderEach(
      records, with: renderer, jobs: jobs, keepBytes: true, cacheTensors: false)
    var results: [Result<DeliveredBatch, any Error>] = []
    var next = slices.makeIterator()
    var slice = next.next()
    for index in indexes {
      guard let current = slice, current.index == index else {
        results.append(
          .failure(
            StoreError.batchOutOfRange(run: runName, epoch: epoch, batch: index, batchCount: plan.batchCount))
        )
        continue
      }
      slice = next.next()
      results.append(
        Result {
          try streamedBatch(
            epoch: epoch, index: index, positions: plan.positions(ofBatch: index),
            records: Array(records[current.range]), rendered: Array(rendered[current.range]))
        })
    }
    return results
  }

  /// Checks a rendered streaming batch, stacks it and gathers its digests for the next commit.
  private func streamedBatch(
    epoch: Int, index: Int, positions: Range<Int>, records: [StoredRecord],
    rendered: [Result<Renderer.Rendered, any Error>]
  ) throws -> DeliveredBatch {
    let tensors = try rendered.map { try $0.get() }
    let firsts = try checkDigests(records, tensors, epoch: epoch)
    if pending.epoch != epoch { try flush() }
    var batch = delivered(
      epoch: epoch, index: index, positions: positions, tensors: tensors, records: records,
      firsts: firsts.count)
    try stack(tensors, into: &batch)
    try commitStreamed(tensors, firsts: firsts, epoch: epoch)
    return batch
  }

  /// Renders a batch into the cache (or reads it from there, checked) and commits it at once.
  private func cachedBatch(epoch: Int, index: Int, order: [Int], plan: BatchPlan) throws -> DeliveredBatch {
    guard index >= 0, index < plan.batchCount else {
      throw StoreError.batchOutOfRange(run: runName, epoch: epoch, batch: index, batchCount: plan.batchCount)
    }
    let positions = plan.positions(ofBatch: index)
    let records = try store.catalog.records(run: details.run, epoch: epoch, samples: Array(order[positions]))
    let tensors = try store.render(
      records, with: renderer, jobs: jobs, progress: nil, phase: "", keepBytes: false)
    let firsts = try checkDigests(records, tensors, epoch: epoch)
    try flush()
    var batch = delivered(
      epoch: epoch, index: index, positions: positions, tensors: tensors, records: records,
      firsts: firsts.count)
    try store.commit(tensors, run: details.run, epoch: epoch)
    batch.files = tensors.map { store.cache.path(of: $0.key) }
    if let first = tensors.first {
      let path = store.cache.path(of: first.key)
      do {
        batch.shape = [tensors.count] + (try NPY.header(of: FileIO.read(path)).shape)
      } catch {
        throw StoreError.io(path: path, message: (error as? LocalizedError)?.errorDescription ?? "\(error)")
      }
    }
    return batch
  }

  /// The tensors whose digest is not recorded yet (their first delivery); throws for a tensor that
  /// differs from its recorded (or gathered, not yet committed) digest.
  private func checkDigests(
    _ records: [StoredRecord], _ tensors: [Renderer.Rendered], epoch: Int
  ) throws -> [(sample: Int, digest: [UInt8])] {
    var firsts: [(sample: Int, digest: [UInt8])] = []
    for (record, tensor) in zip(records, tensors) {
      let uncommitted = pending.epoch == epoch ? pending.digests[record.sample] : nil
      if let recorded = record.digest ?? uncommitted {
        guard recorded == tensor.digest else {
          throw StoreError.digestMismatch(
            run: runName, epoch: epoch, sample: record.sample, path: samples.paths[record.sample])
        }
      } else {
        firsts.append((record.sample, tensor.digest))
      }
    }
    return firsts
  }

  private func delivered(
    epoch: Int, index: Int, positions: Range<Int>, tensors: [Renderer.Rendered], records: [StoredRecord],
    firsts: Int
  ) -> DeliveredBatch {
    let chosen = tensors.map(\.sample)
    let samples = self.samples
    let classes = labels.count
    let softLabels = renderer.spec.batchLevelIndex.map { layer in
      let rows = SoftLabels.rows(records, layer: layer, classes: classes) { samples.classIndex($0) }
      return (0..<records.count).map { Array(rows[($0 * classes)..<(($0 + 1) * classes)]) }
    }
    return DeliveredBatch(
      epoch: epoch, index: index, positions: positions, samples: chosen,
      paths: chosen.map { samples.paths[$0] }, labels: chosen.map { samples.classIndex($0) },
      softLabels: softLabels, shape: [0],
      dtype: output.dtype == .uint8 ? .uint8 : .float32, data: [], files: [], digests: tensors.map(\.digest),
      firstDeliveries: firsts)
  }

  /// Commits what streaming deliveries gathered: first-delivery digests, decoded-original cache
  /// files written and read. Call it before handing the store to anything else; the engine calls
  /// it when the client closes.
  public func flush() throws {
    guard let epoch = pending.epoch, !pending.isEmpty else {
      pending = PendingDelivery()
      return
    }
    let cache = store.cache
    try store.catalog.commitDelivery(
      run: details.run, epoch: epoch, digests: pending.digests.map { ($0.key, $0.value) },
      cacheWrites: Array(pending.writes.values), touched: Array(pending.touched),
      exists: { FileIO.kind(cache.path(of: Array($0.key))) == .file })
    pending = PendingDelivery()
  }

  /// Concatenates the tensors' data into `batch.data` and sets its shape.
  private func stack(_ rendered: [Renderer.Rendered], into batch: inout DeliveredBatch) throws {
    let stacked = try Store.concatenate(rendered.map(\.bytes)) { offset, first, other in
      StoreError.mixedShapes(
        run: runName, epoch: batch.epoch, batch: batch.index, first: first, other: other,
        path: batch.paths[offset])
    }
    batch.shape = stacked?.shape ?? [0]
    batch.data = stacked?.data ?? []
  }

  /// Gathers first deliveries' digests and the decoded originals written and read on the way;
  /// commits them once ``commitInterval`` tensors have gathered (see ``flush()``).
  private func commitStreamed(
    _ rendered: [Renderer.Rendered], firsts: [(sample: Int, digest: [UInt8])], epoch: Int
  ) throws {
    let now = Date.now.formatted(.iso8601)
    pending.epoch = epoch
    for (sample, digest) in firsts { pending.digests[sample] = digest }
    for tensor in rendered {
      if let hit = tensor.decodedHit { pending.touched.insert(Data(hit)) }
      if let hit = tensor.partnerHit { pending.touched.insert(Data(hit)) }
      if let decoded = tensor.decoded {
        pending.writes[Data(decoded.key)] = CacheEntry(
          key: Data(decoded.key), digest: Data(decoded.digest), size: decoded.size, createdAt: now,
          lastUsedAt: now)
      }
    }
    if pending.count >= Self.commitInterval { try flush() }
  }
}

/// Streaming deliveries of one epoch not yet committed.
struct PendingDelivery {
  var epoch: Int?
  /// First-delivery digests by sample.
  var digests: [Int: [UInt8]] = [:]
  /// Decoded-original cache files written, by key.
  var writes: [Data: CacheEntry] = [:]
  /// Decoded-original entries read.
  var touched: Set<Data> = []

  var count: Int { digests.count + writes.count + touched.count }
  var isEmpty: Bool { count == 0 }
}
