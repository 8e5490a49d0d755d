import AugStore
import AugStoreCatalog
import AugStoreImaging
import AugStoreTestSupport
import AugStoreTransforms
import Foundation
import Testing

/// `ContrastLimitedAdaptiveHistogramEqualization` end to end through the real binary: pipeline add, run
/// create, record, materialize, replay from the records after clearing the cache, verify, history; and
/// `pipeline add --from-keras` on a model Keras 3.15.1 saved with the layer.
@Suite struct CLAHECLITests {
  static let name = "ContrastLimitedAdaptiveHistogramEqualization"
  static let spec = """
    {"transforms": [
      {"type": "RandomFlip", "mode": "horizontal"},
      {"type": "\(name)", "clip_limit": 2.5, "tile_grid_size": [3, 5]},
      {"type": "\(name)"}
    ], "original_probability": 0.2}
    """

  @Test func recordsMaterializesReplaysAndVerifies() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    let images = folder.appending("images")
    try ImageFolder.make(at: images, classes: 2, perClass: 5, width: 21, height: 17)
    try Files.write(Array(Self.spec.utf8), to: folder.appending("clahe.json"))
    for arguments in [
      ["init", store], ["dataset", "add", "d", "--from", images, "--store", store],
      ["pipeline", "add", "clahe", "--spec", folder.appending("clahe.json"), "--store", store],
      ["run", "create", "r", "--dataset", "d", "--pipeline", "clahe", "--seed", "5", "--store", store],
      ["record", "r", "--epochs", "0-2", "--store", store],
    ] {
      let outcome = try CLI.run(arguments)
      #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
    }
    let materialized =
      try CLI.json(["materialize", "r", "--epochs", "0-2", "--jobs", "2", "--store", store]) as? [String: Any]
    let served = (materialized?["epochs"] as? [[String: Any]])?.map {
      ($0["computed"] as? Int ?? 0) + ($0["cached"] as? Int ?? 0)
    }
    #expect(served == [10, 10, 10])

    #expect(try CLI.run(["cache", "clear", "--store", store]).status == 0)
    let replayed =
      try CLI.json([
        "replay", "r", "--epoch", "1", "--all", "--out", folder.appending("replay"), "--store", store,
      ]) as? [String: Any]
    #expect(replayed?["computed"] as? Int == 10)
    let verified = try CLI.run(["verify", "--store", store])
    #expect(verified.status == 0, "\(verified.stderr)")

    // History names the layer; it draws nothing, so it shows no parameters.
    var sawEqualized = false
    for sample in 0..<10 {
      let history =
        try CLI.json(["history", "r", "--sample", "\(sample)", "--store", store]) as? [String: Any]
      let epochs = try #require(history?["epochs"] as? [[String: Any]])
      #expect(epochs.count == 3)
      for epoch in epochs where epoch["original"] as? Bool != true {
        let transforms = try #require(epoch["transforms"] as? [[String: Any]])
        #expect(transforms.map { $0["type"] as? String } == ["RandomFlip", Self.name, Self.name])
        #expect((transforms[1]["params"] as? [String: Any] ?? [:]).isEmpty)
        sawEqualized = true
      }
    }
    #expect(sawEqualized)

    // A replayed tensor is the kernel applied to the decoded (and possibly flipped) original.
    let opened = try Store(opening: store)
    let history = try opened.history(run: "r", sample: "3")
    let record = try #require(history.epochs.first { $0.epoch == 1 }?.record)
    let original = try ImageDecoder.decode(try Files.read(images + "/" + history.sample.path))
    let applied = try PipelineSpec(json: Self.spec).apply(record, to: original)
    let file = try #require(Files.list(folder.appending("replay")).first { $0.hasSuffix("-3.npy") })
    let replayedTensor = try NPY.decode(try Files.read(folder.appending("replay/" + file)))
    guard case .uint8(let pixels) = applied.values else {
      Issue.record("expected uint8 output")
      return
    }
    #expect(replayedTensor.data == pixels)
    if !record.original {
      #expect(pixels != original.pixels)
    }
  }

  @Test func aSavedKerasModelWithTheLayerImports() throws {
    let fixtures = Files.repositoryRoot + "/Tests/Fixtures/keras"
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    #expect(try CLI.run(["init", store]).status == 0)
    let add = try CLI.run([
      "pipeline", "add", "imported", "--from-keras", "\(fixtures)/clahe.keras", "--store", store,
    ])
    #expect(add.status == 0, "\(add.stderr)")
    let reference = try CLI.run([
      "pipeline", "add", "reference", "--spec", "\(fixtures)/clahe.expected.json", "--store", store,
    ])
    #expect(reference.status == 0, "\(reference.stderr)")
    func show(_ name: String) throws -> [String: Any]? {
      try CLI.json(["pipeline", "show", name, "--store", store]) as? [String: Any]
    }
    let imported = try show("imported")
    #expect(imported?["fingerprint"] as? String != nil)
    #expect(imported?["fingerprint"] as? String == (try show("reference"))?["fingerprint"] as? String)
    let transforms = (imported?["spec"] as? [String: Any])?["transforms"] as? [[String: Any]]
    #expect(transforms?.count == 2)
    #expect(transforms?.first?["tile_grid_size"] as? [Int] == [3, 5])
  }
}
