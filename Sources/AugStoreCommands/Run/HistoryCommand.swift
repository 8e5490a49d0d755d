import ArgumentParser
import AugStore
import AugStoreCatalog
import Foundation

/// `augstore history RUN --sample S [--epochs E] [--json]`.
struct HistoryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "history",
    abstract: "Show every recorded epoch of one sample.",
    discussion: """
      One row per recorded epoch: the sample's position in the epoch's order, whether it was an \
      original, each transform's parameters (Keras' names) and the materialized tensor's digest \
      (null until materialized).
      JSON: {"run", "sample": {"index", "path", "label"}, "epochs": [{"epoch", "position", \
      "original", "transforms": [{"type", "params": {…}}], "digest"}]}; "transforms" is empty for \
      originals.
      """
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("The run's name.", valueName: "run"))
  var runName: String

  @Option(name: .long, help: "The sample: its index in the dataset version or its relative path.")
  var sample: String

  @Option(
    name: .long, help: "Only these recorded epochs: N, A-B or a list like 0-2,5 (default: all recorded).",
    transform: { try EpochSelection(parsing: $0) })
  var epochs: EpochSelection?

  @OptionGroup var output: OutputOptions

  func run() throws {
    let store = try global.openStoreForReading()
    let history = try store.history(run: runName, sample: sample, epochs: epochs)
    let rows = history.epochs.map { record in
      EpochRow(
        epoch: record.epoch, position: record.position, original: record.record.original,
        transforms: record.record.params.enumerated().map { index, params in
          TransformRow(
            type: index < history.transforms.count ? history.transforms[index] : "?",
            params: Params(fields: params.fields))
        }, digest: record.digest.map(Self.hex))
    }
    if output.json {
      try Terminal.printJSON(
        Document(
          run: history.run,
          sample: SampleRow(
            index: history.sample.position, path: history.sample.path, label: history.sample.label),
          epochs: rows))
      return
    }
    print(
      "\(runName): sample \(history.sample.position) \(history.sample.path)"
        + (history.sample.label.map { " [\($0)]" } ?? ""))
    for row in rows {
      var line = "  epoch \(row.epoch)  position \(row.position)  "
      if row.original {
        line += "original"
      } else {
        line += row.transforms.map { transform in
          let values = transform.params.fields.map { "\($0.name)=\($0.value)" }
          return values.isEmpty ? transform.type : "\(transform.type)(\(values.joined(separator: ", ")))"
        }.joined(separator: " ")
      }
      line += "  digest " + (row.digest.map { String($0.prefix(16)) } ?? "-")
      print(line)
    }
  }

  static func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
  }

  private struct Document: Encodable {
    var run: String
    var sample: SampleRow
    var epochs: [EpochRow]
  }

  private struct SampleRow: Encodable {
    var index: Int
    var path: String
    var label: String?

    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(index, forKey: .index)
      try container.encode(path, forKey: .path)
      try container.encode(label, forKey: .label)
    }
    enum CodingKeys: String, CodingKey { case index, path, label }
  }

  private struct EpochRow: Encodable {
    var epoch: Int
    var position: Int
    var original: Bool
    var transforms: [TransformRow]
    var digest: String?

    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(epoch, forKey: .epoch)
      try container.encode(position, forKey: .position)
      try container.encode(original, forKey: .original)
      try container.encode(transforms, forKey: .transforms)
      try container.encode(digest, forKey: .digest)
    }
    enum CodingKeys: String, CodingKey { case epoch, position, original, transforms, digest }
  }

  private struct TransformRow: Encodable {
    var type: String
    var params: Params
  }

  /// A parameter object with Keras' names as keys.
  private struct Params: Encodable {
    var fields: [(name: String, value: ParameterValue)]

    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: NameKey.self)
      for field in fields {
        try container.encode(field.value, forKey: NameKey(stringValue: field.name))
      }
    }
  }
}

/// A coding key that is any string.
struct NameKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}
