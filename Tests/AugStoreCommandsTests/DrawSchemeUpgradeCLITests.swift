import AugStore
import AugStoreTestSupport
import Foundation
import Testing

/// A store whose run was created under draw scheme 1 (Tests/Fixtures/store-v7-scheme1, written by
/// Tools/fixtures/make_draw_scheme_fixture.sh) keeps that scheme: its tensors replay bit for bit and its
/// later epochs draw what scheme 1 drew, while a new run over the same dataset and pipeline draws as
/// Keras does (RandomCrop takes the centre when an image side equals the crop side).
@Suite struct DrawSchemeUpgradeCLITests {
  static let fixture = Files.repositoryRoot + "/Tests/Fixtures/store-v7-scheme1"
  /// The centre crop's x of the fixture's 8-row images (8 × 12, 8 × 15, 8 × 9; crop 8 × 8).
  static let centreX = ["wide/000.png": 2, "wide/001.png": 3, "wide/002.png": 0]

  static func rows(_ json: Any?) throws -> [[String: Any]] {
    try #require((json as? [String: Any])?["rows"] as? [[String: Any]])
  }

  static func records(run: String, store: String) throws -> [[String: Any]] {
    try rows(
      CLI.json([
        "sql",
        "SELECT epoch, position, path, original, params_json, digest FROM augmentation_records "
          + "WHERE run = '\(run)' ORDER BY epoch, position",
        "--store", store,
      ]))
  }

  static func key(_ row: [String: Any]) -> String {
    "\(row["epoch"] as? Int ?? -1) \(row["path"] as? String ?? "")"
  }

  @Test func anOldRunKeepsSchemeOneAndANewRunDrawsAsKeras() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    try FileManager.default.copyItem(atPath: Self.fixture, toPath: store)
    let expected = try Self.rows(
      JSONSerialization.jsonObject(with: Data(try Files.read(Self.fixture + ".expected.json"))))
    #expect(expected.count == 18)

    let old = try CLI.json(["run", "show", "r", "--store", store]) as? [String: Any]
    #expect(old?["draw_scheme"] as? Int == 1)
    // Epochs 0-1 replay bit for bit from the originals (the cache is cleared first).
    #expect(try CLI.run(["cache", "clear", "--store", store]).status == 0)
    let replay = try CLI.run([
      "replay", "r", "--epoch", "1", "--all", "--out", folder.appending("replay"), "--store", store,
    ])
    #expect(replay.status == 0, "\(replay.stderr)")

    // Epoch 2, recorded now, holds exactly what scheme 1 drew for it.
    let record = try CLI.run(["record", "r", "--epochs", "2", "--store", store])
    #expect(record.status == 0, "\(record.stderr)")
    let now = try Self.records(run: "r", store: store)
    #expect(now.count == 18)
    for (want, got) in zip(expected, now) {
      #expect(Self.key(want) == Self.key(got))
      #expect(want["position"] as? Int == got["position"] as? Int)
      #expect(want["params_json"] as? String == got["params_json"] as? String, "\(Self.key(want))")
    }
    // Scheme 1 drew offsets along the wide images' free side.
    let oldWideX = Set(
      now.filter { ($0["path"] as? String)?.hasPrefix("wide/") == true }.compactMap {
        ($0["params_json"] as? String).flatMap(Self.cropX)
      })
    #expect(oldWideX.count > 1)

    // A new run: scheme 2. Same seed and pipeline, so every draw but the wide images' crop is the same.
    let create = try CLI.run([
      "run", "create", "r2", "--dataset", "shapes@v1", "--pipeline", "aug", "--seed", "7", "--store", store,
    ])
    #expect(create.status == 0, "\(create.stderr)")
    let new = try CLI.json(["run", "show", "r2", "--store", store]) as? [String: Any]
    #expect(new?["draw_scheme"] as? Int == 2)
    #expect(try CLI.run(["materialize", "r2", "--epochs", "0-2", "--store", store]).status == 0)
    let drawn = try Self.records(run: "r2", store: store)
    #expect(drawn.count == 18)
    for (before, after) in zip(now, drawn) {
      #expect(Self.key(before) == Self.key(after))
      let path = after["path"] as? String ?? ""
      let params = after["params_json"] as? String ?? ""
      if let centre = Self.centreX[path] {
        #expect(Self.cropX(params) == centre, "\(path): \(params)")
        #expect(params.contains(#"{"x":\#(centre),"y":0}"#))
      } else {
        #expect(params == before["params_json"] as? String, "\(path)")
      }
    }
    #expect(try CLI.run(["verify", "--store", store]).status == 0)
  }

  /// The crop's x in a record's JSON (`{"x":2,"y":0}` is its first parameter).
  static func cropX(_ json: String) -> Int? {
    guard let range = json.range(of: #"{"x":"#) else { return nil }
    return Int(json[range.upperBound...].prefix { $0.isNumber })
  }
}
