import ArgumentParser

/// The root `augstore` command.
struct AugStoreCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "augstore",
    abstract: "Record, cache and replay the exact augmentations a model saw during training.",
    discussion: """
      A store is a folder with a SQLite catalog of datasets, versions, pipelines, runs and \
      per-epoch augmentation records, plus the original images (content-addressed) and a cache \
      of materialized tensors.

      The store is --store PATH, else $AUGSTORE_STORE, else ./.augstore.
      """,
    version: "0.1.0",
    subcommands: [
      InitCommand.self, DatasetCommand.self, PipelineCommand.self, RunCommand.self, RecordCommand.self,
      MaterializeCommand.self, ReplayCommand.self, PreviewCommand.self, HistoryCommand.self,
      StatsCommand.self, SQLCommand.self, CatalogCommand.self,
      CacheCommand.self, VerifyCommand.self, EngineCommand.self, ServeCommand.self,
      DemoCommand.self,
    ]
  )

  @OptionGroup var global: GlobalOptions
}
