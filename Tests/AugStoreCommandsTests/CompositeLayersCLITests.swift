import AugStore
import AugStoreCatalog
import AugStoreImaging
import AugStoreTestSupport
import AugStoreTransforms
import Foundation
import Testing

/// RandAugment end to end through the real binary: pipeline add, run create, record, materialize, replay
/// from the records after clearing the cache, verify; history shows the chosen operations, stats counts
/// them, and sql reaches them through the record JSON.
@Suite struct CompositeLayersCLITests {
  static let spec = """
    {"transforms": [
      {"type": "RandAugment"},
      {"type": "RandAugment", "num_ops": 3, "factor": [0.1, 0.9], "interpolation": "nearest"},
      {"type": "RandomFlip", "mode": "horizontal"}
    ], "original_probability": 0.1}
    """

  @Test func randAugmentRecordsMaterializesReplaysAndShowsItsChoices() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    let images = folder.appending("images")
    try ImageFolder.make(at: images, classes: 2, perClass: 6, width: 21, height: 17)
    try Files.write(Array(Self.spec.utf8), to: folder.appending("composite.json"))
    for arguments in [
      ["init", store], ["dataset", "add", "d", "--from", images, "--store", store],
      ["pipeline", "add", "composite", "--spec", folder.appending("composite.json"), "--store", store],
      ["run", "create", "r", "--dataset", "d", "--pipeline", "composite", "--seed", "5", "--store", store],
      ["record", "r", "--epochs", "0-3", "--store", store],
      ["materialize", "r", "--epochs", "0-3", "--jobs", "2", "--store", store],
      ["cache", "clear", "--store", store],
    ] {
      let outcome = try CLI.run(arguments)
      #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
    }
    let replayed =
      try CLI.json([
        "replay", "r", "--epoch", "1", "--all", "--out", folder.appending("replay"), "--store", store,
      ]) as? [String: Any]
    #expect(replayed?["computed"] as? Int == 12)
    let verified = try CLI.run(["verify", "--store", store])
    #expect(verified.status == 0, "\(verified.stderr)")

    // History prints each RandAugment's chosen operations with their own parameters.
    let names = Set(TransformSpec.randAugmentOperationNames)
    var seen: Set<String> = []
    for sample in 0..<12 {
      let text = try CLI.run(["history", "r", "--sample", "\(sample)", "--store", store])
      #expect(text.status == 0)
      for line in text.stdout.split(separator: "\n").dropFirst() where !line.contains("original") {
        #expect(line.contains("RandAugment(ops=["), "\(line)")
      }
      let history =
        try CLI.json(["history", "r", "--sample", "\(sample)", "--store", store]) as? [String: Any]
      for epoch in try #require(history?["epochs"] as? [[String: Any]])
      where epoch["original"] as? Bool != true {
        let transforms = try #require(epoch["transforms"] as? [[String: Any]])
        #expect(transforms.map { $0["type"] as? String } == ["RandAugment", "RandAugment", "RandomFlip"])
        for (index, count) in [(0, 2), (1, 3)] {
          let ops = try #require((transforms[index]["params"] as? [String: Any])?["ops"] as? String)
          #expect(ops.hasPrefix("[") && ops.hasSuffix("]"))
          let chosen = ops.dropFirst().dropLast().split(separator: ", ").map {
            String($0.split(separator: " ").first ?? "")
          }
          #expect(chosen.count == count, "\(ops)")
          #expect(chosen.allSatisfy { names.contains($0) }, "\(ops)")
          seen.formUnion(chosen)
        }
      }
    }
    #expect(seen.count >= 8)

    // sql reaches every chosen operation through the record JSON; stats counts the same choices.
    let rows =
      try CLI.json([
        "sql",
        """
        SELECT json_extract(op.value, '$.op') AS name, count(*) AS n
        FROM augmentation_params AS p, json_each(p.params_json, '$.ops') AS op
        WHERE p.run = 'r' AND p.transform_index = 0 GROUP BY name ORDER BY name
        """,
        "--store", store,
      ]) as? [String: Any]
    var fromSQL: [String: Int] = [:]
    for row in try #require(rows?["rows"] as? [[String: Any]]) {
      fromSQL[try #require(row["name"] as? String)] = try #require(row["n"] as? Int)
    }
    #expect(fromSQL.values.reduce(0, +) > 0 && fromSQL.values.reduce(0, +) % 2 == 0)
    let stats = try CLI.json(["stats", "r", "--store", store]) as? [String: Any]
    let transforms = try #require(stats?["transforms"] as? [[String: Any]])
    let parameters = try #require(transforms.first?["parameters"] as? [[String: Any]])
    var fromStats: [String: Int] = [:]
    for parameter in parameters {
      let name = try #require(parameter["name"] as? String)
      // Each parameter's mean × count is how often the operation was chosen (once or twice a record).
      let count = try #require(parameter["count"] as? Int)
      let mean = try #require(parameter["mean"] as? Double)
      fromStats[name] = Int((mean * Double(count)).rounded())
    }
    #expect(fromStats == fromSQL)

    // A replayed tensor is the library applying the recorded parameters to the decoded original.
    let opened = try Store(opening: store)
    let history = try opened.history(run: "r", sample: "3")
    let record = try #require(history.epochs.first { $0.epoch == 1 }?.record)
    let spec = try PipelineSpec(json: Self.spec)
    let original = try ImageDecoder.decode(try Files.read(images + "/" + history.sample.path))
    let applied = try spec.apply(record, to: original)
    let file = try #require(Files.list(folder.appending("replay")).first { $0.hasSuffix("-3.npy") })
    let replayedTensor = try NPY.decode(try Files.read(folder.appending("replay/" + file)))
    #expect(applied.values == .uint8(replayedTensor.data))
  }

  static let augMixSpec = """
    {"transforms": [
      {"type": "AugMix", "num_chains": 2, "chain_depth": 2, "factor": 0.5},
      {"type": "RandomFlip", "mode": "horizontal"}
    ]}
    """

  @Test func augMixRecordsMaterializesReplaysAndShowsItsChains() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    let images = folder.appending("images")
    try ImageFolder.make(at: images, classes: 2, perClass: 5, width: 19, height: 15)
    try Files.write(Array(Self.augMixSpec.utf8), to: folder.appending("augmix.json"))
    for arguments in [
      ["init", store], ["dataset", "add", "d", "--from", images, "--store", store],
      ["pipeline", "add", "augmix", "--spec", folder.appending("augmix.json"), "--store", store],
      ["run", "create", "r", "--dataset", "d", "--pipeline", "augmix", "--seed", "8", "--store", store],
      ["record", "r", "--epochs", "0-2", "--store", store],
      ["materialize", "r", "--epochs", "0-2", "--store", store],
      ["cache", "clear", "--store", store],
    ] {
      let outcome = try CLI.run(arguments)
      #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
    }
    let replayed =
      try CLI.json([
        "replay", "r", "--epoch", "2", "--all", "--out", folder.appending("replay"), "--store", store,
      ]) as? [String: Any]
    #expect(replayed?["computed"] as? Int == 10)
    let verified = try CLI.run(["verify", "--store", store])
    #expect(verified.status == 0, "\(verified.stderr)")

    // History prints the input weight, the chain weights and each chain's operations.
    let names = Set(TransformSpec.augMixOperationNames)
    var operations = 0
    for sample in 0..<10 {
      let text = try CLI.run(["history", "r", "--sample", "\(sample)", "--store", store])
      #expect(text.status == 0)
      for line in text.stdout.split(separator: "\n").dropFirst() {
        #expect(line.contains("AugMix(weight_sample="), "\(line)")
      }
      let history =
        try CLI.json(["history", "r", "--sample", "\(sample)", "--store", store]) as? [String: Any]
      for epoch in try #require(history?["epochs"] as? [[String: Any]]) {
        let transforms = try #require(epoch["transforms"] as? [[String: Any]])
        let params = try #require(transforms.first?["params"] as? [String: Any])
        let weight = try #require(params["weight_sample"] as? Double)
        #expect(weight >= 0 && weight <= 1)
        let chains = try #require(params["chains"] as? String)
        #expect(chains.hasPrefix("[[") && chains.hasSuffix("]]"), "\(chains)")
        for name in names where chains.contains(name) { operations += 1 }
      }
    }
    #expect(operations > 5)

    // sql reaches the chains through the record JSON; stats reports the input weight.
    let rows =
      try CLI.json([
        "sql",
        """
        SELECT count(*) AS n FROM augmentation_params AS p, json_each(p.params_json, '$.chains') AS chain
        WHERE p.run = 'r' AND p.transform_index = 0
        """,
        "--store", store,
      ]) as? [String: Any]
    let chainRows = try #require((rows?["rows"] as? [[String: Any]])?.first?["n"] as? Int)
    #expect(chainRows == 2 * 10 * 3)
    let stats = try CLI.json(["stats", "r", "--store", store]) as? [String: Any]
    let transforms = try #require(stats?["transforms"] as? [[String: Any]])
    let parameters = try #require(transforms.first?["parameters"] as? [[String: Any]])
    let weight = try #require(parameters.first { $0["name"] as? String == "weight_sample" })
    #expect(weight["count"] as? Int == 30)

    // A replayed tensor is the library applying the recorded parameters to the decoded original.
    let opened = try Store(opening: store)
    let history = try opened.history(run: "r", sample: "4")
    let record = try #require(history.epochs.first { $0.epoch == 2 }?.record)
    let spec = try PipelineSpec(json: Self.augMixSpec)
    let original = try ImageDecoder.decode(try Files.read(images + "/" + history.sample.path))
    let applied = try spec.apply(record, to: original)
    let file = try #require(Files.list(folder.appending("replay")).first { $0.hasSuffix("-4.npy") })
    let replayedTensor = try NPY.decode(try Files.read(folder.appending("replay/" + file)))
    #expect(applied.values == .uint8(replayedTensor.data))
    #expect(applied.values != .uint8(original.pixels))
  }
}
