import ArgumentParser
import AugStore

/// `augstore dataset show NAME[@vN|@TAG]`.
struct DatasetShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show one version: samples, labels with counts, total bytes.",
    discussion: """
      JSON keys: dataset, version, tags, samples, labels (label → count), unlabelled, bytes, formats \
      (png/jpeg → count), orientations (EXIF orientation 1-8 → count of JPEGs carrying it; pixels are \
      used as stored, never rotated).
      """
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: "NAME (latest version), NAME@vN or NAME@TAG.")
  var reference: DatasetReference

  @Flag(name: .long, help: "Also list every sample (position, path, label, object).")
  var samples = false

  @OptionGroup var output: OutputOptions

  func run() throws {
    let store = try global.openStore()
    let summary = try store.summary(of: reference)
    let sampleList = samples ? try store.samples(of: reference) : nil
    var labels: [String: Int] = [:]
    var unlabelled = 0
    for entry in summary.labels {
      if let label = entry.label { labels[label] = entry.count } else { unlabelled += entry.count }
    }
    let version = summary.version
    if output.json {
      try Terminal.printJSON(DatasetVersionReport(summary, samples: sampleList))
      return
    }
    print(
      "\(summary.dataset.name)@v\(version.number)"
        + (summary.tags.isEmpty ? "" : "  [\(summary.tags.joined(separator: ", "))]"))
    print("  created  \(version.createdAt)")
    if let message = version.message { print("  message  \(message)") }
    print("  samples  \(version.sampleCount)")
    print("  bytes    \(version.totalBytes) (\(ByteCount.format(version.totalBytes)))")
    print(
      "  formats  "
        + summary.formats.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    if !summary.orientations.isEmpty {
      print(
        "  EXIF orientation (kept, not applied)  "
          + summary.orientations.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(
            separator: ", "))
    }
    print("  labels   \(labels.count)" + (unlabelled > 0 ? " (\(unlabelled) unlabelled samples)" : ""))
    for (label, count) in labels.sorted(by: { $0.key < $1.key }) {
      print("    \(label)  \(count)")
    }
    for sample in sampleList ?? [] {
      print("  \(sample.position)  \(sample.path)  \(sample.label ?? "-")  \(sample.objectHash.prefix(12))")
    }
  }
}
