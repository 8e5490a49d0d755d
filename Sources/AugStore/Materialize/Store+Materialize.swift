import AugStoreCatalog
import AugStoreTransforms
import Foundation
import Synchronization

/// What `materialize` did for one epoch.
public struct EpochMaterialization: Sendable, Equatable, Codable {
  /// The epoch.
  public var epoch: Int
  /// Samples rendered: the whole epoch, or the shard's share of it.
  public var samples: Int
  /// Tensors computed from originals (no cache file existed).
  public var computed: Int
  /// Tensors served from the cache.
  public var cached: Int
  /// Indexed cache files found missing or damaged, and rebuilt.
  public var rebuilt: Int
  /// Wall-clock seconds.
  public var seconds: Double
  /// With a shard: the samples in the whole epoch (`nil` without one).
  public var epochSamples: Int?
  /// With a shard: the samples of the epoch that had their digest once this shard's share was
  /// committed, whichever shard wrote it; the epoch is complete when it equals ``epochSamples``
  /// (`nil` without a shard: the whole epoch is then materialized).
  public var materialized: Int?

  enum CodingKeys: String, CodingKey {
    case epoch, samples, computed, cached, rebuilt, seconds, materialized
    case epochSamples = "epoch_samples"
  }
}

/// What `materialize` did.
public struct MaterializeSummary: Sendable, Equatable {
  /// The run.
  public var run: String
  /// Epochs recorded first because they had no records yet.
  public var newlyRecorded: [Int]
  /// The shard rendered, or `nil` for the whole of each epoch.
  public var shard: Shard?
  /// One entry per epoch.
  public var epochs: [EpochMaterialization]
}

extension Store {
  /// Samples `materialize` renders and commits together: one chunk's records, results and cache
  /// index rows are all it holds of an epoch at a time.
  package static let materializeChunk = 16 * RecordBlock.size

  /// Records the epochs that lack records, then renders every sample's tensor (or, with `shard`,
  /// the samples that shard owns) into the cache and stores its digest with the record.
  ///
  /// Tensors are computed on `jobs` threads from the **recorded** parameters; a tensor whose cache
  /// file is sound is not recomputed. A tensor that already has a recorded digest must come out
  /// with exactly that digest: anything else is an error naming the run, epoch and sample. An epoch
  /// is rendered in chunks of ``materializeChunk`` samples (in sample order), so memory does not
  /// grow with the epoch; each chunk's digests and cache index rows are committed in one transaction
  /// after its files are in place. A crash loses at most the chunk in progress: the chunks committed
  /// before it are sound (digests and cache entries of complete files), and a rerun completes the
  /// epoch, serving those from the cache.
  ///
  /// With a `shard` (see ``Shard`` for which samples it owns), several processes materialize one run
  /// together: each renders and commits only its share, and their commits queue on the catalog's
  /// write lock. An epoch is materialized when every sample has its digest, whichever shard wrote
  /// it; a shard never marks more than its share. Two processes given the same shard both succeed
  /// and store the same digests once.
  public func materialize(
    run name: String, epochs: EpochSelection, jobs: Int? = nil, shard: Shard? = nil,
    progress: ProgressHandler? = nil
  ) throws -> MaterializeSummary {
    try materialize(
      run: name, epochs: epochs, jobs: jobs, shard: shard, chunk: Self.materializeChunk, progress: progress)
  }

  /// ``materialize(run:epochs:jobs:shard:progress:)`` in chunks of `chunk` samples.
  package func materialize(
    run name: String, epochs: EpochSelection, jobs: Int?, shard: Shard? = nil, chunk: Int,
    progress: ProgressHandler?
  ) throws -> MaterializeSummary {
    let chunk = max(1, chunk)
    let recording = try record(run: name, epochs: epochs, jobs: jobs)
    let details = try runDetails(named: name)
    let renderer = try Renderer(store: self, details: details)
    let count = details.version.sampleCount
    let owner = shard ?? .whole
    let share = owner.sampleCount(of: count)
    var summary = MaterializeSummary(run: name, newlyRecorded: recording.recorded, shard: shard, epochs: [])
    for epoch in epochs.epochs {
      let started = DispatchTime.now().uptimeNanoseconds
      var result = EpochMaterialization(
        epoch: epoch, samples: 0, computed: 0, cached: 0, rebuilt: 0, seconds: 0)
      for first in stride(from: 0, to: share, by: chunk) {
        let samples = (first..<min(first + chunk, share)).map(owner.sample)
        let records = try catalog.records(run: details.run, epoch: epoch, samples: samples)
        let chunkProgress = progress.map { handler in
          { @Sendable (update: ProgressUpdate) in
            handler(ProgressUpdate(phase: update.phase, completed: first + update.completed, total: share))
          }
        }
        let rendered = try render(
          records, with: renderer, jobs: jobs, progress: chunkProgress,
          phase: shard.map { "epoch \(epoch) shard \($0)" } ?? "epoch \(epoch)")
        for (record, tensor) in zip(records, rendered) {
          if let recorded = record.digest, recorded != tensor.digest {
            throw StoreError.digestMismatch(
              run: name, epoch: epoch, sample: record.sample, path: cache.path(of: tensor.key))
          }
        }
        try commit(rendered, run: details.run, epoch: epoch)
        result.samples += rendered.count
        result.computed += rendered.count { $0.source == .computed }
        result.cached += rendered.count { $0.source == .cache }
        result.rebuilt += rendered.count { $0.source == .rebuilt }
      }
      if shard != nil {
        result.epochSamples = count
        result.materialized = try catalog.materializedCount(run: details.run, epoch: epoch)
      }
      result.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
      summary.epochs.append(result)
    }
    return summary
  }

  /// Renders `records` on `jobs` threads, in their order. Tensor bytes are dropped after hashing
  /// unless `keepBytes` (replay needs them; materialize does not).
  ///
  /// - Throws: the first error any record's rendering threw.
  package func render(
    _ records: [StoredRecord], with renderer: Renderer, jobs: Int?, progress: ProgressHandler?, phase: String,
    keepBytes: Bool = false
  ) throws -> [Renderer.Rendered] {
    try renderEach(
      records, with: renderer, jobs: jobs, progress: progress, phase: phase, keepBytes: keepBytes,
      cacheTensors: true
    ).map { try $0.get() }
  }

  /// Renders `records` on `jobs` threads, in their order; each result is the tensor or the error
  /// rendering it threw. With `cacheTensors` false the tensor cache is neither read nor written
  /// (the loader's streaming delivery); the decoded-original tier is used either way.
  package func renderEach(
    _ records: [StoredRecord], with renderer: Renderer, jobs: Int?, progress: ProgressHandler? = nil,
    phase: String = "", keepBytes: Bool, cacheTensors: Bool
  ) throws -> [Result<Renderer.Rendered, any Error>] {
    let keys = cacheTensors ? records.map { renderer.key(sample: $0.sample, record: $0.record) } : []
    let decodedKeys = records.map { renderer.decodedKey(sample: $0.sample) }
    let partnerKeys = records.map { renderer.partnerDecodedKey(of: $0.record) }
    let index = try catalog.cacheEntries(
      keys: Array(Set((keys + decodedKeys + partnerKeys.compactMap { $0 }).map { Data($0) })))
    let results = ResultSlots<Result<Renderer.Rendered, any Error>>(count: records.count)
    let completed = Counter()
    Parallel.forEach(count: records.count, threads: jobs ?? Parallel.coreCount) { position in
      let record = records[position]
      let key = cacheTensors ? keys[position] : []
      results[position] = Result {
        var rendered = try renderer.render(
          sample: record.sample, record: record.record, indexed: cacheTensors ? index[Data(key)] : nil,
          decodedIndex: index[Data(decodedKeys[position])],
          partnerIndex: partnerKeys[position].flatMap { index[Data($0)] }, key: key, cacheTensor: cacheTensors
        )
        if !keepBytes { rendered.bytes = [] }
        return rendered
      }
      progress?(ProgressUpdate(phase: phase, completed: completed.increment(), total: records.count))
    }
    return results.values.map { slot in
      slot ?? .failure(StoreError.io(path: cache.root, message: "a render did not finish"))
    }
  }

  /// Indexes new cache files, counts hits, misses and rebuilds, and stores the digests, in one
  /// transaction.
  package func commit(_ rendered: [Renderer.Rendered], run: Run, epoch: Int) throws {
    let now = Date.now.formatted(.iso8601)
    var written: [Data: CacheEntry] = [:]
    var touched = Set<Data>()
    for tensor in rendered {
      if let hit = tensor.decodedHit { touched.insert(Data(hit)) }
      if let hit = tensor.partnerHit { touched.insert(Data(hit)) }
      if let decoded = tensor.decoded {
        written[Data(decoded.key)] = CacheEntry(
          key: Data(decoded.key), digest: Data(decoded.digest), size: decoded.size, createdAt: now,
          lastUsedAt: now)
      }
      let key = Data(tensor.key)
      if tensor.source == .cache {
        touched.insert(key)
      } else {
        written[key] = CacheEntry(
          key: key, digest: Data(tensor.digest), size: cacheFileSize(tensor), createdAt: now, lastUsedAt: now)
      }
    }
    // A file a concurrent `cache gc` or `cache clear` removed after it was written is not indexed
    // (it is rebuilt when next needed); see `Catalog.recordCacheWrites`.
    let cache = self.cache
    try catalog.commitRendered(
      run: run, epoch: epoch, digests: rendered.map { ($0.sample, $0.digest) },
      cacheWrites: Array(written.values),
      touched: Array(touched), hits: rendered.count { $0.source == .cache },
      misses: rendered.count { $0.source == .computed }, rebuilt: rendered.count { $0.source == .rebuilt },
      exists: { FileIO.kind(cache.path(of: Array($0.key))) == .file })
  }

  private func cacheFileSize(_ tensor: Renderer.Rendered) -> Int {
    if !tensor.bytes.isEmpty { return tensor.bytes.count }
    var info = stat()
    return stat(cache.path(of: tensor.key), &info) == 0 ? Int(info.st_size) : 0
  }
}

/// A thread-safe running count, for progress.
final class Counter: Sendable {
  private let value = Mutex(0)

  /// Adds one and returns the new count.
  func increment() -> Int {
    value.withLock { count in
      count += 1
      return count
    }
  }
}
