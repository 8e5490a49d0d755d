import AugStore
import AugStoreCatalog

/// `/api/runs/RUN`: the keys of `run show RUN --json`, plus the pipeline spec, the recorded epochs
/// (with how many tensors are materialized) and the store's cache totals.
struct RunPageReport: Encodable {
  var run: RunReport
  var spec: String
  var epochs: [Epoch]
  var cache: CacheTotals

  struct Epoch: Encodable {
    var epoch: Int
    var samples: Int
    var originals: Int
    var materialized: Int
    var recordedAt: String
    enum CodingKeys: String, CodingKey {
      case epoch, samples, originals, materialized
      case recordedAt = "recorded_at"
    }
  }

  init(details: RunDetails, epochs: [EpochOverview], cache: CacheTotals) {
    run = RunReport(details)
    spec = details.pipeline.spec
    self.epochs = epochs.map {
      Epoch(
        epoch: $0.recorded.epoch, samples: $0.recorded.sampleCount, originals: $0.recorded.originalCount,
        materialized: $0.materialized, recordedAt: $0.recorded.recordedAt)
    }
    self.cache = cache
  }

  func encode(to encoder: any Encoder) throws {
    try run.encode(to: encoder)
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(spec, forKey: .spec)
    try container.encode(epochs, forKey: .epochs)
    try container.encode(cache, forKey: .cache)
  }

  enum CodingKeys: String, CodingKey { case spec, epochs, cache }
}

/// `/api/runs/RUN/samples?epoch=E`: one page of an epoch's samples in the recorded order, after the
/// label and never-original filters.
struct SampleGridReport: Encodable {
  var run: String
  var epoch: Int
  var label: String?
  var neverOriginal: Bool
  /// Samples that pass the filters.
  var total: Int
  var offset: Int
  var limit: Int
  var samples: [Cell]

  struct Cell: Encodable {
    var position: Int
    var index: Int
    var path: String
    var label: String?
    var original: Bool
    var neverOriginal: Bool
    var digest: String?

    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(position, forKey: .position)
      try container.encode(index, forKey: .index)
      try container.encode(path, forKey: .path)
      try container.encode(label, forKey: .label)
      try container.encode(original, forKey: .original)
      try container.encode(neverOriginal, forKey: .neverOriginal)
      try container.encode(digest, forKey: .digest)
    }
    enum CodingKeys: String, CodingKey {
      case position, index, path, label, original, digest
      case neverOriginal = "never_original"
    }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(run, forKey: .run)
    try container.encode(epoch, forKey: .epoch)
    try container.encode(label, forKey: .label)
    try container.encode(neverOriginal, forKey: .neverOriginal)
    try container.encode(total, forKey: .total)
    try container.encode(offset, forKey: .offset)
    try container.encode(limit, forKey: .limit)
    try container.encode(samples, forKey: .samples)
  }
  enum CodingKeys: String, CodingKey {
    case run, epoch, label, total, offset, limit, samples
    case neverOriginal = "never_original"
  }
}

/// `/api`: the datasets and the runs (`dataset list --json` and `run list --json` side by side).
struct HomeReport: Encodable {
  var datasets: [DatasetListReport.ListedDataset]
  var runs: [RunReport]
}
