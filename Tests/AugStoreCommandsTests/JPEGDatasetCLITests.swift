import AugStoreImaging
import AugStoreTestSupport
import Foundation
import Testing

/// JPEG datasets end to end through the real binary: files Pillow saved, mixed with PNGs, decoded
/// exactly as Pillow decodes them, orientation kept and counted, hostile files refused.
@Suite struct JPEGDatasetCLITests {
  static let fixtures = Files.repositoryRoot + "/Tests/AugStoreImagingTests/Fixtures"

  /// A folder `images/jpeg/*.jpg` (every valid JPEG fixture) plus one PNG in `images/png/`, with the
  /// JPEG extensions varied (`.jpg`, `.JPEG`) and a text file that must be ignored.
  static func folder(_ root: TemporaryDirectory) throws -> (source: String, names: [String]) {
    let source = root.appending("images")
    let names = try FileManager.default.contentsOfDirectory(atPath: fixtures + "/jpeg")
      .filter { $0.hasSuffix(".jpg") }.sorted()
    try FileManager.default.createDirectory(atPath: source + "/jpeg", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: source + "/png", withIntermediateDirectories: true)
    for (index, name) in names.enumerated() {
      let target = index % 2 == 0 ? name : String(name.dropLast(4)) + ".JPEG"
      try FileManager.default.copyItem(atPath: fixtures + "/jpeg/" + name, toPath: source + "/jpeg/" + target)
    }
    try FileManager.default.copyItem(
      atPath: fixtures + "/png-samples/pil_rgb8_gama045.png", toPath: source + "/png/gamma.png")
    try Files.write(Array("notes".utf8), to: source + "/png/README.txt")
    return (source, names)
  }

  @Test func aMixedFolderRegistersAndReplaysPillowsPixels() throws {
    let root = try TemporaryDirectory()
    let (source, names) = try Self.folder(root)
    let store = root.appending("store")
    #expect(try CLI.run(["init", store]).status == 0)
    let add =
      try CLI.json(["dataset", "add", "photos", "--from", source, "--store", store, "--json"])
      as? [String: Any]
    #expect(add?["samples"] as? Int == names.count + 1)
    let shown = try CLI.json(["dataset", "show", "photos", "--store", store, "--json"]) as? [String: Any]
    #expect(shown?["formats"] as? [String: Int] == ["jpeg": names.count, "png": 1])
    let orientations = try #require(shown?["orientations"] as? [String: Int])
    #expect(orientations["6"] == 1)

    try Files.write(Array(#"{"transforms": []}"#.utf8), to: root.appending("identity.json"))
    for arguments in [
      ["pipeline", "add", "identity", "--spec", root.appending("identity.json")],
      ["run", "create", "plain", "--dataset", "photos", "--pipeline", "identity", "--seed", "1"],
      ["materialize", "plain", "--epochs", "0"],
    ] {
      let outcome = try CLI.run(arguments + ["--store", store])
      #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
    }
    let run = try CLI.json(["run", "show", "plain", "--store", store]) as? [String: Any]
    #expect(run?["decoder"] as? Int == DecoderVersion.current.rawValue)
    let out = root.appending("replay")
    let replay =
      try CLI.json(["replay", "plain", "--epoch", "0", "--all", "--out", out, "--store", store, "--json"])
      as? [String: Any]
    let samples = try #require(replay?["samples"] as? [[String: Any]])
    #expect(samples.count == names.count + 1)
    for sample in samples {
      let path = try #require(sample["path"] as? String)
      let file = try #require(sample["file"] as? String)
      let tensor = try #require(try NPY.decode(Files.read(out + "/" + file)).tensor)
      let stem = (path as NSString).lastPathComponent.split(separator: ".").first.map(String.init) ?? ""
      let expected =
        path.hasPrefix("png/")
        ? try NPY.decode(Files.read(Self.fixtures + "/png-samples/pil_rgb8_gama045.npy")).tensor
        : try NPY.decode(Files.read(Self.fixtures + "/jpeg/\(stem).npy")).tensor
      #expect(tensor == expected, "\(path)")
    }
  }

  @Test func hostileJPEGsAreEachNamedAndNothingIsRegistered() throws {
    let root = try TemporaryDirectory()
    let source = root.appending("images")
    let bad = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures + "/jpeg-bad").sorted()
    #expect(bad.count >= 10)
    try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
    for name in bad {
      let target = name.hasSuffix(".jpg") ? name : name + ".jpg"
      try FileManager.default.copyItem(
        atPath: Self.fixtures + "/jpeg-bad/" + name, toPath: source + "/" + target)
    }
    try FileManager.default.copyItem(
      atPath: Self.fixtures + "/jpeg/chelsea_420_q90_37x23.jpg", toPath: source + "/good.jpg")
    let store = root.appending("store")
    #expect(try CLI.run(["init", store]).status == 0)
    let before = try CatalogDump.dump(store + "/catalog.sqlite")
    let outcome = try CLI.run(["dataset", "add", "bad", "--from", source, "--store", store])
    #expect(outcome.status == 1)
    #expect(outcome.stderr.contains("\(bad.count) invalid images, nothing registered"))
    for name in bad {
      let target = name.hasSuffix(".jpg") ? name : name + ".jpg"
      #expect(outcome.stderr.contains("  \(target): "), "\(name)")
    }
    #expect(try CatalogDump.dump(store + "/catalog.sqlite") == before)
    #expect(Files.list(store + "/objects").isEmpty)
    let skipped = try CLI.run(["dataset", "add", "bad", "--from", source, "--skip-invalid", "--store", store])
    #expect(skipped.status == 0, "\(skipped.stderr)")
  }
}
