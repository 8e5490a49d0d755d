import AugStoreCatalog
import AugStoreTransforms
import Dispatch
import Foundation
import Synchronization

/// What `record` did.
public struct RecordSummary: Sendable, Equatable {
  /// The run's name.
  public var run: String
  /// Epochs recorded by this call, ascending.
  public var recorded: [Int]
  /// Requested epochs that were recorded before (left as they were).
  public var alreadyRecorded: [Int]
  /// Samples per epoch.
  public var samples: Int
  /// Records written: `recorded.count * samples`.
  public var records: Int
  /// Wall-clock seconds the call took.
  public var seconds: Double

  /// Records written per second.
  public var recordsPerSecond: Double { seconds > 0 ? Double(records) / seconds : 0 }
}

extension Store {
  /// Draws and records every epoch of `epochs` that `run` has not recorded yet.
  ///
  /// For each such epoch, every sample's ``SampleRecord`` is drawn (sample key from its relative
  /// path, image size from its object) and its position in the epoch's order (``ShuffleOrder``, the
  /// identity when the run does not shuffle) is computed, on `jobs` threads; the epoch is then written
  /// in one transaction, while the next epoch is being drawn. An epoch is either recorded completely
  /// or not at all, and recording it again is a no-op, so the call can be repeated after a crash.
  ///
  /// - Parameters:
  ///   - jobs: drawing threads, default: one per core (records do not depend on it).
  ///   - progress: called after each epoch is written (phase "recording", in records).
  /// - Throws: `CatalogError.runNotFound`, `StoreError.pipelineDoesNotFit` if a crop does not fit
  ///   a sample, `CatalogError.database` when writing fails (earlier epochs stay recorded).
  @discardableResult
  public func record(
    run name: String, epochs: EpochSelection, jobs: Int? = nil, progress: ProgressHandler? = nil
  ) throws -> RecordSummary {
    let jobs = max(1, jobs ?? Parallel.coreCount)
    let started = DispatchTime.now().uptimeNanoseconds
    let details = try runDetails(named: name)
    let spec = try Self.spec(of: details.pipeline)
    let recordedBefore = Set(try catalog.recordedEpochs(run: details.run).map(\.epoch))
    let todo = epochs.epochs.filter { !recordedBefore.contains($0) }
    var summary = RecordSummary(
      run: name, recorded: [], alreadyRecorded: epochs.epochs.filter { recordedBefore.contains($0) },
      samples: details.version.sampleCount, records: 0, seconds: 0)
    defer { summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
    guard !todo.isEmpty else {
      summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
      return summary
    }
    let inputs = try RecorderInputs(store: self, details: details, spec: spec, jobs: jobs)
    summary.samples = inputs.count
    let writer = EpochWriter(catalog: catalog, run: details.run)
    let total = todo.count * inputs.count
    for (done, epoch) in todo.enumerated() {
      let drawn = try inputs.draw(epoch: epoch, jobs: jobs)
      // The previous epoch is written while this one is drawn; wait for it before handing over.
      if let written = try writer.wait() { summary.recorded.append(written) }
      progress?(ProgressUpdate(phase: "recording", completed: done * inputs.count, total: total))
      writer.start(drawn)
    }
    if let written = try writer.wait() { summary.recorded.append(written) }
    progress?(ProgressUpdate(phase: "recording", completed: total, total: total))
    summary.recorded.sort()
    summary.records = summary.recorded.count * inputs.count
    summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    return summary
  }
}

/// Everything drawing an epoch needs, computed once per `record` call.
struct RecorderInputs: Sendable {
  let spec: PipelineSpec
  let seed: UInt64
  /// The run's draw scheme: a run keeps the scheme it was created with for every epoch.
  let scheme: DrawScheme
  /// The run's global batch size, which a batch-level layer mixes within.
  let batchSize: Int?
  let shuffle: Bool
  let runName: String
  let pipelineName: String
  let datasetName: String
  /// Relative paths, by sample (for errors).
  let paths: StringTable
  let keys: [SampleKey]
  let sizes: [ImageSize]

  var count: Int { keys.count }

  init(store: Store, details: RunDetails, spec: PipelineSpec, jobs: Int) throws {
    self.spec = spec
    seed = details.run.masterSeed
    guard let scheme = DrawScheme(rawValue: details.run.drawScheme) else {
      throw StoreError.unsupportedDrawScheme(run: details.run.name, scheme: details.run.drawScheme)
    }
    self.scheme = scheme
    batchSize = details.run.batchSize
    shuffle = details.run.shuffle
    runName = details.run.name
    pipelineName = "\(details.pipeline.name)@v\(details.pipeline.version)"
    datasetName = "\(details.dataset.name)@v\(details.version.number)"
    let samples = try SampleTable(catalog: store.catalog, version: details.version, withSizes: true)
    paths = samples.paths
    sizes = samples.sizes
    // SHA-256 of every path: the sample keys, computed in parallel chunks.
    let chunk = 4096
    let chunkCount = (samples.count + chunk - 1) / chunk
    let slots = ResultSlots<[SampleKey]>(count: chunkCount)
    let paths = self.paths
    Parallel.forEach(count: chunkCount, threads: jobs) { index in
      let range = (index * chunk)..<min((index + 1) * chunk, paths.count)
      slots[index] = range.map { SampleKey(path: paths[$0]) }
    }
    var keys: [SampleKey] = []
    keys.reserveCapacity(samples.count)
    for slot in slots.values { keys += slot ?? [] }
    self.keys = keys
  }

  /// One sample's record before any batch-level mixing.
  func drawRecord(sample: Int, epoch: Int) throws(PipelineSpecError) -> SampleRecord {
    try spec.drawRecord(
      seed: seed, sampleKey: keys[sample], epoch: epoch, imageSize: sizes[sample], scheme: scheme)
  }

  /// For a pipeline with a batch-level layer (MixUp, CutMix): every sample's record with its mix
  /// filled in, by sample; nil for other pipelines.
  ///
  /// Batches are the run's global batches of `order` (`batchSize` samples, the last one shorter).
  /// Each batch's draws are a pure function of (seed, epoch, batch) (``PipelineSpec/drawMixes``); a
  /// sample recorded as an original this epoch is not mixed, and may still be another's partner.
  func mixedRecords(epoch: Int, order: [Int], jobs: Int) throws -> [SampleRecord]? {
    guard let layer = spec.batchLevelIndex, let batchSize, batchSize >= 1 else { return nil }
    let chunk = 4096
    let chunkCount = (count + chunk - 1) / chunk
    let drawnSlots = ResultSlots<Result<[SampleRecord], StoreError>>(count: chunkCount)
    let this = self
    Parallel.forEach(count: chunkCount, threads: jobs) { index in
      var records: [SampleRecord] = []
      for sample in (index * chunk)..<min((index + 1) * chunk, this.count) {
        do {
          records.append(try this.drawRecord(sample: sample, epoch: epoch))
        } catch {
          drawnSlots[index] = .failure(
            .pipelineDoesNotFit(
              pipeline: this.pipelineName, dataset: this.datasetName, samplePath: this.paths[sample],
              reason: error.localizedDescription))
          return
        }
      }
      drawnSlots[index] = .success(records)
    }
    var records: [SampleRecord] = []
    records.reserveCapacity(count)
    for slot in drawnSlots.values { records += try slot?.get() ?? [] }
    let batchCount = (count + batchSize - 1) / batchSize
    let patchSlots = ResultSlots<[(sample: Int, params: TransformParams)]>(count: batchCount)
    let drawn = records
    Parallel.forEach(count: batchCount, threads: jobs) { batch in
      let members = Array(order[(batch * batchSize)..<min((batch + 1) * batchSize, this.count)])
      let sizes = members.map { sample in
        ((try? this.spec.imageSizes(input: this.sizes[sample])) ?? []).dropFirst(layer).first
          ?? this.sizes[sample]
      }
      let draws = this.spec.drawMixes(seed: this.seed, epoch: epoch, batch: batch, sizes: sizes)
      var patches: [(sample: Int, params: TransformParams)] = []
      for (slot, draw) in draws.enumerated() where !drawn[members[slot]].original {
        let partner = members[draw.partnerSlot]
        let partnerRecord =
          drawn[partner].original
          ? SampleRecord(original: true, params: [])
          : SampleRecord(original: false, params: Array(drawn[partner].params[..<layer]))
        patches.append(
          (
            members[slot],
            .mix(
              MixRecord(partner: partner, weight: draw.weight, box: draw.box, partnerRecord: partnerRecord))
          ))
      }
      patchSlots[batch] = patches
    }
    for slot in patchSlots.values {
      for patch in slot ?? [] { records[patch.sample].params[layer] = patch.params }
    }
    return records
  }

  /// Draws one epoch's records and positions, one block per task on `jobs` threads.
  func draw(epoch: Int, jobs: Int) throws -> EpochRecords {
    let order = ShuffleOrder.order(seed: seed, epoch: epoch, count: count, shuffle: shuffle)
    var positionOf = [Int](repeating: 0, count: count)
    for (position, sample) in order.enumerated() { positionOf[sample] = position }
    let blockCount = (count + RecordBlock.size - 1) / RecordBlock.size
    let slots = ResultSlots<Result<RecordBlockBuilder, StoreError>>(count: blockCount)
    let positions = positionOf
    let mixed = try mixedRecords(epoch: epoch, order: order, jobs: jobs)
    let this = self
    Parallel.forEach(count: blockCount, threads: jobs) { blockIndex in
      let first = blockIndex * RecordBlock.size
      let end = min(first + RecordBlock.size, this.count)
      var builder = RecordBlockBuilder(block: blockIndex, expectedCount: end - first)
      for sample in first..<end {
        do {
          let record = try mixed?[sample] ?? this.drawRecord(sample: sample, epoch: epoch)
          builder.append(position: positions[sample], record: record)
        } catch {
          slots[blockIndex] = .failure(
            .pipelineDoesNotFit(
              pipeline: this.pipelineName, dataset: this.datasetName, samplePath: this.paths[sample],
              reason: error.localizedDescription))
          return
        }
      }
      slots[blockIndex] = .success(builder)
    }
    var blocks: [RecordBlock] = []
    blocks.reserveCapacity(blockCount)
    var originals = 0
    for slot in slots.values {
      guard let slot else { continue }
      let builder = try slot.get()
      blocks.append(builder.block)
      originals += builder.originalCount
    }
    return EpochRecords(epoch: epoch, sampleCount: count, originalCount: originals, blocks: blocks)
  }
}

/// Writes one epoch at a time on a background thread, so the next epoch can be drawn meanwhile.
final class EpochWriter: Sendable {
  private let catalog: any CatalogBackend
  private let run: Run
  private let state = Mutex<(running: Bool, result: Result<Int?, any Error>?)>((false, nil))
  private let done = DispatchSemaphore(value: 0)

  init(catalog: any CatalogBackend, run: Run) {
    self.catalog = catalog
    self.run = run
  }

  /// Starts writing `epoch`; call ``wait()`` before starting the next one.
  func start(_ epoch: EpochRecords) {
    state.withLock { $0 = (true, nil) }
    let thread = Thread { [self] in
      let result = Result<Int?, any Error> {
        try self.catalog.writeEpoch(run: self.run, epoch) ? epoch.epoch : nil
      }
      self.state.withLock { $0 = (true, result) }
      self.done.signal()
    }
    thread.stackSize = 1 << 20
    thread.start()
  }

  /// Waits for the epoch being written, if any.
  ///
  /// - Returns: the epoch written, or `nil` if none was running or it had been recorded meanwhile.
  func wait() throws -> Int? {
    guard state.withLock({ $0.running }) else { return nil }
    done.wait()
    let result = state.withLock { state in
      defer { state = (false, nil) }
      return state.result
    }
    return try result?.get() ?? nil
  }
}
