import AugStoreCatalog
import AugStoreImaging
import AugStoreTransforms
import Foundation

/// One recorded epoch of a run, with how many of its tensors are materialized.
public struct EpochOverview: Sendable, Equatable {
  /// The recorded epoch.
  public var recorded: RecordedEpoch
  /// How many samples of the epoch have a stored tensor digest.
  public var materialized: Int
}

extension Store {
  /// Every recorded epoch of the run, with its materialized-tensor count.
  public func epochOverview(run name: String) throws -> [EpochOverview] {
    let details = try runDetails(named: name)
    return try catalog.recordedEpochs(run: details.run).map { recorded in
      EpochOverview(
        recorded: recorded,
        materialized: try catalog.tensorDigests(run: details.run, epoch: recorded.epoch).count)
    }
  }

  /// For each sample of the run's dataset version (by index), whether it never saw its original in
  /// any recorded epoch: every record changed the image (not an original, and some transform changed
  /// it). The same rule as ``RunStats/neverOriginal``. Empty when nothing is recorded.
  public func neverOriginal(run name: String) throws -> [Bool] {
    let details = try runDetails(named: name)
    let epochs = try catalog.recordedEpochs(run: details.run)
    guard let first = epochs.first else { return [] }
    var never = [Bool](repeating: true, count: first.sampleCount)
    for epoch in epochs {
      try catalog.forEachBlock(run: details.run, epoch: epoch.epoch) { block in
        for (index, record) in try Self.decode(block, run: name, epoch: epoch.epoch).enumerated() {
          let sample = block.block * RecordBlock.size + index
          if sample < never.count, record.original || !record.params.contains(where: \.changesImage) {
            never[sample] = false
          }
        }
      }
    }
    return never
  }

  /// The records of `epoch` at `positions` of its recorded order, in that order.
  ///
  /// - Throws: `CatalogError.epochNotRecorded`.
  public func recordsInOrder(
    run name: String, epoch: Int, positions: Range<Int>? = nil
  ) throws -> [StoredRecord] {
    let details = try runDetails(named: name)
    let order = try catalog.epochOrder(run: details.run, epoch: epoch)
    let range = (positions ?? 0..<order.count).clamped(to: 0..<order.count)
    return try catalog.records(run: details.run, epoch: epoch, samples: Array(order[range]))
  }

  /// What `epoch`'s record of `sample` fed the model, as a uint8 image for people to look at (from
  /// the cache when a sound file is there, else rebuilt from the record); see ``preview(run:sample:epochs:)``.
  ///
  /// - Throws: `CatalogError.epochNotRecorded`, `StoreError.digestMismatch` when the rebuilt tensor
  ///   differs from the recorded digest.
  package func displayedTensor(
    details: RunDetails, renderer: Renderer, epoch: Int, sample: Sample
  ) throws -> Tensor {
    let records = try catalog.records(run: details.run, epoch: epoch, samples: [sample.position])
    let rendered = try render(records, with: renderer, jobs: 1, progress: nil, phase: "view", keepBytes: true)
    guard let record = records.first, let tensor = rendered.first else {
      throw CatalogError.epochNotRecorded(run: details.run.name, epoch: epoch)
    }
    if let recorded = record.digest, recorded != tensor.digest {
      throw StoreError.digestMismatch(
        run: details.run.name, epoch: epoch, sample: sample.position, path: sample.path)
    }
    return try Self.displayable(tensor.bytes, channelsFirst: details.pipeline.spec.contains("channels_first"))
  }

  /// The decoded original of an object, as the run's decoder (or the current one) reads it.
  package func displayedOriginal(object: String, renderer: Renderer? = nil) throws -> Tensor {
    try originals.image(
      object, pixelBudget: Self.defaultPixelBudget, version: renderer?.decoder ?? DecoderVersion.current)
  }

  /// The records of `block`, or `CatalogError.corruptRecords` naming the run, epoch and block.
  static func decode(_ block: RecordBlock, run: String, epoch: Int) throws -> [SampleRecord] {
    do {
      return try block.records()
    } catch {
      throw CatalogError.corruptRecords(run: run, epoch: epoch, block: block.block, reason: error.message)
    }
  }
}
