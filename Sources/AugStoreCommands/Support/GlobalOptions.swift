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
  var storePath: String {
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
}

/// The `--json` flag of query commands.
struct OutputOptions: ParsableArguments {
  @Flag(name: .long, help: "Print one JSON document on stdout instead of text.")
  var json = false
}
