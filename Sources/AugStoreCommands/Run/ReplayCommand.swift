import ArgumentParser
import AugStore

/// `augstore replay RUN --epoch E (--sample S | --batch B --batch-size K | --all) --out DIR`.
struct ReplayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Write exactly the tensors a run saw in an epoch, checked against their recorded digests.",
    discussion: """
      Tensors come from the cache or are rebuilt from the originals and the recorded parameters \
      (never new draws); every one is checked against its recorded digest, and a mismatch is an \
      error naming the run, epoch and sample. --sample and --all write <position>-<index>.npy per \
      sample; --batch writes batch-<B>.npy (N, …) with labels.npy and samples.json, following the \
      epoch's order. On the store's file system, .npy outputs are read-only hard links to the \
      checked cache files, so a cached replay copies nothing.
      """
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("The run's name.", valueName: "run"))
  var runName: String

  @Option(name: .long, help: "The epoch to replay.")
  var epoch: Int

  @Option(name: .long, help: "One sample: its index in the dataset version or its relative path.")
  var sample: String?

  @Option(name: .long, help: "A batch number (with --batch-size), in the epoch's order.")
  var batch: Int?

  @Option(name: .long, help: "Samples per batch.")
  var batchSize: Int?

  @Flag(name: .long, help: "Every sample of the epoch.")
  var all = false

  @Option(name: .long, help: ArgumentHelp("The folder to write into (created if missing).", valueName: "dir"))
  var out: String

  @Option(name: .long, help: "npy (the cached bytes) or png (uint8 channels_last only).")
  var format: ReplayFormat = .npy

  @OptionGroup var threads: JobsOptions

  @OptionGroup var output: OutputOptions

  func validate() throws {
    let chosen = (sample != nil ? 1 : 0) + (batch != nil ? 1 : 0) + (all ? 1 : 0)
    guard chosen == 1 else {
      throw ValidationError("choose one of --sample S, --batch B --batch-size K, --all")
    }
    if batch != nil && batchSize == nil { throw ValidationError("--batch needs --batch-size") }
    if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
  }

  func run() throws {
    let selection: ReplaySelection =
      if let sample { .sample(sample) } else if let batch, let batchSize {
        .batch(index: batch, size: batchSize)
      } else {
        .all
      }
    let bar = ProgressBar()
    let summary = try global.openStore().replay(
      run: runName, epoch: epoch, selection: selection, to: out, format: format, jobs: threads.jobs,
      progress: bar.handler)
    bar.finish()
    if output.json {
      try Terminal.printJSON(
        Report(
          run: summary.run, epoch: summary.epoch, files: summary.files, samples: summary.samples,
          cached: summary.cached, computed: summary.computed))
      return
    }
    print(
      "replayed \(summary.samples.count) tensors of \(summary.run) epoch \(summary.epoch) into \(out): "
        + "\(summary.cached) from the cache, \(summary.computed) rebuilt; all match their recorded digests")
  }

  private struct Report: Encodable {
    var run: String
    var epoch: Int
    var files: [String]
    var samples: [ReplayedSample]
    var cached: Int
    var computed: Int
  }
}

extension ReplayFormat: ExpressibleByArgument {}
