import ArgumentParser
import AugStore
import AugStorePostgres

/// `augstore init [PATH] [--catalog postgresql://USER@HOST:PORT/DB]`: creates a store.
struct InitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Create a store (a folder with the catalog, objects/ and cache/).",
    discussion: """
      Running it on an existing store changes nothing but upgrading an older catalog.

      By default the catalog is catalog.sqlite inside the folder. With --catalog \
      postgresql://USER@HOST:PORT/DB it is that PostgreSQL database instead, so that many hosts can \
      share one store: the folder (objects/ and cache/, on a file system every host mounts) gets a \
      catalog.json naming the URL, and the database gets augstore's tables. The password is never \
      stored: it comes from PGPASSWORD or the password file (PGPASSFILE, else ~/.pgpass) of each host. \
      AUGSTORE_CATALOG=postgresql://… replaces the URL on one host (another host name, a proxy, \
      another user). Every command works unchanged on such a store.
      """
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("Where to create the store (default: the --store path).", valueName: "path"))
  var path: String?

  @Option(
    help: ArgumentHelp(
      "Keep the catalog in this PostgreSQL database instead of catalog.sqlite.",
      valueName: "postgresql://USER@HOST:PORT/DB"))
  var catalog: String?

  func run() throws {
    let root = path ?? global.storePath
    // Parsed here rather than by the option, whose error would repeat a password given in the URL.
    let catalog = try self.catalog.map { text in try CatalogURL(parsing: text) }
    let (store, created) = try Store.initialize(at: root, catalog: catalog)
    guard created else {
      print("augstore store already exists in \(root)")
      return
    }
    if case .postgresql = catalog {
      print("Initialized an empty augstore store in \(root) (catalog: \(store.catalog.location))")
    } else {
      print("Initialized an empty augstore store in \(root)")
    }
  }
}
