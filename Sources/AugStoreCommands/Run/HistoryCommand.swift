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
    try Self.show(
      store: global.openStoreForReading(), runName: runName, sample: sample, epochs: epochs, json: output.json
    )
  }

  /// Prints the history of `sample` in run `runName`: the command's work, shared with the parsed
  /// invocation of ``HistoryInvocation``.
  static func show(store: Store, runName: String, sample: String, epochs: EpochSelection?, json: Bool) throws
  {
    let history = try store.history(run: runName, sample: sample, epochs: epochs)
    let report = HistoryReport(history)
    if json {
      if let text = HistoryJSON.text(report) {
        print(text)
      } else {
        try Terminal.printJSON(report)
      }
      return
    }
    print(
      "\(runName): sample \(history.sample.position) \(history.sample.path)"
        + (history.sample.label.map { " [\($0)]" } ?? ""))
    for row in report.epochs {
      var line = "  epoch \(row.epoch)  position \(row.position)  "
      if row.original {
        line += "original"
      } else {
        line += row.transforms.map { transform in
          let fields = transform.params.fields
          if let path = fields.first(where: { $0.name == "partner_path" })?.value,
            let weight = fields.first(where: { $0.name == "mix_weight" })?.value
          {
            // "MixUp(mixed with cats/031.png, weight 0.37)"; CutMix adds its box.
            let box = ["x", "y", "width", "height"].compactMap { name in
              fields.first { $0.name == name }.map { "\(name)=\($0.value)" }
            }
            return "\(transform.type)(mixed with \(path), weight \(weight)"
              + (box.isEmpty ? "" : ", " + box.joined(separator: ", ")) + ")"
          }
          let values = fields.map { "\($0.name)=\($0.value)" }
          return values.isEmpty ? transform.type : "\(transform.type)(\(values.joined(separator: ", ")))"
        }.joined(separator: " ")
      }
      line += "  digest " + (row.digest.map { String($0.prefix(16)) } ?? "-")
      print(line)
    }
  }
}
