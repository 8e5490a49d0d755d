import ArgumentParser
import AugStore
import AugStorePostgres

/// `augstore catalog copy --to postgresql://USER@HOST:PORT/DB | sqlite:PATH`.
struct CatalogCopyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "copy",
    abstract: "Copy the store's catalog into an empty PostgreSQL database or a new SQLite file, and use it.",
    discussion: """
      Every table is copied in one consistent read and loaded in one transaction, then read back and \
      compared with what was read, row by row (a digest per table): a team starts on a laptop and \
      moves to the cluster without losing history. With --to postgresql://… the store then uses the \
      database (its catalog.json names it; the password comes from PGPASSWORD or ~/.pgpass, never \
      from the folder). With --to sqlite:PATH the copy is a SQLite catalog at PATH, which must not \
      exist; the store uses it when PATH is the store's own catalog.sqlite (after moving the old one \
      away). The old catalog is left as it was. On any failure the store keeps its catalog and the \
      target keeps no rows.
      """
  )

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: OutputOptions

  @Option(
    help: ArgumentHelp(
      "The catalog to copy into: an empty PostgreSQL database or a new SQLite file.",
      valueName: "postgresql://USER@HOST:PORT/DB|sqlite:PATH"))
  var to: String

  func run() throws {
    // Parsed here rather than by the option, whose error would repeat a password given in the URL.
    let target = try CatalogURL(parsing: to)
    let store = try global.openStore()
    let bar = ProgressBar()
    defer { bar.finish() }
    let report = try store.copyCatalog(to: target, progress: bar.handler)
    bar.finish()
    if output.json {
      try Terminal.printJSON(report)
      return
    }
    for table in report.tables {
      print("\(table.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(table.rows) rows")
    }
    let rows = report.tables.reduce(0) { $0 + $1.rows }
    print("Copied \(rows) rows from \(report.from) to \(report.to); every table reads back equal.")
    print(
      report.switched
        ? "The store now uses \(report.to); \(report.from) is left as it was."
        : "The store still uses \(report.from).")
  }
}
