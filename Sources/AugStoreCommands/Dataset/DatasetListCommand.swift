import ArgumentParser
import AugStore

/// `augstore dataset list`.
struct DatasetListCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List datasets with their versions and tags."
  )

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: OutputOptions

  func run() throws {
    let listings = try global.openStore().listDatasets()
    if output.json {
      try Terminal.printJSON(
        [
          "datasets": listings.map { listing in
            ListedDataset(
              name: listing.dataset.name, createdAt: listing.dataset.createdAt,
              versions: listing.versions.map { version in
                ListedVersion(
                  version: version.number, samples: version.sampleCount, bytes: version.totalBytes,
                  message: version.message, createdAt: version.createdAt,
                  tags: listing.tags.filter { $0.value == version.number }.keys.sorted())
              },
              tags: listing.tags)
          }
        ])
      return
    }
    if listings.isEmpty {
      print("no datasets (add one with `augstore dataset add NAME --from DIR`)")
    }
    for listing in listings {
      print(listing.dataset.name)
      for version in listing.versions {
        let tags = listing.tags.filter { $0.value == version.number }.keys.sorted()
        var line =
          "  v\(version.number)  \(version.sampleCount) samples  \(ByteCount.format(version.totalBytes))  "
          + version.createdAt
        if !tags.isEmpty { line += "  [" + tags.joined(separator: ", ") + "]" }
        if let message = version.message { line += "  \(message)" }
        print(line)
      }
    }
  }

  private struct ListedDataset: Encodable {
    var name: String
    var createdAt: String
    var versions: [ListedVersion]
    var tags: [String: Int]
    enum CodingKeys: String, CodingKey {
      case name, versions, tags
      case createdAt = "created_at"
    }
  }

  private struct ListedVersion: Encodable {
    var version: Int
    var samples: Int
    var bytes: Int
    var message: String?
    var createdAt: String
    var tags: [String]
    enum CodingKeys: String, CodingKey {
      case version, samples, bytes, message, tags
      case createdAt = "created_at"
    }
  }
}
