import ArgumentParser
import AugStore

/// `augstore dataset add NAME --from DIR`.
struct DatasetAddCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Register the .png, .jpg and .jpeg files of a folder as a new version of a dataset.",
    discussion: """
      Walks DIR in sorted order (hidden entries skipped, symbolic links not followed), reads, \
      hashes and fully decodes every .png, .jpg and .jpeg file (any letter case), and copies new \
      originals into the store. With --labels folders (the default when DIR has sub-folders) the \
      first folder under DIR is the label.

      --labels-file CSV takes the labels from a CSV file instead: a header row with "path" and \
      "label" columns (other columns are ignored), then one row per image, its path relative to \
      DIR and /-separated (RFC 4180 quoting, UTF-8, optional byte order mark, CRLF or LF). Every \
      image needs exactly one row and every row must name an image: otherwise nothing is \
      registered and every problem is listed (images without a row, rows naming no image, paths \
      listed twice, empty labels). With --skip-invalid, images without a row are skipped and \
      listed; the other problems remain errors, since they are mistakes in the file.

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

  @Option(
    name: .long,
    help: ArgumentHelp("A CSV file with path and label columns to take the labels from.", valueName: "csv"))
  var labelsFile: String?

  @Flag(
    name: .long,
    help: "Register the valid images and list the invalid ones (and those without a row in --labels-file).")
  var skipInvalid = false

  @Option(name: .long, help: "A message stored with the version.")
  var message: String?

  @OptionGroup var threads: JobsOptions

  @OptionGroup var output: OutputOptions

  func validate() throws {
    if labels != nil && labelsFile != nil {
      throw ValidationError("--labels and --labels-file cannot be used together")
    }
  }

  func run() throws {
    let store = try global.openStore()
    let bar = ProgressBar()
    defer { bar.finish() }
    let result = try store.addDataset(
      named: name, from: from,
      options: DatasetAddOptions(
        labels: labels, labelsFile: labelsFile, skipInvalid: skipInvalid, message: message,
        jobs: threads.jobs),
      progress: bar.handler)
    bar.finish()
    if output.json {
      try Terminal.printJSON(
        AddReport(
          dataset: name, version: result.version.number, created: result.created,
          samples: result.version.sampleCount, bytes: result.version.totalBytes,
          newObjects: result.newObjects, labels: result.labels.rawValue,
          labelsFile: result.labels == .file ? labelsFile : nil, skipped: result.skipped,
          ignoredFiles: result.ignoredFiles))
      return
    }
    for file in result.skipped {
      Terminal.printError("augstore: skipped \(file.path): \(file.reason)")
    }
    let version = result.version
    if result.created {
      let labelSource =
        result.labels == .file ? "from \(labelsFile ?? result.labels.rawValue)" : result.labels.rawValue
      print(
        "\(name)@v\(version.number): \(version.sampleCount) samples, \(ByteCount.format(version.totalBytes)), "
          + "\(result.newObjects) new objects (labels: \(labelSource))")
    } else {
      print("\(name): unchanged, same content as v\(version.number); no new version")
    }
    if result.ignoredFiles > 0 {
      print("ignored \(result.ignoredFiles) files without a .png, .jpg or .jpeg extension")
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
    var labelsFile: String?
    var skipped: [InvalidFile]
    var ignoredFiles: Int

    enum CodingKeys: String, CodingKey {
      case dataset, version, created, samples, bytes, labels, skipped
      case newObjects = "new_objects"
      case labelsFile = "labels_file"
      case ignoredFiles = "ignored_files"
    }
  }
}

/// `--labels` takes `folders` or `none`; labels from a file come with `--labels-file`.
extension LabelMode: ExpressibleByArgument {
  /// `folders` or `none`; `file` is refused (labels from a file come with `--labels-file`).
  public init?(argument: String) {
    guard let mode = LabelMode(rawValue: argument), mode != .file else { return nil }
    self = mode
  }

  /// The values `--labels` takes, for help and completion.
  public static var allValueStrings: [String] {
    allCases.filter { $0 != .file }.map(\.rawValue)
  }
}
