import ArgumentParser
import AugStore
import Foundation

/// Options every command takes, before or after the subcommand's name.
struct GlobalOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The store folder (default: $AUGSTORE_STORE, else ./.augstore).", valueName: "path"))
  var store: String?

  /// The store path these options name.
  var storePath: String { Self.storePath(store) }

  /// The store path `--store` (or its absence) names.
  static func storePath(_ store: String?) -> String {
    if let store { return store }
    if let fromEnvironment = ProcessInfo.processInfo.environment["AUGSTORE_STORE"], !fromEnvironment.isEmpty {
      return fromEnvironment
    }
    return ".augstore"
  }

  /// Opens the existing store.
  func openStore() throws -> Store {
    try Store(opening: storePath)
  }

  /// Opens the existing store for queries only (see ``Store/init(opening:readOnly:)``).
  func openStoreForReading() throws -> Store {
    try Store(opening: storePath, readOnly: true)
  }
}

/// The `--json` flag of query commands.
struct OutputOptions: ParsableArguments {
  @Flag(name: .long, help: "Print one JSON document on stdout instead of text.")
  var json = false
}

/// The `--jobs N` option of commands that work on several threads.
struct JobsOptions: ParsableArguments {
  @Option(name: .long, help: "Threads to use (default: the number of cores); results do not depend on it.")
  var jobs: Int?

  func validate() throws {
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
  }
}

/// The `--epochs` option: `N`, `A-B` or a list like `0-2,5,7-9`.
struct EpochsOptions: ParsableArguments {
  @Option(
    name: .long, help: "Epochs: N, A-B or a list like 0-2,5,7-9.",
    transform: { try EpochSelection(parsing: $0) })
  var epochs: EpochSelection
}
