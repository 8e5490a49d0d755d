import ArgumentParser
import AugStore

/// `augstore materialize RUN --epochs 0-9 [--jobs N]`.
struct MaterializeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "materialize",
    abstract: "Record epochs if needed, render their tensors into the cache, store the digests.",
    discussion: """
      Tensors are computed from the recorded parameters (never new draws) on --jobs threads; \
      results do not depend on the thread count. A tensor already in the cache is not recomputed, \
      and a damaged cache file is detected, rebuilt and counted. JSON: run, newly_recorded, and \
      per epoch: epoch, samples, computed, cached, rebuilt, seconds.
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
    let summary = try store.materialize(
      run: runName, epochs: selection.epochs, jobs: threads.jobs, progress: bar.handler)
    bar.finish()
    if output.json {
      try Terminal.printJSON(
        Report(run: summary.run, newlyRecorded: summary.newlyRecorded, epochs: summary.epochs))
      return
    }
    if !summary.newlyRecorded.isEmpty {
      print("recorded epochs \(summary.newlyRecorded.map(String.init).joined(separator: ","))")
    }
    for epoch in summary.epochs {
      let rate = epoch.seconds > 0 ? Int(Double(epoch.samples) / epoch.seconds) : 0
      var line =
        "epoch \(epoch.epoch): \(epoch.samples) tensors, \(epoch.computed) computed, \(epoch.cached) cached"
      if epoch.rebuilt > 0 { line += ", \(epoch.rebuilt) damaged or missing cache files rebuilt" }
      print(line + String(format: " (%.2f s, %d images/s)", epoch.seconds, rate))
    }
  }

  private struct Report: Encodable {
    var run: String
    var newlyRecorded: [Int]
    var epochs: [EpochMaterialization]
    enum CodingKeys: String, CodingKey {
      case run, epochs
      case newlyRecorded = "newly_recorded"
    }
  }
}
