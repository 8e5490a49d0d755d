import ArgumentParser
import AugStore

/// `augstore dataset …`: register and inspect dataset versions.
struct DatasetCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dataset",
    abstract: "Register, list, show, diff, tag and export dataset versions.",
    discussion: """
      A dataset is a named series of immutable versions v1, v2, …; a version is the sorted list \
      of the .png files of a folder (relative path, content hash, label). Refer to a version as \
      NAME (the latest), NAME@vN or NAME@TAG.
      """,
    subcommands: [
      DatasetAddCommand.self, DatasetListCommand.self, DatasetShowCommand.self, DatasetDiffCommand.self,
      DatasetTagCommand.self, DatasetExportCommand.self,
    ]
  )
}

extension DatasetReference: ExpressibleByArgument {
  /// Parses `NAME`, `NAME@vN` or `NAME@TAG` from the command line.
  public init?(argument: String) {
    guard let reference = try? DatasetReference(parsing: argument) else { return nil }
    self = reference
  }
}
