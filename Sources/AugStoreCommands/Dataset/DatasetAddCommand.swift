import ArgumentParser
import AugStore

/// `augstore dataset add NAME --from DIR`.
struct DatasetAddCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Register the .png files of a folder as a new version of a dataset.",
    discussion: """
      Walks DIR in sorted order (hidden entries skipped, symbolic links not followed), reads, \
      hashes and fully decodes every .png file, and copies new originals into the store. With \
      --labels folders (the default when DIR has sub-folders) the first folder under DIR is the \
      label.

      The add is atomic: if any image is unreadable or invalid, nothing is registered and every \
      bad file is listed with the reason; --skip-invalid registers the rest and lists what it \
      skipped. A folder identical to the latest version creates no version.
      """
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: "The dataset's name (letters, digits, '.', '_', '-').")
  var name: String

  @Option(name: .long, help: ArgumentHelp("The folder to register.", valueName: "dir"))
  var from: String

  @Option(
    name: .long, help: "How to label samples: folders or none (default: folders if DIR has sub-folders).")
  var labels: LabelMode?

  @Flag(name: .long, help: "Register the valid images and list the invalid ones.")
  var skipInvalid = false

  @Option(name: .long, help: "A message stored with the version.")
  var message: String?

  @OptionGroup var threads: JobsOptions

  @OptionGroup var output: OutputOptions

  func run() throws {
    let store = try global.openStore()
    let bar = ProgressBar()
    defer { bar.finish() }
    let result = try store.addDataset(
      named: name, from: from,
      options: DatasetAddOptions(
        labels: labels, skipInvalid: skipInvalid, message: message, jobs: threads.jobs),
      progress: bar.handler)
    bar.finish()
    if output.json {
      try Terminal.printJSON(
        AddReport(
          dataset: name, version: result.version.number, created: result.created,
          samples: result.version.sampleCount, bytes: result.version.totalBytes,
          newObjects: result.newObjects, labels: result.labels.rawValue, skipped: result.skipped,
          ignoredFiles: result.ignoredFiles))
      return
    }
    for file in result.skipped {
      Terminal.printError("augstore: skipped \(file.path): \(file.reason)")
    }
    let version = result.version
    if result.created {
      print(
        "\(name)@v\(version.number): \(version.sampleCount) samples, \(ByteCount.format(version.totalBytes)), "
          + "\(result.newObjects) new objects (labels: \(result.labels.rawValue))")
    } else {
      print("\(name): unchanged, same content as v\(version.number); no new version")
    }
    if result.ignoredFiles > 0 {
      print("ignored \(result.ignoredFiles) files without a .png extension")
    }
  }

  private struct AddReport: Encodable {
    var dataset: String
    var version: Int
    var created: Bool
    var samples: Int
    var bytes: Int
    var newObjects: Int
    var labels: String
    var skipped: [InvalidFile]
    var ignoredFiles: Int

    enum CodingKeys: String, CodingKey {
      case dataset, version, created, samples, bytes, labels, skipped
      case newObjects = "new_objects"
      case ignoredFiles = "ignored_files"
    }
  }
}

extension LabelMode: ExpressibleByArgument {}
