import ArgumentParser
import AugStore

/// `augstore dataset export NAME@vN --to DIR`.
struct DatasetExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a version's original files under DIR at their relative paths, byte for byte.",
    discussion: "Refuses to overwrite: if any target file exists, nothing is written."
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: "The version to export, e.g. cats@v1.")
  var reference: DatasetReference

  @Option(name: .long, help: ArgumentHelp("The folder to write into (created if missing).", valueName: "dir"))
  var to: String

  func run() throws {
    let bar = ProgressBar()
    defer { bar.finish() }
    let count = try global.openStore().export(reference, to: to, progress: bar.handler)
    bar.finish()
    print("exported \(count) files of \(reference) to \(to)")
  }
}
