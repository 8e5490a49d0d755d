import ArgumentParser
import AugStore

/// `augstore dataset diff NAME@vA NAME@vB`.
struct DatasetDiffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "List the paths added, removed and changed (content or label) between two versions."
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: "The older version, e.g. cats@v1.")
  var from: DatasetReference

  @Argument(help: "The newer version, e.g. cats@v2.")
  var to: DatasetReference

  @OptionGroup var output: OutputOptions

  func run() throws {
    let diff = try global.openStore().diff(from, to)
    if output.json {
      try Terminal.printJSON(DatasetDiffReport(from: from, to: to, diff: diff))
      return
    }
    for path in diff.added { print("A  \(path)") }
    for path in diff.removed { print("D  \(path)") }
    for path in diff.changed { print("M  \(path)") }
    print("\(diff.added.count) added, \(diff.removed.count) removed, \(diff.changed.count) changed")
  }
}
