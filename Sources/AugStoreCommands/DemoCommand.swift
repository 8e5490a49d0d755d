import ArgumentParser
import AugStore
import Foundation

/// `augstore demo`: augstore's main job on a small built-in dataset.
struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Run augstore's main job on a small built-in dataset, step by step.",
    discussion: """
      Draws a small dataset of 32×32 pictures in code, registers it, registers a changed copy \
      as a second version, diffs and tags the versions, exports v1 and checks that the export \
      is byte-identical to the originals. Everything goes into --store (default: ./augstore-demo).
      """
  )

  @Option(name: .long, help: ArgumentHelp("The demo store folder.", valueName: "path"))
  var store = "augstore-demo"

  func run() throws {
    let (store, _) = try Store.initialize(at: store)
    let images = store.root + "/demo-images"
    step("1. Draw a built-in dataset of 3 classes × 8 pictures into \(images)/v1")
    let paths = try DemoDataset.write(to: images + "/v1")
    step("2. Register it: augstore dataset add shapes --from \(images)/v1")
    let first = try store.addDataset(named: "shapes", from: images + "/v1")
    print(
      first.created
        ? "   shapes@v\(first.version.number): \(first.version.sampleCount) samples, \(first.newObjects) new objects"
        : "   unchanged: same content as v\(first.version.number)")
    let summary = try store.summary(
      of: DatasetReference(name: "shapes", selector: .number(first.version.number)))
    for entry in summary.labels {
      print("   \(entry.label ?? "-"): \(entry.count)")
    }
    step("3. Redraw one picture per class, add one more, register again")
    try DemoDataset.write(to: images + "/v2", variant: 1)
    let second = try store.addDataset(
      named: "shapes", from: images + "/v2", options: DatasetAddOptions(message: "redrawn"))
    print("   shapes@v\(second.version.number): \(second.version.sampleCount) samples")
    step("4. Diff the versions: augstore dataset diff shapes@v1 shapes@v\(second.version.number)")
    let diff = try store.diff(
      DatasetReference(name: "shapes", selector: .number(first.version.number)),
      DatasetReference(name: "shapes", selector: .number(second.version.number)))
    for path in diff.added { print("   A  \(path)") }
    for path in diff.removed { print("   D  \(path)") }
    for path in diff.changed { print("   M  \(path)") }
    step("5. Tag v1 as baseline and export it")
    let v1 = DatasetReference(name: "shapes", selector: .number(first.version.number))
    _ = try store.tag(v1, as: "baseline")
    let export = store.root + "/demo-export-\(ProcessInfo.processInfo.processIdentifier)"
    defer { try? FileManager.default.removeItem(atPath: export) }
    try store.export(DatasetReference(name: "shapes", selector: .tag("baseline")), to: export)
    var identical = 0
    for path in paths {
      let original = try Data(contentsOf: URL(fileURLWithPath: images + "/v1/" + path))
      let exported = try Data(contentsOf: URL(fileURLWithPath: export + "/" + path))
      if original == exported { identical += 1 }
    }
    print("   \(identical)/\(paths.count) exported files are byte-identical to the originals")
    guard identical == paths.count else { throw ExitCode.failure }
    step("Done. Explore: augstore --store \(store.root) dataset list")
  }

  private func step(_ text: String) {
    print(text)
  }
}
