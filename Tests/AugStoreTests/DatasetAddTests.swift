import AugStoreCatalog
import AugStoreTestSupport
import Foundation
import Testing

@testable import AugStore

@Suite struct DatasetAddTests {
  let folder: TemporaryDirectory
  let store: Store
  let source: String

  init() throws {
    folder = try TemporaryDirectory()
    store = try Store.initialize(at: folder.appending("store")).store
    source = folder.appending("images")
  }

  var objectFiles: [String] { Files.list(store.root + "/objects") }
  var stagingLeftovers: [String] { Files.list(store.root + "/tmp") }

  @Test func registersVersionsAndDiffsThem() throws {
    let paths = try ImageFolder.make(at: source, classes: 3, perClass: 4)
    let first = try store.addDataset(named: "shapes", from: source)
    #expect(first.created && first.version.number == 1 && first.version.sampleCount == 12)
    #expect(first.labels == .folders && first.newObjects == 12)
    #expect(try store.samples(of: DatasetReference(parsing: "shapes@v1")).map(\.path) == paths)
    #expect(objectFiles.count == 12)
    #expect(stagingLeftovers.isEmpty)

    let again = try store.addDataset(named: "shapes", from: source)
    #expect(!again.created && again.version.number == 1 && again.newObjects == 0)

    try Files.write(try ImageFolder.png(seed: 999), to: source + "/" + paths[0])
    try FileManager.default.removeItem(atPath: source + "/" + paths[5])
    try Files.write(try ImageFolder.png(seed: 1000), to: source + "/class2/new.png")
    let second = try store.addDataset(
      named: "shapes", from: source, options: DatasetAddOptions(message: "fix"))
    #expect(second.created && second.version.number == 2 && second.version.sampleCount == 12)
    #expect(second.version.message == "fix")
    let diff = try store.diff(DatasetReference(parsing: "shapes@v1"), DatasetReference(parsing: "shapes@v2"))
    #expect(diff == DatasetDiff(added: ["class2/new.png"], removed: [paths[5]], changed: [paths[0]]))
  }

  @Test func labelsFollowFoldersOrNone() throws {
    try ImageFolder.make(at: source, classes: 2, perClass: 2)
    try Files.write(try ImageFolder.png(seed: 42), to: source + "/top.png")
    _ = try store.addDataset(named: "folders", from: source)
    let byFolder = try store.summary(of: DatasetReference(parsing: "folders"))
    #expect(byFolder.labels.map(\.label) == [nil, "class0", "class1"])
    #expect(byFolder.labels.map(\.count) == [1, 2, 2])
    _ = try store.addDataset(named: "plain", from: source, options: DatasetAddOptions(labels: LabelMode.none))
    let plain = try store.summary(of: DatasetReference(parsing: "plain"))
    #expect(plain.labels.map(\.label) == [nil] && plain.labels.map(\.count) == [5])
  }

  @Test func exportReproducesTheOriginalsByteForByte() throws {
    let paths = try ImageFolder.make(at: source, classes: 2, perClass: 3)
    _ = try store.addDataset(named: "shapes", from: source)
    let out = folder.appending("export")
    #expect(try store.export(DatasetReference(parsing: "shapes@v1"), to: out) == paths.count)
    #expect(Files.list(out) == paths)
    for path in paths {
      #expect(try Files.read(out + "/" + path) == Files.read(source + "/" + path))
    }
    #expect(throws: StoreError.exportTargetExists(path: out + "/" + paths[0])) {
      try store.export(DatasetReference(parsing: "shapes@v1"), to: out)
    }
  }

  @Test func identicalFilesAreStoredOnce() throws {
    let image = try ImageFolder.png(seed: 7)
    try Files.write(image, to: source + "/a.png")
    try Files.write(image, to: source + "/b.png")
    let result = try store.addDataset(named: "dupes", from: source)
    #expect(result.version.sampleCount == 2 && result.newObjects == 1 && result.labels == .none)
    #expect(objectFiles.count == 1)
  }

  @Test func oneBadFileRegistersNothingAndListsEveryBadFile() throws {
    try ImageFolder.make(at: source, classes: 2, perClass: 3)
    try Files.write(Array("hello".utf8), to: source + "/class0/notes.png")
    try Files.write([], to: source + "/class1/empty.png")
    #expect {
      try store.addDataset(named: "shapes", from: source)
    } throws: { error in
      guard case .invalidImages(let folderPath, let files) = error as? StoreError else { return false }
      return folderPath == source && files.map(\.path) == ["class0/notes.png", "class1/empty.png"]
        && files[1].reason == "empty file"
    }
    #expect(try store.listDatasets().isEmpty)
    #expect(objectFiles.isEmpty)
    #expect(stagingLeftovers.isEmpty)

    let skipping = try store.addDataset(
      named: "shapes", from: source, options: DatasetAddOptions(skipInvalid: true))
    #expect(skipping.version.sampleCount == 6)
    #expect(skipping.skipped.map(\.path) == ["class0/notes.png", "class1/empty.png"])
  }

  @Test(arguments: [
    "a b", "quote\"d", "semi;colon", "..", "a/b", "", "-dash", "x@v1", String(repeating: "n", count: 129),
  ])
  func unsafeNamesAreRejectedBeforeAnythingIsRead(name: String) throws {
    try ImageFolder.make(at: source, classes: 1, perClass: 1)
    #expect(throws: StoreError.invalidName(kind: "dataset", name: name)) {
      try store.addDataset(named: name, from: source)
    }
    #expect(objectFiles.isEmpty)
  }

  @Test func hiddenFilesAndSymlinksAreSkipped() throws {
    try ImageFolder.make(at: source, classes: 1, perClass: 2)
    try Files.write(try ImageFolder.png(seed: 3), to: source + "/.hidden.png")
    try Files.write(try ImageFolder.png(seed: 4), to: source + "/.cache/x.png")
    try Files.write(try ImageFolder.png(seed: 5), to: folder.appending("outside.png"))
    try FileManager.default.createSymbolicLink(
      atPath: source + "/class0/link.png", withDestinationPath: folder.appending("outside.png"))
    try Files.write(Array("readme".utf8), to: source + "/README.txt")
    let result = try store.addDataset(named: "walk", from: source)
    #expect(
      try store.samples(of: DatasetReference(parsing: "walk")).map(\.path) == [
        "class0/img00000.png", "class0/img00001.png",
      ])
    #expect(result.ignoredFiles == 1)
  }

  @Test func missingSourceAndEmptySourceAreNamed() throws {
    #expect(throws: StoreError.sourceNotFound(path: source)) {
      try store.addDataset(named: "x", from: source)
    }
    try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
    #expect(throws: StoreError.noImages(path: source)) {
      try store.addDataset(named: "x", from: source)
    }
  }
}
