import AugStore
import AugStoreTestSupport
import Foundation
import Testing

/// End-to-end tests of `record`, `history`, `stats` and `sql` through the built binary.
@Suite struct RecordCLITests {
  let folder: TemporaryDirectory
  let store: String

  /// A store with 20 images and a RandomFlip run "flip" (made through the library).
  init() throws {
    folder = try TemporaryDirectory()
    store = folder.appending("store")
    let opened = try Store.initialize(at: store).store
    try ImageFolder.make(at: folder.appending("images"), classes: 2, perClass: 10)
    _ = try opened.addDataset(named: "photos", from: folder.appending("images"))
    let spec =
      #"{"transforms": [{"type": "RandomFlip", "mode": "horizontal"}, {"type": "RandomRotation", "factor": 0.1}]}"#
    _ = try opened.addPipeline(named: "aug", specJSON: Array(spec.utf8), source: "aug.json")
    _ = try opened.createRun(
      named: "flip", dataset: DatasetReference(parsing: "photos"),
      pipeline: PipelineReference(parsing: "aug"),
      seed: 5, shuffle: true)
  }

  @Test func recordHistoryStatsAndSQL() throws {
    let recorded =
      try CLI.json(["record", "flip", "--epochs", "0-4,7", "--jobs", "2", "--store", store]) as? [String: Any]
    #expect(recorded?["recorded"] as? [Int] == [0, 1, 2, 3, 4, 7] && recorded?["records"] as? Int == 120)
    let text = try CLI.run(["record", "flip", "--epochs", "0-7", "--store", store])
    #expect(
      text.status == 0 && text.stdout.contains("recorded epochs 5-6") && text.stdout.contains("records/s"))

    let history = try CLI.json(["history", "flip", "--sample", "3", "--store", store]) as? [String: Any]
    #expect(history?["run"] as? String == "flip")
    let sample = history?["sample"] as? [String: Any]
    #expect(sample?["index"] as? Int == 3 && sample?["path"] as? String == "class0/img00003.png")
    #expect(sample?["label"] as? String == "class0")
    let epochs = try #require(history?["epochs"] as? [[String: Any]])
    #expect(epochs.map { $0["epoch"] as? Int } == Array(0...7))
    for epoch in epochs {
      #expect(Set(epoch.keys) == ["epoch", "position", "original", "transforms", "digest"])
      #expect(epoch["digest"] is NSNull && epoch["original"] as? Bool == false)
      let transforms = try #require(epoch["transforms"] as? [[String: Any]])
      #expect(transforms.map { $0["type"] as? String } == ["RandomFlip", "RandomRotation"])
      #expect((transforms[0]["params"] as? [String: Any])?["flips"] is Bool)
      #expect((transforms[1]["params"] as? [String: Any])?["angle"] is Double)
    }
    let byPath =
      try CLI.json(["history", "flip", "--sample", "class0/img00003.png", "--store", store]) as? [String: Any]
    #expect((byPath?["epochs"] as? [Any])?.count == 8)

    let flips =
      try CLI.json([
        "sql",
        "SELECT epoch FROM augmentation_params WHERE run = 'flip' AND sample = 3 AND transform = 'RandomFlip' "
          + "AND json_extract(params_json, '$.flips') ORDER BY epoch", "--store", store,
      ]) as? [String: Any]
    let flippedEpochs = (flips?["rows"] as? [[String: Any]])?.compactMap { $0["epoch"] as? Int }
    let expected = epochs.filter {
      (($0["transforms"] as? [[String: Any]])?.first?["params"] as? [String: Any])?["flips"] as? Bool == true
    }.compactMap { $0["epoch"] as? Int }
    #expect(flippedEpochs == expected)

    let stats = try CLI.json(["stats", "flip", "--store", store]) as? [String: Any]
    #expect(stats?["never_original"] as? Int == 20 && stats?["records"] as? Int == 160)
    let distinct = stats?["distinct_tensors"] as? [String: Any]
    #expect(distinct?["source"] as? String == "parameters" && distinct?["min"] as? Int == 8)
    let oneEpoch = try CLI.json(["stats", "flip", "--epoch", "2", "--store", store]) as? [String: Any]
    #expect(oneEpoch?["epochs"] as? [Int] == [2] && oneEpoch?["records"] as? Int == 20)
    let table = try CLI.run([
      "sql", "SELECT runs.name, epoch FROM epochs JOIN runs ON runs.id = run_id", "--store", store,
    ])
    #expect(table.status == 0 && table.stdout.contains("(8 rows)"))
  }

  @Test func clearErrors() throws {
    let unrecorded = try CLI.run(["history", "flip", "--sample", "1", "--store", store])
    #expect(unrecorded.status == 1 && unrecorded.stderr.contains("augstore record flip --epochs"))
    #expect(try CLI.run(["record", "flip", "--epochs", "0", "--store", store]).status == 0)
    let missing = try CLI.run(["stats", "flip", "--epoch", "3", "--store", store])
    #expect(
      missing.status == 1 && missing.stderr.contains("epoch 3")
        && missing.stderr.contains("augstore record flip --epochs 3"))
    let badEpochs = try CLI.run(["record", "flip", "--epochs", "5-2", "--store", store])
    #expect(badEpochs.status == 2 && badEpochs.stderr.contains("5-2"))
    let noRun = try CLI.run(["record", "nope", "--epochs", "1", "--store", store])
    #expect(noRun.status == 1 && noRun.stderr.contains("nope"))
    let noSample = try CLI.run(["history", "flip", "--sample", "x.png", "--store", store])
    #expect(noSample.status == 1 && noSample.stderr.contains("x.png"))
    for statement in [
      "DELETE FROM runs", "INSERT INTO tensors (digest) VALUES (zeroblob(32))", "DROP TABLE runs",
      "ATTACH 'x' AS y",
    ] {
      let refused = try CLI.run(["sql", statement, "--store", store])
      #expect(refused.status == 1 && refused.stderr.contains("read-only"), "\(statement)")
      #expect(refused.stderr.split(separator: "\n").count == 1)
    }
    let runs = try CLI.json(["sql", "SELECT name FROM runs", "--store", store]) as? [String: Any]
    #expect((runs?["rows"] as? [[String: Any]])?.first?["name"] as? String == "flip")
  }
}
