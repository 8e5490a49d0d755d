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
      try Terminal.printJSON(DatasetListReport(listings))
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
}
