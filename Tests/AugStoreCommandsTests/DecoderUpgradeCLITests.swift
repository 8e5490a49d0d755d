import AugStore
import AugStoreTestSupport
import Foundation
import Testing

/// A store written before runs recorded their decoder (schema 5, Tests/Fixtures/store-v5) holds
/// PNGs with a gAMA chunk that libpng's simplified API converted towards sRGB. Its run keeps that
/// decoding and replays bit for bit; a new run over the same files decodes the samples as stored.
@Suite struct DecoderUpgradeCLITests {
  static let fixture = Files.repositoryRoot + "/Tests/Fixtures/store-v5"

  static func records() throws -> [[String: Any]] {
    let expected =
      try JSONSerialization.jsonObject(with: Data(try Files.read(fixture + ".expected.json")))
      as? [String: Any]
    #expect(expected?["schema"] as? Int == 5)
    return try #require(expected?["records"] as? [[String: Any]])
  }

  static func digests(run: String, store: String) throws -> [String: String] {
    let rows =
      try CLI.json([
        "sql", "SELECT epoch, path, digest FROM augmentation_records WHERE run = '\(run)'", "--store", store,
      ]) as? [String: Any]
    let found = try #require(rows?["rows"] as? [[String: Any]])
    var digests: [String: String] = [:]
    for row in found {
      digests["\(row["epoch"] as? Int ?? -1) \(row["path"] as? String ?? "")"] = row["digest"] as? String
    }
    return digests
  }

  @Test func anOldRunKeepsItsDecodingAndANewRunDecodesTheStoredSamples() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store-v5")
    try FileManager.default.copyItem(atPath: Self.fixture, toPath: store)
    let records = try Self.records()
    #expect(records.count == 8)

    let old = try CLI.json(["run", "show", "r", "--store", store]) as? [String: Any]
    #expect(old?["decoder"] as? Int == 1)
    for epoch in 0..<2 {
      let out = folder.appending("replay-\(epoch)")
      let replay = try CLI.run([
        "replay", "r", "--epoch", "\(epoch)", "--all", "--out", out, "--store", store,
      ])
      #expect(replay.status == 0, "\(replay.stderr)")
      for want in records where want["epoch"] as? Int == epoch {
        let name = "\(want["position"] as? Int ?? -1)-\(want["sample"] as? Int ?? -1).npy"
        let digest = TensorCache.digest(try Files.read(out + "/" + name))
        #expect(digest.map { String(format: "%02x", $0) }.joined() == want["digest"] as? String)
      }
    }
    // Remove the cache: the old run's tensors are rebuilt from the originals with its own decoder.
    #expect(try CLI.run(["cache", "clear", "--store", store]).status == 0)
    let rebuilt = try CLI.run([
      "replay", "r", "--epoch", "1", "--all", "--out", folder.appending("again"), "--store", store,
    ])
    #expect(rebuilt.status == 0, "\(rebuilt.stderr)")

    // Same dataset, pipeline and seed: the same draws. Only the decoder differs, so exactly the
    // files with a gAMA chunk give other tensors.
    let create = try CLI.run([
      "run", "create", "r2", "--dataset", "gamma@v1", "--pipeline", "aug", "--seed", "7", "--store", store,
    ])
    #expect(create.status == 0, "\(create.stderr)")
    let new = try CLI.json(["run", "show", "r2", "--store", store]) as? [String: Any]
    #expect(new?["decoder"] as? Int == 2)
    #expect(try CLI.run(["materialize", "r2", "--epochs", "0-1", "--store", store]).status == 0)
    let before = try Self.digests(run: "r", store: store)
    let after = try Self.digests(run: "r2", store: store)
    #expect(before.count == 8 && after.count == 8)
    for (key, digest) in before {
      if key.hasSuffix("gamma.png") {
        #expect(after[key] != digest, "\(key)")
      } else {
        #expect(after[key] == digest, "\(key)")
      }
    }
    #expect(try CLI.run(["verify", "--store", store]).status == 0)
  }
}
