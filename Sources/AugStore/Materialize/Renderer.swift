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
    /// Decoded pixels of the original written to the cache on the way (key, checksum, size).
    package var decoded: (key: [UInt8], digest: [UInt8], size: Int)?
    /// The decoded-original entry read on the way, if the original came from that tier.
    package var decodedHit: [UInt8]? = nil
    /// The decoded-original entry of a MixUp or CutMix partner read on the way, if it came from that
    /// tier.
    package var partnerHit: [UInt8]? = nil
  }

  let store: Store
  let spec: PipelineSpec
  let fingerprint: String
  /// Object hash of every sample of the run's dataset version, by index.
  let objects: StringTable
  let pixelBudget: Int
  /// How the run's originals are decoded.
  let decoder: DecoderVersion
  /// The run's kernel arithmetic.
  let kernels: KernelVersion
  /// The kernel version the cache keys name: `kernels` when the pipeline's pixels depend on it, else nil.
  let keyedKernels: KernelVersion?

  /// A renderer of run `details`; `samples` is the run's dataset version when the caller has read it
  /// already.
  package init(store: Store, details: RunDetails, samples: SampleTable? = nil) throws {
    self.store = store
    guard let decoder = DecoderVersion(rawValue: details.run.decoder) else {
      throw StoreError.unsupportedDecoder(run: details.run.name, version: details.run.decoder)
    }
    self.decoder = decoder
    guard let kernels = KernelVersion(rawValue: details.run.kernels) else {
      throw StoreError.unsupportedKernels(run: details.run.name, version: details.run.kernels)
    }
    self.kernels = kernels
    spec = try Store.spec(of: details.pipeline)
    keyedKernels = spec.dependsOnKernelVersion ? kernels : nil
    fingerprint = details.pipeline.fingerprint
    objects = try (samples ?? SampleTable(catalog: store.catalog, version: details.version)).objects
    pixelBudget = Store.defaultPixelBudget
  }

  /// The cache key of a record of `sample`.
  package func key(sample: Int, record: SampleRecord) -> [UInt8] {
    // A mixed tensor depends on the partner's original too (the record names the partner by index,
    // which means another object in another dataset version).
    let object = mix(of: record).map { "\(objects[sample])+\(objects[$0.partner])" } ?? objects[sample]
    return TensorCache.key(
      object: object, pipelineFingerprint: fingerprint, record: record.encoded(), decoder: decoder,
      kernels: keyedKernels)
  }

  /// The record's MixUp or CutMix draw, if it mixes in a partner.
  func mix(of record: SampleRecord) -> MixRecord? {
    guard let layer = spec.batchLevelIndex, !record.original, layer < record.params.count,
      case .mix(let mix) = record.params[layer]
    else { return nil }
    return mix
  }

  /// The cache key of the decoded pixels of `sample`'s original.
  package func decodedKey(sample: Int) -> [UInt8] {
    TensorCache.decodedKey(object: objects[sample], decoder: decoder)
  }

  /// The tensor for `record` of `sample`.
  ///
  /// - Parameters:
  ///   - indexed: the cache index entry for the tensor's key, if any.
  ///   - decodedIndex: the index entry for the original's decoded pixels, if any.
  ///   - partnerIndex: the index entry for the decoded pixels of the record's MixUp or CutMix
  ///     partner, if any (``partnerDecodedKey(of:)``); without one the partner is decoded.
  ///   - key: the tensor's cache key, when the caller has computed it already.
  ///   - cacheTensor: whether the tensor is read from and written to the cache; `false` for the
  ///     loader's streaming delivery, whose tensors never touch the disk (the decoded-original tier is
  ///     used either way).
  package func render(
    sample: Int, record: SampleRecord, indexed: CacheEntry?, decodedIndex: CacheEntry?,
    partnerIndex: CacheEntry? = nil, key: [UInt8]? = nil, cacheTensor: Bool = true
  ) throws -> Rendered {
    let key = key ?? self.key(sample: sample, record: record)
    var source = Source.computed
    if cacheTensor, let indexed {
      switch store.cache.read(key: key, digest: Array(indexed.digest), keepDamaged: store.isReadOnly) {
      case .hit(let bytes):
        return Rendered(
          sample: sample, key: key, bytes: bytes, digest: Array(indexed.digest), source: .cache, decoded: nil)
      case .missing, .damaged:
        source = .rebuilt
      }
    }
    let (original, decoded, decodedHit) = try original(sample: sample, indexed: decodedIndex)
    let bytes: [UInt8]
    var partner: Tensor?
    var partnerHit: [UInt8]?
    if let mix = mix(of: record) {
      guard mix.partner >= 0, mix.partner < objects.count else {
        throw StoreError.cannotApply(
          object: objects[sample], reason: "partner sample \(mix.partner) does not exist")
      }
      let partnerKey = decodedKey(sample: mix.partner)
      if let image = tierImage(key: partnerKey, indexed: partnerIndex) {
        partner = image
        partnerHit = partnerKey
      } else {
        // Decoded but not written to the tier: the partner's own record writes and indexes it.
        partner =
          try store.originals.decoded(
            objects[mix.partner], pixelBudget: pixelBudget, version: decoder,
            jpegTarget: spec.jpegDecodeTarget
          ).image
      }
    }
    do {
      bytes = try spec.apply(record, to: original, partner: partner, kernels: kernels).npy()
    } catch {
      throw StoreError.cannotApply(object: objects[sample], reason: error.description)
    }
    let digest = TensorCache.digest(bytes)
    if cacheTensor && !store.isReadOnly { try store.cache.write(key: key, bytes: bytes) }
    return Rendered(
      sample: sample, key: key, bytes: bytes, digest: digest, source: source, decoded: decoded,
      decodedHit: decodedHit, partnerHit: partnerHit)
  }

  /// The cache key of the decoded pixels of `record`'s MixUp or CutMix partner, if it has one.
  package func partnerDecodedKey(of record: SampleRecord) -> [UInt8]? {
    guard let mix = mix(of: record), mix.partner >= 0, mix.partner < objects.count else { return nil }
    return decodedKey(sample: mix.partner)
  }

  /// The decoded pixels under `key` (a ``decodedKey(sample:)``) from the decoded-original tier, when
  /// `indexed` names a sound file there.
  func tierImage(key: [UInt8], indexed: CacheEntry?) -> Tensor? {
    guard let indexed,
      case .hit(let bytes) = store.cache.read(
        key: key, digest: Array(indexed.digest), keepDamaged: store.isReadOnly)
    else { return nil }
    return try? NPY.decode(bytes).tensor
  }

  /// The decoded original of `sample`: from the decoded-original tier when a sound file is there
  /// (its key returned as `tierHit`), otherwise decoded from the object and, for a PNG, written to that tier (returned
  /// as `written`).
  ///
  /// JPEGs are not written to the tier: libjpeg-turbo decodes them at about 270 megapixels per
  /// second, faster than writing their pixels (about ten times the file's size) and reading them
  /// back: a run's first epoch over 2,000 JPEG photos (500×375) took 4.49 s with the tier and 3.35 s
  /// without it (medians of five, Tools/bench section 7 on this project's 2-core machine).
  func original(
    sample: Int, indexed: CacheEntry?
  ) throws -> (
    image: Tensor, written: (key: [UInt8], digest: [UInt8], size: Int)?, tierHit: [UInt8]?
  ) {
    let key = decodedKey(sample: sample)
    if let image = tierImage(key: key, indexed: indexed) { return (image, nil, key) }
    let (image, format) = try store.originals.decoded(
      objects[sample], pixelBudget: pixelBudget, version: decoder, jpegTarget: spec.jpegDecodeTarget)
    guard format != .jpeg, !store.isReadOnly else { return (image, nil, nil) }
    let bytes = NPY.encode(image)
    try store.cache.write(key: key, bytes: bytes)
    return (image, (key, TensorCache.checksum(bytes), bytes.count), nil)
  }
}
