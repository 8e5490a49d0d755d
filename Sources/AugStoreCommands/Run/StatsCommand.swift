import ArgumentParser
import AugStore
import Foundation

/// `augstore stats RUN [--epoch E] [--json]`.
struct StatsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stats",
    abstract: "Parameter distributions and how often originals were seen.",
    discussion: """
      Over the recorded epochs (or --epoch): per transform how often it applied and changed the \
      image (a flip that happened, an angle other than 0, …) and, per numeric parameter, min, \
      max, mean and a ten-bin histogram; how many samples never saw their original image (every \
      covered epoch changed it: not an original, and some transform changed the image); how \
      many distinct tensors each sample produced (from tensor digests when every record is \
      materialized, else from distinct parameter records — "source" says which).
      JSON keys: run, epochs, samples, records, original_records, unchanged_records, never_original, transforms \
      [{index, type, applied, changed, parameters [{name, count, min, max, mean, histogram \
      [{lower, upper, count}]}]}], distinct_tensors {source, min, max, mean, samples_by_count}.
      """
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("The run's name.", valueName: "run"))
  var runName: String

  @Option(
    name: [.customLong("epoch"), .customLong("epochs")],
    help: "Only these recorded epochs: N, A-B or a list like 0-2,5 (default: all recorded).",
    transform: { try EpochSelection(parsing: $0) })
  var epochs: EpochSelection?

  @OptionGroup var output: OutputOptions

  func run() throws {
    let store = try global.openStore()
    let stats = try store.stats(run: runName, epochs: epochs)
    if output.json {
      try Terminal.printJSON(StatsReport(stats))
      return
    }
    let epochText = (try? EpochSelection(stats.epochs))?.description ?? ""
    print("\(runName): epochs \(epochText), \(stats.samples) samples, \(stats.records) records")
    print("  original records  \(stats.originalRecords) (original_probability)")
    print("  unchanged records \(stats.unchangedRecords) (originals, or no transform changed the image)")
    print(
      "  never original    \(stats.neverOriginal) of \(stats.samples) samples never saw their original image")
    let distinct = stats.distinctTensors
    print(
      "  distinct tensors  per sample min \(distinct.min), max \(distinct.max), mean "
        + String(format: "%.2f", distinct.mean) + " (from \(distinct.source))")
    for transform in stats.transforms {
      print(
        "  [\(transform.index)] \(transform.type): applied \(transform.applied), changed \(transform.changed)"
      )
      for parameter in transform.parameters {
        print(
          "      \(parameter.name): min \(Self.number(parameter.min)) max \(Self.number(parameter.max)) "
            + "mean \(Self.number(parameter.mean))  histogram "
            + parameter.histogram.map { "\($0.count)" }.joined(separator: " "))
      }
    }
  }

  private static func number(_ value: Double) -> String {
    String(format: "%.4g", value)
  }
}
