import AugStoreCatalog
import AugStoreImaging
import AugStoreTransforms
import Foundation

/// Produces the tensor of one record: from the cache when a sound file is there, otherwise by
/// decoding the original and applying the recorded parameters.
///
/// Shared by `materialize` and `replay`. It never draws: the parameters come from the record.
package struct Renderer: Sendable {
  /// How a tensor was obtained.
  package enum Source: Sendable, Equatable {
    /// Served from a sound cache file.
    case cache
    /// Computed because no cache file existed.
    case computed
    /// Computed because the cache file was missing or damaged although indexed.
    case rebuilt
  }

  /// One rendered tensor.
  package struct Rendered: Sendable {
    package var sample: Int
    package var key: [UInt8]
    package var bytes: [UInt8]
    package var digest: [UInt8]
    package var source: Source
  }

  let store: Store
  let spec: PipelineSpec
  let fingerprint: String
  /// Object hash of every sample of the run's dataset version, by index.
  let objects: [String]
  let pixelBudget: Int

  package init(store: Store, details: RunDetails) throws {
    self.store = store
    spec = try Store.spec(of: details.pipeline)
    fingerprint = details.pipeline.fingerprint
    objects = try store.catalog.samples(in: details.version).map(\.objectHash)
    pixelBudget = Store.defaultPixelBudget
  }

  /// The cache key of a record of `sample`.
  package func key(sample: Int, record: SampleRecord) -> [UInt8] {
    TensorCache.key(object: objects[sample], pipelineFingerprint: fingerprint, record: record.encoded())
  }

  /// The tensor for `record` of `sample`; `indexed` is the cache index entry for its key, if any.
  package func render(sample: Int, record: SampleRecord, indexed: CacheEntry?) throws -> Rendered {
    let key = key(sample: sample, record: record)
    var source = Source.computed
    if let indexed {
      switch store.cache.read(key: key, digest: Array(indexed.digest)) {
      case .hit(let bytes):
        return Rendered(sample: sample, key: key, bytes: bytes, digest: Array(indexed.digest), source: .cache)
      case .missing, .damaged:
        source = .rebuilt
      }
    }
    let bytes = try compute(sample: sample, record: record)
    let digest = TensorCache.digest(bytes)
    try store.cache.write(key: key, bytes: bytes)
    return Rendered(sample: sample, key: key, bytes: bytes, digest: digest, source: source)
  }

  /// Decodes the original of `sample` and applies `record`: the `.npy` bytes of the tensor.
  package func compute(sample: Int, record: SampleRecord) throws -> [UInt8] {
    let original = try store.originals.image(objects[sample], pixelBudget: pixelBudget)
    do {
      return try spec.apply(record, to: original).npy()
    } catch {
      throw StoreError.cannotApply(object: objects[sample], reason: error.description)
    }
  }
}
