import ArgumentParser
import AugStore
import Foundation

/// `augstore record RUN --epochs 0-9 [--jobs N]`.
struct RecordCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "record",
    abstract: "Draw and record parameters and order of epochs (no pixels).",
    discussion: """
      Records, for every sample of the run's dataset version and every selected epoch, its \
      position in the epoch's order, whether it is an original and every transform's drawn \
      parameters. Epochs already recorded are left as they are; each epoch is written in one \
      transaction. JSON keys: run, recorded, already_recorded, samples, records, seconds, \
      records_per_second.
      """
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("The run's name.", valueName: "run"))
  var runName: String

  @OptionGroup var selection: EpochsOptions

  @OptionGroup var threads: JobsOptions

  @OptionGroup var output: OutputOptions

  func run() throws {
    let store = try global.openStore()
    let bar = ProgressBar()
    let summary = try store.record(
      run: runName, epochs: selection.epochs, jobs: threads.jobs, progress: bar.handler)
    bar.finish()
    if output.json {
      try Terminal.printJSON(
        Recorded(
          run: summary.run, recorded: summary.recorded, alreadyRecorded: summary.alreadyRecorded,
          samples: summary.samples, records: summary.records, seconds: summary.seconds,
          recordsPerSecond: summary.recordsPerSecond))
      return
    }
    if summary.recorded.isEmpty {
      print("\(runName): epochs \(selection.epochs) already recorded; nothing to do")
      return
    }
    let recorded = (try? EpochSelection(summary.recorded))?.description ?? ""
    print(
      "\(runName): recorded epochs \(recorded): \(summary.records) records (\(summary.samples) samples × "
        + "\(summary.recorded.count) epochs) in \(String(format: "%.2f", summary.seconds)) s, "
        + "\(Int(summary.recordsPerSecond)) records/s")
    if !summary.alreadyRecorded.isEmpty {
      let already = (try? EpochSelection(summary.alreadyRecorded))?.description ?? ""
      print("  already recorded: \(already)")
    }
  }

  private struct Recorded: Encodable {
    var run: String
    var recorded: [Int]
    var alreadyRecorded: [Int]
    var samples: Int
    var records: Int
    var seconds: Double
    var recordsPerSecond: Double
    enum CodingKeys: String, CodingKey {
      case run, recorded, samples, records, seconds
      case alreadyRecorded = "already_recorded"
      case recordsPerSecond = "records_per_second"
    }
  }
}
