import ArgumentParser
import AugStore
import AugStoreCatalog

/// `augstore run …`: create and inspect runs.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Create and inspect runs (dataset version + pipeline + master seed).",
    discussion: """
      A run is one training run's augmentation plan. It is immutable: every parameter it records \
      is a pure function of its seed, the epoch and the sample's relative path.
      """,
    subcommands: [RunCreateCommand.self, RunListCommand.self, RunShowCommand.self]
  )
}

/// `augstore run create NAME --dataset NAME@vN --pipeline NAME --seed N [--no-shuffle]`.
struct RunCreateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "create",
    abstract: "Create a run; the pipeline is checked against every image size of the dataset."
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: "The run's name (letters, digits, '.', '_', '-').")
  var name: String

  @Option(
    name: .long, help: ArgumentHelp("The dataset version: NAME, NAME@vN or NAME@TAG.", valueName: "dataset"))
  var dataset: DatasetReference

  @Option(name: .long, help: ArgumentHelp("The pipeline: NAME (latest) or NAME@vN.", valueName: "pipeline"))
  var pipeline: String

  @Option(name: .long, help: "The master seed, 0 to 2^64-1.")
  var seed: UInt64

  @Flag(name: .long, inversion: .prefixedNo, help: "Visit samples in a new shuffled order each epoch.")
  var shuffle = true

  @Option(
    name: .customLong("batch-size"),
    help: ArgumentHelp(
      "The global batch size; needed when the pipeline has MixUp or CutMix, which mix each sample with a partner from its batch of the recorded order.",
      valueName: "B"))
  var batchSize: Int?

  @OptionGroup var output: OutputOptions

  func run() throws {
    let details = try global.openStore().createRun(
      named: name, dataset: dataset, pipeline: PipelineReference(parsing: pipeline), seed: seed,
      shuffle: shuffle, batchSize: batchSize)
    if output.json {
      try Terminal.printJSON(RunReport(details))
    } else {
      print(
        "run \(name): \(details.dataset.name)@v\(details.version.number) × \(details.pipeline.name)@v\(details.pipeline.version), "
          + "seed \(seed), \(shuffle ? "shuffled" : "unshuffled")")
    }
  }
}

/// `augstore run list`.
struct RunListCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "list", abstract: "List runs.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: OutputOptions

  func run() throws {
    let runs = try global.openStore().listRuns()
    if output.json {
      try Terminal.printJSON(RunListReport(runs))
      return
    }
    if runs.isEmpty {
      print("no runs (create one with `augstore run create NAME --dataset … --pipeline … --seed N`)")
    }
    for details in runs {
      print(
        "\(details.run.name)  \(details.dataset.name)@v\(details.version.number)  "
          + "\(details.pipeline.name)@v\(details.pipeline.version)  seed \(details.run.masterSeed)")
    }
  }
}

/// `augstore run show NAME`.
struct RunShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a run.")

  @OptionGroup var global: GlobalOptions

  @Argument(help: "The run's name.")
  var name: String

  @OptionGroup var output: OutputOptions

  func run() throws {
    let details = try global.openStore().runDetails(named: name)
    if output.json {
      try Terminal.printJSON(RunReport(details))
      return
    }
    let run = details.run
    print("run \(run.name)")
    print(
      "  dataset   \(details.dataset.name)@v\(details.version.number) (\(details.version.sampleCount) samples)"
    )
    print(
      "  pipeline  \(details.pipeline.name)@v\(details.pipeline.version) (\(details.pipeline.fingerprint.prefix(16)))"
    )
    print("  seed      \(run.masterSeed)")
    print("  shuffle   \(run.shuffle ? "on" : "off")")
    print(
      "  decoder   version \(run.decoder)\(run.decoder == 1 ? " (libpng simplified API, gamma-converting)" : "")"
    )
    print(
      "  kernels   version \(run.kernels)\(run.kernels == 1 ? " (Gaussian taps summed left to right)" : "")"
    )
    print("  created   \(run.createdAt)")
  }
}
