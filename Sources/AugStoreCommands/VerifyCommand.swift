import ArgumentParser
import AugStore

/// `augstore verify`: checks objects, cache entries and the catalog.
struct VerifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract:
      "Re-hash objects, check cache entries and record digests against their digests, check the catalog.",
    discussion: """
      Reports every problem and exits 1 if there is any; it changes nothing. A SQLite catalog gets       SQLite's integrity check; a PostgreSQL catalog's constraints are enforced by the server itself.
      """
  )

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: OutputOptions

  func run() throws {
    let bar = ProgressBar()
    let report = try global.openStore().verify(progress: bar.handler)
    bar.finish()
    if output.json {
      try Terminal.printJSON(report)
    } else {
      print("objects       \(report.objectsChecked) checked")
      print("cache         \(report.cacheEntriesChecked) entries checked")
      print("records       \(report.recordDigestsChecked) digests checked against their cache entries")
      if report.unindexedCacheFiles > 0 {
        print(
          "              \(report.unindexedCacheFiles) unindexed cache files (harmless; `cache clear` removes them)"
        )
      }
      for problem in report.problems {
        Terminal.printError("augstore: \(problem.kind): \(problem.path): \(problem.detail)")
      }
      print(report.isClean ? "store is sound" : "\(report.problems.count) problems")
    }
    if !report.isClean { throw ExitCode.failure }
  }
}
