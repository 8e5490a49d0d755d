import AugStore
import AugStoreCatalog
import AugStoreImaging
import AugStoreTestSupport
import AugStoreTransforms
import Foundation
import Testing

/// The colour layers end to end through the real binary: pipeline add, run create, record, materialize,
/// replay from the records after clearing the cache, verify, and history showing what each layer drew.
@Suite struct ColourLayersCLITests {
  static let spec = """
    {"transforms": [
      {"type": "RandomInvert", "factor": 0.5},
      {"type": "Solarization", "addition_factor": 0.1, "threshold_factor": [0.5, 0.9]},
      {"type": "RandomPosterization", "factor": [3, 7]},
      {"type": "RandomColorDegeneration", "factor": 0.6},
      {"type": "AutoContrast"},
      {"type": "Equalization", "bins": 64},
      {"type": "RandomSharpness", "factor": [0.1, 0.9]},
      {"type": "RandomColorJitter", "brightness_factor": 0.2, "contrast_factor": 0.3,
       "saturation_factor": 0.4, "hue_factor": 0.1}
    ], "original_probability": 0.2}
    """

  static let names = [
    "RandomInvert", "Solarization", "RandomPosterization", "RandomColorDegeneration", "AutoContrast",
    "Equalization", "RandomSharpness", "RandomColorJitter",
  ]

  @Test func everyColourLayerRecordsMaterializesReplaysAndShowsItsParameters() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    let images = folder.appending("images")
    try ImageFolder.make(at: images, classes: 2, perClass: 6, width: 21, height: 17)
    try Files.write(Array(Self.spec.utf8), to: folder.appending("colour.json"))
    for arguments in [
      ["init", store], ["dataset", "add", "d", "--from", images, "--store", store],
      ["pipeline", "add", "colour", "--spec", folder.appending("colour.json"), "--store", store],
      ["run", "create", "r", "--dataset", "d", "--pipeline", "colour", "--seed", "3", "--store", store],
      ["record", "r", "--epochs", "0-3", "--store", store],
    ] {
      let outcome = try CLI.run(arguments)
      #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
    }
    let materialized =
      try CLI.json(["materialize", "r", "--epochs", "0-3", "--jobs", "2", "--store", store]) as? [String: Any]
    // Original records share their tensor across epochs: those come from the cache.
    let served = (materialized?["epochs"] as? [[String: Any]])?.map {
      ($0["computed"] as? Int ?? 0) + ($0["cached"] as? Int ?? 0)
    }
    #expect(served == [12, 12, 12, 12])

    // Replay after clearing the cache recomputes every tensor from the records and checks its digest.
    #expect(try CLI.run(["cache", "clear", "--store", store]).status == 0)
    let replayed =
      try CLI.json([
        "replay", "r", "--epoch", "2", "--all", "--out", folder.appending("replay"), "--store", store,
      ]) as? [String: Any]
    #expect(replayed?["computed"] as? Int == 12)
    let verified = try CLI.run(["verify", "--store", store])
    #expect(verified.status == 0, "\(verified.stderr)")

    // History names every layer and shows what it drew, with Keras' transformation keys.
    var sawInversion = false
    var sawOriginal = false
    for sample in 0..<12 {
      let history =
        try CLI.json(["history", "r", "--sample", "\(sample)", "--store", store]) as? [String: Any]
      let epochs = try #require(history?["epochs"] as? [[String: Any]])
      #expect(epochs.count == 4)
      for epoch in epochs {
        if epoch["original"] as? Bool == true {
          sawOriginal = true
          continue
        }
        let transforms = try #require(epoch["transforms"] as? [[String: Any]])
        #expect(transforms.map { $0["type"] as? String } == Self.names)
        let params = transforms.map { $0["params"] as? [String: Any] ?? [:] }
        if params[0]["apply_inversion"] as? Bool == true { sawInversion = true }
        #expect(params[0]["apply_inversion"] is Bool)
        let additions = try #require(params[1]["additions"] as? Double)
        let thresholds = try #require(params[1]["thresholds"] as? Double)
        #expect(additions >= 0 && additions < 25.5 && thresholds >= 0.5 && thresholds < 229.5)
        let shift = try #require(params[2]["shift_factor"] as? Int)
        #expect((2...5).contains(shift))
        let degeneration = try #require(params[3]["factor"] as? Double)
        #expect(abs(degeneration) <= 0.6)
        #expect(params[4].isEmpty && params[5].isEmpty)
        let sharpness = try #require(params[6]["factor"] as? Double)
        #expect(sharpness >= 0.1 && sharpness < 0.9)
        #expect(Set(params[7].keys) == ["rgb_delta", "contrast_factor", "saturation_factor", "hue_factor"])
      }
    }
    #expect(sawInversion && sawOriginal)

    // A replayed tensor is the library applying the recorded parameters to the decoded original.
    let opened = try Store(opening: store)
    let history = try opened.history(run: "r", sample: "4")
    let record = try #require(history.epochs.first { $0.epoch == 2 }?.record)
    let spec = try PipelineSpec(json: Self.spec)
    let original = try ImageDecoder.decode(try Files.read(images + "/" + history.sample.path))
    let applied = try spec.apply(record, to: original)
    let file = try #require(Files.list(folder.appending("replay")).first { $0.hasSuffix("-4.npy") })
    let replayedTensor = try NPY.decode(try Files.read(folder.appending("replay/" + file)))
    guard case .uint8(let pixels) = applied.values else {
      Issue.record("expected uint8 output")
      return
    }
    #expect(replayedTensor.data == pixels)

    // Statistics list the numeric parameters of the colour layers.
    let stats = try CLI.json(["stats", "r", "--store", store]) as? [String: Any]
    let transforms = try #require(stats?["transforms"] as? [[String: Any]])
    #expect(transforms.count == 8)
  }
}
