import AugStoreTestSupport
import Foundation
import Testing

/// `augstore pipeline add NAME --from-keras MODEL.keras` on models saved by Keras 3.15.1 itself
/// (Tests/Fixtures/keras, written by Tools/fixtures/make_keras_models.py).
@Suite struct KerasImportCLITests {
  static let fixtures = Files.repositoryRoot + "/Tests/Fixtures/keras"

  static func fingerprint(_ name: String, store: String) throws -> String? {
    (try CLI.json(["pipeline", "show", name, "--store", store]) as? [String: Any])?["fingerprint"]
      as? String
  }

  static func pipelineCount(store: String) throws -> Int {
    let rows =
      try CLI.json(["sql", "SELECT count(*) AS n FROM pipelines", "--store", store]) as? [String: Any]
    return ((rows?["rows"] as? [[String: Any]])?.first?["n"] as? Int) ?? -1
  }

  @Test(
    "a saved model's leading preprocessing layers become the pipeline augstore's Python converter makes",
    arguments: ["sequential", "functional", "sequential-deflated"])
  func importsSavedModels(model: String) throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    #expect(try CLI.run(["init", store]).status == 0)
    let add = try CLI.run([
      "pipeline", "add", "imported", "--from-keras", "\(Self.fixtures)/\(model).keras", "--store", store,
    ])
    #expect(add.status == 0, "\(add.stderr)")
    let expected = model.replacingOccurrences(of: "-deflated", with: "")
    let reference = try CLI.run([
      "pipeline", "add", "reference", "--spec", "\(Self.fixtures)/\(expected).expected.json", "--store",
      store,
    ])
    #expect(reference.status == 0, "\(reference.stderr)")
    let imported = try Self.fingerprint("imported", store: store)
    #expect(imported != nil)
    #expect(imported == (try Self.fingerprint("reference", store: store)))
  }

  @Test func everyUnconvertibleLayerIsNamedAndNothingIsStored() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    #expect(try CLI.run(["init", store]).status == 0)
    let path = "\(Self.fixtures)/unconvertible.keras"
    let add = try CLI.run(["pipeline", "add", "p", "--from-keras", path, "--store", store])
    #expect(add.status == 1)
    let lines = add.stderr.split(separator: "\n")
    #expect(lines.count == 1)
    #expect(add.stderr.contains("\(path): cannot convert 4 layer(s)"))
    #expect(add.stderr.contains("layer 'resize' (Resizing): crop_to_aspect_ratio=true is not supported"))
    #expect(
      add.stderr.contains(
        "layer 'boxes' (MaxNumBoundingBoxes): augstore has no MaxNumBoundingBoxes transform yet"))
    #expect(add.stderr.contains("layer 'contrast' (RandomContrast): factor -0.5 is out of range [0, 1]"))
    #expect(add.stderr.contains("layer 'adapted' (Normalization): mean is null"))
    #expect(!add.stderr.contains("RandomFlip"))
    #expect(try Self.pipelineCount(store: store) == 0)
  }

  @Test func brokenArchivesGetOneLineErrorsNamingTheFile() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    #expect(try CLI.run(["init", store]).status == 0)
    let model = try Files.read("\(Self.fixtures)/sequential.keras")
    // config.json is stored uncompressed: change one byte of it, and its CRC-32 no longer matches.
    var tampered = model
    let needle = Array("RandomZoom".utf8)
    let at = try #require(
      (0...(model.count - needle.count)).first { Array(model[$0..<($0 + needle.count)]) == needle })
    tampered[at] = UInt8(ascii: "Q")
    let cases: [(String, [UInt8], String)] = [
      ("empty.keras", [], "not a saved Keras model"),
      ("text.keras", Array("{\"class_name\": \"Sequential\"}".utf8), "not a saved Keras model"),
      ("truncated.keras", Array(model.prefix(model.count / 2)), "not a saved Keras model"),
      ("tampered.keras", tampered, "config.json is damaged"),
      (
        "dense.keras", try Files.read("\(Self.fixtures)/dense.keras"),
        "does not start with image preprocessing"
      ),
    ]
    for (name, bytes, message) in cases {
      let path = folder.appending(name)
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      let add = try CLI.run(["pipeline", "add", "p", "--from-keras", path, "--store", store])
      #expect(add.status == 1, "\(name)")
      #expect(add.stderr.split(separator: "\n").count == 1, "\(name): \(add.stderr)")
      #expect(add.stderr.contains(path) && add.stderr.contains(message), "\(name): \(add.stderr)")
    }
    let missing = try CLI.run([
      "pipeline", "add", "p", "--from-keras", folder.appending("none.keras"), "--store", store,
    ])
    #expect(missing.status == 1 && missing.stderr.contains("none.keras: cannot read the model"))
    let both = try CLI.run([
      "pipeline", "add", "p", "--from-keras", "\(Self.fixtures)/sequential.keras", "--spec", "x.json",
      "--store",
      store,
    ])
    #expect(both.status != 0 && both.stderr.contains("exactly one of --spec"))
    #expect(try Self.pipelineCount(store: store) == 0)
  }
}
