import ArgumentParser
import AugStore

/// `augstore init [PATH]`: creates a store.
struct InitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Create a store (a folder with the catalog, objects/ and cache/).",
    discussion: "Running it on an existing store changes nothing but upgrading an older catalog."
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("Where to create the store (default: the --store path).", valueName: "path"))
  var path: String?

  func run() throws {
    let root = path ?? global.storePath
    let (_, created) = try Store.initialize(at: root)
    print(
      created ? "Initialized an empty augstore store in \(root)" : "augstore store already exists in \(root)")
  }
}
