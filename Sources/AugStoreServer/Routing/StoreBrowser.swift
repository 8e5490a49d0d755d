import AugStore
import AugStoreCatalog
import AugStoreImaging
import Foundation
import Synchronization

/// The read-only view of a store that pages, JSON documents and images are made from. Runs and
/// dataset versions are immutable, so what is derived from them (a run's renderer, a version's
/// samples) is kept in memory; recorded epochs are read on every request, since another process
/// may add some.
final class StoreBrowser: Sendable {
  let store: Store
  let thumbnails = ThumbnailCache()
  private let runs = Mutex([String: RunContext]())
  private let versions = Mutex([Int64: [Sample]]())
  private let neverOriginal = Mutex([String: (epochs: [Int], never: [Bool])]())

  /// What is derived from one run once.
  struct RunContext: Sendable {
    var details: RunDetails
    var renderer: Renderer
    var samples: [Sample]
  }

  init(store: Store) {
    self.store = store
  }

  /// The run named `name`, with its renderer and samples.
  func run(_ name: String) throws -> RunContext {
    if let known = runs.withLock({ $0[name] }) { return known }
    let details = try store.runDetails(named: name)
    let context = RunContext(
      details: details, renderer: try Renderer(store: store, details: details),
      samples: try samples(of: details.version))
    runs.withLock { $0[name] = context }
    return context
  }

  /// The samples of a dataset version, by index.
  func samples(of version: DatasetVersion) throws -> [Sample] {
    guard let id = version.id else { return try store.catalog.samples(in: version) }
    if let known = versions.withLock({ $0[id] }) { return known }
    let samples = try store.catalog.samples(in: version)
    versions.withLock { $0[id] = samples }
    return samples
  }

  /// The sample at `index` of the run's dataset version.
  ///
  /// - Throws: a 404 naming the sample and the run.
  func sample(_ index: Int, of context: RunContext) throws -> Sample {
    guard index < context.samples.count else {
      throw RequestFailure.notFound(
        "no sample \(index) in run \(context.details.run.name) (it has \(context.samples.count))")
    }
    return context.samples[index]
  }

  /// For each sample of the run, whether it never saw its original over the recorded epochs; kept
  /// until another epoch is recorded.
  func neverOriginal(_ context: RunContext, recorded: [RecordedEpoch]) throws -> [Bool] {
    let name = context.details.run.name
    let epochs = recorded.map(\.epoch)
    if let known = neverOriginal.withLock({ $0[name] }), known.epochs == epochs { return known.never }
    let never = try store.neverOriginal(run: name)
    neverOriginal.withLock { $0[name] = (epochs, never) }
    return never
  }

  /// Checks that `epoch` is recorded for the run.
  ///
  /// - Throws: a 404 naming the epoch and the run.
  func requireRecorded(_ epoch: Int, of context: RunContext) throws -> [RecordedEpoch] {
    let recorded = try store.catalog.recordedEpochs(run: context.details.run)
    guard recorded.contains(where: { $0.epoch == epoch }) else {
      throw RequestFailure.notFound("epoch \(epoch) of run \(context.details.run.name) is not recorded")
    }
    return recorded
  }

  /// The PNG thumbnail of what `epoch` fed the model for sample `index` of run `name`.
  func tensorThumbnail(run name: String, epoch: Int, sample index: Int, size: Int) throws -> [UInt8] {
    try thumbnails.png(for: "t/\(name)/\(epoch)/\(index)/\(size)") {
      let context = try run(name)
      let sample = try sample(index, of: context)
      do {
        let image = try store.displayedTensor(
          details: context.details, renderer: context.renderer, epoch: epoch, sample: sample)
        return try Thumbnail.png(image, size: size)
      } catch CatalogError.sampleOutOfRange, CatalogError.epochNotRecorded {
        _ = try requireRecorded(epoch, of: context)
        throw RequestFailure.notFound("no sample \(index) in epoch \(epoch) of run \(name)")
      }
    }
  }

  /// The PNG thumbnail of sample `index`'s original, decoded as run `name` decodes it.
  func runOriginalThumbnail(run name: String, sample index: Int, size: Int) throws -> [UInt8] {
    try thumbnails.png(for: "o/\(name)/\(index)/\(size)") {
      let context = try run(name)
      let sample = try sample(index, of: context)
      let image = try store.displayedOriginal(object: sample.objectHash, renderer: context.renderer)
      return try Thumbnail.png(image, size: size)
    }
  }

  /// The PNG thumbnail of sample `index` of a dataset version.
  func datasetThumbnail(
    dataset name: String, version number: Int, sample index: Int, size: Int
  ) throws -> [UInt8] {
    try thumbnails.png(for: "d/\(name)/\(number)/\(index)/\(size)") {
      let (_, version) = try store.resolve(DatasetReference(name: name, selector: .number(number)))
      let samples = try samples(of: version)
      guard index < samples.count else {
        throw RequestFailure.notFound("no sample \(index) in \(name)@v\(number) (it has \(samples.count))")
      }
      let image = try store.displayedOriginal(object: samples[index].objectHash)
      return try Thumbnail.png(image, size: size)
    }
  }
}
