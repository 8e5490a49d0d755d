import ArgumentParser

/// `augstore catalog …`: where the store keeps its catalog.
struct CatalogCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "catalog",
    abstract: "Move the store's catalog between SQLite and PostgreSQL.",
    discussion: """
      A store keeps its catalog in catalog.sqlite (the default) or in a PostgreSQL database named by \
      its catalog.json (augstore init --catalog postgresql://…), which many hosts can share.
      """,
    subcommands: [CatalogCopyCommand.self]
  )
}
