import AugStore
import AugStoreTestSupport
import Foundation
import Testing

/// A store whose runs were rendered with kernel version 1 (Tests/Fixtures/store-v8-kernels1, written by
/// Tools/fixtures/make_kernel_version_fixture.sh with the binary before kernel versions existed: Gaussian
/// taps normalised by a left-to-right sum) keeps that arithmetic: every tensor of its RandomGaussianBlur
/// and RandomElasticTransform runs rebuilds from the originals to the digest that binary recorded, while
/// new runs over the same pipelines and seed render with version 2 (TensorFlow's reduce_sum order) and
/// differ from them exactly where the two sums round differently.
@Suite struct KernelVersionUpgradeCLITests {
  static let fixture = Files.repositoryRoot + "/Tests/Fixtures/store-v8-kernels1"

  static func rows(_ json: Any?) throws -> [[String: Any]] {
    try #require((json as? [String: Any])?["rows"] as? [[String: Any]])
  }

  /// Every record of `run`, keyed by "epoch path".
  static func records(run: String, store: String) throws -> [String: (params: String, digest: String)] {
    let rows = try rows(
      CLI.json([
        "sql",
        "SELECT epoch, path, params_json, digest FROM augmentation_records WHERE run = '\(run)'",
        "--store", store,
      ]))
    var records: [String: (params: String, digest: String)] = [:]
    for row in rows {
      let key = "\(row["epoch"] as? Int ?? -1) \(row["path"] as? String ?? "")"
      records[key] = (row["params_json"] as? String ?? "", row["digest"] as? String ?? "")
    }
    return records
  }

  @Test func oldRunsKeepVersionOneAndNewRunsRenderAsTensorFlow() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    try FileManager.default.copyItem(atPath: Self.fixture, toPath: store)
    let expected = try Self.rows(
      JSONSerialization.jsonObject(with: Data(try Files.read(Self.fixture + ".expected.json"))))
    #expect(expected.count == 48)

    var differing = 0
    for run in ["blur", "elastic"] {
      let old = try CLI.json(["run", "show", run, "--store", store]) as? [String: Any]
      #expect(old?["kernels"] as? Int == 1, "\(run)")
      // The fixture holds no cache: every tensor is rebuilt from its original and checked against the
      // digest the old binary recorded.
      for epoch in 0...3 {
        let replay = try CLI.run([
          "replay", run, "--epoch", "\(epoch)", "--all", "--out", folder.appending("\(run)-\(epoch)"),
          "--store", store,
        ])
        #expect(replay.status == 0, "\(run) epoch \(epoch): \(replay.stderr)")
      }
      let recorded = try Self.records(run: run, store: store)
      let fromFixture = expected.filter { $0["run"] as? String == run }
      #expect(recorded.count == 24 && fromFixture.count == 24)
      for row in fromFixture {
        let key = "\(row["epoch"] as? Int ?? -1) \(row["path"] as? String ?? "")"
        #expect(recorded[key]?.digest == row["digest"] as? String, "\(run) \(key)")
      }

      // A new run with the same pipeline and seed draws the same parameters and renders with version 2.
      let create = try CLI.run([
        "run", "create", "\(run)-new", "--dataset", "shapes@v1", "--pipeline", run, "--seed", "11",
        "--store", store,
      ])
      #expect(create.status == 0, "\(create.stderr)")
      let new = try CLI.json(["run", "show", "\(run)-new", "--store", store]) as? [String: Any]
      #expect(new?["kernels"] as? Int == 2)
      let materialize = try CLI.run(["materialize", "\(run)-new", "--epochs", "0-3", "--store", store])
      #expect(materialize.status == 0, "\(materialize.stderr)")
      let drawn = try Self.records(run: "\(run)-new", store: store)
      #expect(drawn.count == 24)
      var runDiffering = 0
      for (key, record) in recorded {
        #expect(drawn[key]?.params == record.params, "\(run) \(key)")
        if drawn[key]?.digest != record.digest { runDiffering += 1 }
      }
      // Both layers have samples whose pixels the sum order changes (and most it does not).
      #expect(runDiffering >= 1 && runDiffering <= 4, "\(run): \(runDiffering) of 24 differ")
      differing += runDiffering
    }
    #expect(differing >= 2)
    #expect(try CLI.run(["verify", "--store", store]).status == 0)
  }
}
