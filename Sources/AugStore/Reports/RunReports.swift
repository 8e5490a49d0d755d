import AugStoreCatalog
import AugStoreTransforms
import Foundation

/// `run show NAME --json` (and each entry of `run list --json`).
package struct RunReport: Encodable, Sendable {
  package var name: String
  package var dataset: String
  package var samples: Int
  package var pipeline: String
  package var fingerprint: String
  package var seed: UInt64
  package var shuffle: Bool
  package var drawScheme: Int
  package var decoder: Int
  package var kernels: Int
  package var batchSize: Int?
  package var createdAt: String

  package init(_ details: RunDetails) {
    name = details.run.name
    dataset = "\(details.dataset.name)@v\(details.version.number)"
    samples = details.version.sampleCount
    pipeline = "\(details.pipeline.name)@v\(details.pipeline.version)"
    fingerprint = details.pipeline.fingerprint
    seed = details.run.masterSeed
    shuffle = details.run.shuffle
    drawScheme = details.run.drawScheme
    decoder = details.run.decoder
    kernels = details.run.kernels
    batchSize = details.run.batchSize
    createdAt = details.run.createdAt
  }

  enum CodingKeys: String, CodingKey {
    case name, dataset, samples, pipeline, fingerprint, seed, shuffle, decoder, kernels
    case drawScheme = "draw_scheme"
    case batchSize = "batch_size"
    case createdAt = "created_at"
  }
}

/// `run list --json`.
package struct RunListReport: Encodable, Sendable {
  package var runs: [RunReport]

  package init(_ runs: [RunDetails]) {
    self.runs = runs.map(RunReport.init)
  }
}

/// `history RUN --sample S --json`: every recorded epoch of one sample.
package struct HistoryReport: Encodable, Sendable {
  package var run: String
  package var sample: SampleRow
  package var epochs: [EpochRow]

  package init(_ history: SampleHistory) {
    run = history.run
    sample = SampleRow(index: history.sample.position, path: history.sample.path, label: history.sample.label)
    epochs = history.epochs.map { record in
      EpochRow(
        epoch: record.epoch, position: record.position, original: record.record.original,
        transforms: record.record.params.enumerated().map { index, params in
          TransformRow(
            type: index < history.transforms.count ? history.transforms[index] : "?",
            params: Params(fields: Self.fields(params, partnerPaths: history.partnerPaths)))
        }, digest: record.digest.map(\.hexString))
    }
  }

  /// A transform's fields; a MixUp or CutMix partner is named by its path too (`partner_path`).
  static func fields(
    _ params: TransformParams, partnerPaths: [Int: String]
  ) -> [(name: String, value: ParameterValue)] {
    var fields = params.fields
    if case .mix(let mix) = params, let path = partnerPaths[mix.partner] {
      fields.insert(("partner_path", .string(path)), at: 1)
    }
    return fields
  }

  package struct SampleRow: Encodable, Sendable {
    package var index: Int
    package var path: String
    package var label: String?

    package func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(index, forKey: .index)
      try container.encode(path, forKey: .path)
      try container.encode(label, forKey: .label)
    }
    enum CodingKeys: String, CodingKey { case index, path, label }
  }

  package struct EpochRow: Encodable, Sendable {
    package var epoch: Int
    package var position: Int
    package var original: Bool
    package var transforms: [TransformRow]
    package var digest: String?

    package func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(epoch, forKey: .epoch)
      try container.encode(position, forKey: .position)
      try container.encode(original, forKey: .original)
      try container.encode(transforms, forKey: .transforms)
      try container.encode(digest, forKey: .digest)
    }
    enum CodingKeys: String, CodingKey { case epoch, position, original, transforms, digest }
  }

  package struct TransformRow: Encodable, Sendable {
    package var type: String
    package var params: Params
  }

  /// A parameter object with Keras' names as keys.
  package struct Params: Encodable, Sendable {
    package var fields: [(name: String, value: ParameterValue)]

    package func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: NameKey.self)
      for field in fields {
        try container.encode(field.value, forKey: NameKey(stringValue: field.name))
      }
    }
  }
}

/// A coding key that is any string.
package struct NameKey: CodingKey {
  package var stringValue: String
  package var intValue: Int? { nil }
  package init(stringValue: String) { self.stringValue = stringValue }
  package init?(intValue: Int) { nil }
}
