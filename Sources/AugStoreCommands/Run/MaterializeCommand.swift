import ArgumentParser
import AugStore

/// `augstore materialize RUN --epochs 0-9 [--jobs N] [--shard I/N]`.
struct MaterializeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "materialize",
    abstract: "Record epochs if needed, render their tensors into the cache, store the digests.",
    discussion: """
      Tensors are computed from the recorded parameters (never new draws) on --jobs threads; \
      results do not depend on the thread count. A tensor already in the cache is not recomputed, \
      and a damaged cache file is detected, rebuilt and counted. JSON: run, newly_recorded, and \
      per epoch: epoch, samples, computed, cached, rebuilt, seconds.

      --shard I/N splits the work between N processes or hosts: shard I renders, in every epoch, \
      the samples whose index in the dataset version is I modulo N (every sample belongs to exactly \
      one shard), and commits their digests. The N shards may run at once on one store (their \
      commits queue on the catalog) or one after another; together they store exactly the digests \
      one unsharded materialize stores. An epoch is materialized once every shard has finished, in \
      any order; rerun a shard that was killed to complete it (what it committed is kept), and \
      running one shard twice stores its digests once. With --shard, \
      "samples" counts this shard's share, and JSON adds shard {index, count} and per epoch \
      epoch_samples and materialized (samples of the epoch with a digest once this shard committed, \
      whichever shard wrote them).
      """
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("The run's name.", valueName: "run"))
  var runName: String

  @OptionGroup var selection: EpochsOptions

  @OptionGroup var threads: JobsOptions

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp(
      "Render only shard I of N: the samples whose index is I modulo N (0 <= I < N).", valueName: "I/N"))
  var shard: String?

  @OptionGroup var output: OutputOptions

  func run() throws {
    let shard = try shard.map { try Shard(parsing: $0) }
    let store = try global.openStore()
    let bar = ProgressBar()
    let summary = try store.materialize(
      run: runName, epochs: selection.epochs, jobs: threads.jobs, shard: shard, progress: bar.handler)
    bar.finish()
    if output.json {
      try Terminal.printJSON(
        Report(
          run: summary.run, newlyRecorded: summary.newlyRecorded,
          shard: summary.shard.map { ShardReport(index: $0.index, count: $0.count) }, epochs: summary.epochs))
      return
    }
    if !summary.newlyRecorded.isEmpty {
      print("recorded epochs \(summary.newlyRecorded.map(String.init).joined(separator: ","))")
    }
    for epoch in summary.epochs {
      let rate = epoch.seconds > 0 ? Int(Double(epoch.samples) / epoch.seconds) : 0
      var line = "epoch \(epoch.epoch)"
      if let shard = summary.shard, let total = epoch.epochSamples {
        line += " shard \(shard): \(epoch.samples) of \(total) samples"
      } else {
        line += ": \(epoch.samples) tensors"
      }
      line += ", \(epoch.computed) computed, \(epoch.cached) cached"
      if epoch.rebuilt > 0 { line += ", \(epoch.rebuilt) damaged or missing cache files rebuilt" }
      line += String(format: " (%.2f s, %d images/s)", epoch.seconds, rate)
      if let materialized = epoch.materialized, let total = epoch.epochSamples {
        line +=
          materialized == total
          ? "; epoch complete" : "; \(materialized) of \(total) materialized (other shards pending)"
      }
      print(line)
    }
  }

  private struct Report: Encodable {
    var run: String
    var newlyRecorded: [Int]
    var shard: ShardReport?
    var epochs: [EpochMaterialization]
    enum CodingKeys: String, CodingKey {
      case run, epochs, shard
      case newlyRecorded = "newly_recorded"
    }
  }

  private struct ShardReport: Encodable {
    var index: Int
    var count: Int
  }
}
