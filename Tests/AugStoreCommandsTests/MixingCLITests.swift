import AugStore
import AugStoreImaging
import AugStoreTestSupport
import Foundation
import Testing

/// MixUp and CutMix through the real binary: runs need a batch size, every sample is mixed with a
/// partner from its own global batch, replay renders both and checks the digest, labels are soft.
@Suite struct MixingCLITests {
  static let batchSize = 8

  static func spec(_ layer: String) -> String {
    #"{"transforms": [{"type": "RandomFlip", "mode": "horizontal"}, {"type": "RandomCrop", "height": 8, "width": 10}, "#
      + layer + "]}"
  }

  static func rows(_ sql: String, store: String) throws -> [[String: Any]] {
    let result = try CLI.json(["sql", sql, "--store", store]) as? [String: Any]
    return try #require(result?["rows"] as? [[String: Any]])
  }

  /// A store with 3 classes × 7 images (12 × 10) and the given pipeline as `p`.
  static func store(layer: String, in folder: TemporaryDirectory) throws -> String {
    let store = folder.appending("store")
    try ImageFolder.make(at: folder.appending("images"), classes: 3, perClass: 7)
    #expect(try CLI.run(["init", store]).status == 0)
    #expect(
      try CLI.run(["dataset", "add", "d", "--from", folder.appending("images"), "--store", store]).status == 0
    )
    try Files.write(Array(spec(layer).utf8), to: folder.appending("p.json"))
    let add = try CLI.run(["pipeline", "add", "p", "--spec", folder.appending("p.json"), "--store", store])
    #expect(add.status == 0, "\(add.stderr)")
    return store
  }

  @Test("a batch-level pipeline needs a batch size, and images of one size at the layer")
  func runsNeedABatchSize() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.store(layer: #"{"type": "MixUp"}"#, in: folder)
    let refused = try CLI.run([
      "run", "create", "r", "--dataset", "d", "--pipeline", "p", "--seed", "1", "--store", store,
    ])
    #expect(refused.status == 1)
    #expect(
      refused.stderr
        == "augstore: error: pipeline p has MixUp, a batch-level layer that mixes samples of a batch: give the run a batch size (--batch-size B)\n"
    )
    // A second version whose images reach MixUp at two sizes (no crop here).
    try Files.write(Array(#"{"transforms": [{"type": "MixUp"}]}"#.utf8), to: folder.appending("plain.json"))
    #expect(
      try CLI.run(["pipeline", "add", "plain", "--spec", folder.appending("plain.json"), "--store", store])
        .status == 0)
    try Files.write(
      try ImageFolder.png(seed: 99, width: 14, height: 10), to: folder.appending("images/class0/wide.png"))
    #expect(
      try CLI.run(["dataset", "add", "d", "--from", folder.appending("images"), "--store", store]).status == 0
    )
    let uneven = try CLI.run([
      "run", "create", "r", "--dataset", "d@v2", "--pipeline", "plain", "--seed", "1", "--batch-size", "4",
      "--store", store,
    ])
    #expect(uneven.status == 1)
    #expect(uneven.stderr.contains("MixUp mixes images of one size"), "\(uneven.stderr)")
    #expect(uneven.stderr.contains("class0/wide.png") && uneven.stderr.contains("10x14"), "\(uneven.stderr)")
    #expect(try Self.rows("SELECT count(*) AS n FROM runs", store: store).first?["n"] as? Int == 0)
  }

  /// After a run's first epoch has filled the decoded-original tier, later epochs read both the
  /// sample's and the partner's pixels from it: with every original file gone, they still render,
  /// and their digests equal those of a store that still has its originals.
  @Test(arguments: [#"{"type": "MixUp", "alpha": 0.5}"#, #"{"type": "CutMix"}"#])
  func partnersComeFromTheDecodedTierAfterTheFirstEpoch(layer: String) throws {
    var digests: [[String]] = []
    for removeOriginals in [true, false] {
      let folder = try TemporaryDirectory()
      let store = try Self.store(layer: layer, in: folder)
      let create = try CLI.run([
        "run", "create", "r", "--dataset", "d", "--pipeline", "p", "--seed", "5", "--batch-size",
        "\(Self.batchSize)", "--store", store,
      ])
      #expect(create.status == 0, "\(create.stderr)")
      #expect(try CLI.run(["materialize", "r", "--epochs", "0", "--store", store]).status == 0)
      if removeOriginals {
        let objects = folder.appending("store/objects")
        for entry in try FileManager.default.contentsOfDirectory(atPath: objects) {
          try FileManager.default.removeItem(atPath: objects + "/" + entry)
        }
      }
      let later = try CLI.run(["materialize", "r", "--epochs", "1", "--store", store])
      #expect(later.status == 0, "\(later.stderr)")
      let rows = try Self.rows(
        "SELECT digest FROM augmentation_records WHERE run = 'r' AND epoch = 1 ORDER BY sample", store: store)
      digests.append(rows.map { $0["digest"] as? String ?? "" })
    }
    #expect(digests[0].count == 21)
    #expect(!digests[0].contains(""))
    #expect(digests[0] == digests[1])
  }

  @Test(arguments: [#"{"type": "MixUp", "alpha": 0.5}"#, #"{"type": "CutMix"}"#])
  func partnersComeFromTheBatchAndReplayIsExact(layer: String) throws {
    let folder = try TemporaryDirectory()
    let store = try Self.store(layer: layer, in: folder)
    let create = try CLI.run([
      "run", "create", "r", "--dataset", "d", "--pipeline", "p", "--seed", "11", "--batch-size",
      "\(Self.batchSize)", "--store", store,
    ])
    #expect(create.status == 0, "\(create.stderr)")
    let shown = try CLI.json(["run", "show", "r", "--store", store]) as? [String: Any]
    #expect(shown?["batch_size"] as? Int == Self.batchSize)
    #expect(try CLI.run(["materialize", "r", "--epochs", "0-1", "--store", store]).status == 0)

    // Every sample's partner sits in the same global batch of the recorded order.
    let records = try Self.rows(
      "SELECT a.epoch, a.sample, a.position, a.label, json_extract(p.params_json, '$.partner') AS partner, "
        + "json_extract(p.params_json, '$.mix_weight') AS weight FROM augmentation_records a "
        + "JOIN augmentation_params p ON p.run = a.run AND p.epoch = a.epoch AND p.sample = a.sample "
        + "AND p.transform_index = 2 WHERE a.run = 'r' ORDER BY a.epoch, a.position",
      store: store)
    #expect(records.count == 42)
    var positions: [String: Int] = [:]
    for row in records {
      positions["\(row["epoch"] as? Int ?? -1) \(row["sample"] as? Int ?? -1)"] = row["position"] as? Int
    }
    var mixedWithOthers = 0
    for row in records {
      let partner = try #require(row["partner"] as? Int)
      let epoch = row["epoch"] as? Int ?? -1
      let position = try #require(row["position"] as? Int)
      let partnerPosition = try #require(positions["\(epoch) \(partner)"])
      #expect(position / Self.batchSize == partnerPosition / Self.batchSize)
      if partner != row["sample"] as? Int { mixedWithOthers += 1 }
      let weight = try #require(row["weight"] as? Double)
      #expect(weight >= 0 && weight <= 1)
    }
    #expect(mixedWithOthers > 20)

    // Replay from the originals (cache cleared): partners are rendered again, digests match.
    #expect(try CLI.run(["cache", "clear", "--store", store]).status == 0)
    let replay = try CLI.run([
      "replay", "r", "--epoch", "1", "--all", "--out", folder.appending("all"), "--store", store,
    ])
    #expect(replay.status == 0, "\(replay.stderr)")
    #expect(try CLI.run(["verify", "--store", store]).status == 0)

    // Soft labels: weight on the own class, 1 - weight on the partner's.
    let out = folder.appending("batch")
    let batch = try CLI.run([
      "replay", "r", "--epoch", "1", "--batch", "1", "--batch-size", "\(Self.batchSize)", "--out", out,
      "--store", store,
    ])
    #expect(batch.status == 0, "\(batch.stderr)")
    let labels = try NPY.decode(try Files.read(out + "/labels.npy"))
    #expect(labels.shape == [Self.batchSize, 3])
    let values = try #require(labels.float32Values)
    let classes = ["class0", "class1", "class2"]
    for (row, record) in records.filter({ $0["epoch"] as? Int == 1 }).dropFirst(Self.batchSize).prefix(
      Self.batchSize
    )
    .enumerated() {
      let partner = try #require(record["partner"] as? Int)
      let weight = Float(try #require(record["weight"] as? Double))
      var expected = [Float](repeating: 0, count: 3)
      let own = try #require(classes.firstIndex(of: record["label"] as? String ?? ""))
      let other = try #require(records.first { $0["sample"] as? Int == partner }?["label"] as? String)
      expected[own] += weight
      expected[try #require(classes.firstIndex(of: other))] += 1 - weight
      for c in 0..<3 { #expect(abs(values[row * 3 + c] - expected[c]) < 1e-6, "row \(row)") }
    }

    // history names the partner by path.
    let history = try CLI.run(["history", "r", "--sample", "0", "--store", store])
    #expect(history.stdout.contains("(mixed with class"), "\(history.stdout)")
  }
}
