import AugStoreTestSupport
import Foundation
import Testing

@testable import AugStore

/// Every hostile PNG of the imaging fixtures is refused with a reason, and nothing is registered.
@Suite struct HostileInputTests {
  static var badFiles: [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: Files.badPNGFolder))?.filter {
      $0.hasSuffix(".png")
    }
    .sorted() ?? []
  }

  @Test func fixturesArePresent() {
    #expect(Self.badFiles.count >= 9)
  }

  @Test(arguments: badFiles)
  func badFileRegistersNothing(name: String) throws {
    let folder = try TemporaryDirectory()
    let store = try Store.initialize(at: folder.appending("store")).store
    let source = folder.appending("images")
    try ImageFolder.make(at: source, classes: 1, perClass: 2)
    try Files.write(try Files.read(Files.badPNGFolder + "/" + name), to: source + "/class0/" + name)
    #expect {
      try store.addDataset(named: "hostile", from: source)
    } throws: { error in
      guard case .invalidImages(_, let files) = error as? StoreError else { return false }
      return files.map(\.path) == ["class0/" + name] && !files[0].reason.isEmpty
        && !files[0].reason.contains("\n")
    }
    #expect(try store.listDatasets().isEmpty)
    #expect(Files.list(store.root + "/objects").isEmpty)
  }

  @Test func imagesAboveThePixelBudgetAreRefused() throws {
    let folder = try TemporaryDirectory()
    let store = try Store.initialize(at: folder.appending("store")).store
    let source = folder.appending("images")
    try Files.write(try ImageFolder.png(seed: 1, width: 40, height: 30), to: source + "/big.png")
    #expect(throws: StoreError.self) {
      try store.addDataset(named: "budget", from: source, options: DatasetAddOptions(pixelBudget: 1000))
    }
    let result = try store.addDataset(
      named: "budget", from: source, options: DatasetAddOptions(pixelBudget: 1200))
    #expect(result.version.sampleCount == 1)
  }
}
