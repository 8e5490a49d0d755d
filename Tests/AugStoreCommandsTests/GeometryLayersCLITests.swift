import AugStore
import AugStoreTestSupport
import Foundation
import Testing

/// RandomShear, RandomGaussianBlur, RandomPerspective and RandomElasticTransform through the real binary: pipeline add, run
/// create, record, materialize, replay, verify and history.
@Suite struct GeometryLayersCLITests {
  static let spec = """
    {"transforms": [
      {"type": "RandomShear", "x_factor": 0.3, "y_factor": [0.05, 0.2], "fill_mode": "constant", "fill_value": 20},
      {"type": "RandomGaussianBlur", "factor": [0.5, 1.0], "kernel_size": 5, "sigma": [0.2, 0.9]},
      {"type": "RandomPerspective", "factor": 0.9, "scale": 0.4, "interpolation": "nearest", "fill_value": 7},
      {"type": "RandomElasticTransform", "factor": [0.6, 1.0], "scale": 0.5, "fill_mode": "wrap"},
      {"type": "RandomCrop", "height": 20, "width": 22}]}
    """

  @Test func everyCommandHandlesTheLayers() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    let images = folder.appending("images")
    try ImageFolder.make(at: images, classes: 2, perClass: 6, width: 32, height: 24)
    try Files.write(Array(Self.spec.utf8), to: folder.appending("geometry.json"))
    for arguments in [
      ["init", store], ["dataset", "add", "d", "--from", images, "--store", store],
      ["pipeline", "add", "geometry", "--spec", folder.appending("geometry.json"), "--store", store],
      ["run", "create", "g", "--dataset", "d", "--pipeline", "geometry", "--seed", "3", "--store", store],
    ] {
      let outcome = try CLI.run(arguments)
      #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
    }
    let recorded = try CLI.json(["record", "g", "--epochs", "0-3", "--store", store]) as? [String: Any]
    #expect(recorded?["records"] as? Int == 48)
    let materialized =
      try CLI.json(["materialize", "g", "--epochs", "0-1", "--jobs", "2", "--store", store]) as? [String: Any]
    #expect((materialized?["epochs"] as? [[String: Any]])?.map { $0["computed"] as? Int } == [12, 12])
    let opened = try Store(opening: store)
    let digests = try opened.catalog.tensorDigests(run: try opened.catalog.run(named: "g"), epoch: 1)
    #expect(try CLI.run(["cache", "clear", "--store", store]).status == 0)
    let out = folder.appending("replay")
    let replayed =
      try CLI.json(["replay", "g", "--epoch", "1", "--all", "--out", out, "--store", store]) as? [String: Any]
    #expect(replayed?["computed"] as? Int == 12)
    let files = Files.list(out).filter { $0.hasSuffix(".npy") }
    #expect(files.count == 12)
    for file in files {
      let sample = Int(file.split(separator: "-")[1].split(separator: ".")[0]) ?? -1
      #expect(TensorCache.digest(try Files.read(out + "/" + file)) == digests[sample])
    }
    #expect(try CLI.run(["verify", "--store", store]).status == 0)

    let history = try CLI.json(["history", "g", "--sample", "2", "--store", store]) as? [String: Any]
    let epochs = try #require(history?["epochs"] as? [[String: Any]])
    #expect(epochs.count == 4)
    for epoch in epochs {
      let transforms = try #require(epoch["transforms"] as? [[String: Any]])
      #expect(
        transforms.map { $0["type"] as? String }
          == [
            "RandomShear", "RandomGaussianBlur", "RandomPerspective", "RandomElasticTransform", "RandomCrop",
          ])
      let shear = try #require(transforms[0]["params"] as? [String: Any])
      let x = try #require(shear["shear_x"] as? Double)
      let y = try #require(shear["shear_y"] as? Double)
      #expect(abs(x) <= 0.3 + 1e-6 && abs(y) >= 0.05 - 1e-6 && abs(y) <= 0.2 + 1e-6)
      let blur = try #require(transforms[1]["params"] as? [String: Any])
      #expect(blur["should_apply_blur"] is Bool)
      #expect((blur["blur_factor_x"] as? Double).map { $0 >= 0.2 && $0 <= 0.9 + 1e-5 } == true)
      let warp = try #require(transforms[2]["params"] as? [String: Any])
      #expect(warp["apply_perspective"] is Bool)
      #expect(warp["end_x0"] as? Double == 0 && warp["end_y3"] is Double)
      let elastic = try #require(transforms[3]["params"] as? [String: Any])
      #expect(elastic["apply_transform"] is Bool)
      #expect((elastic["distortion_factor"] as? Double).map { $0 >= 0 && $0 <= 0.5 } == true)
      #expect((elastic["noise_seed"] as? String)?.count == 16)
    }
    let stats = try CLI.run(["stats", "g", "--store", store])
    #expect(
      stats.status == 0 && stats.stdout.contains("shear_x") && stats.stdout.contains("blur_factor_y")
        && stats.stdout.contains("distortion_factor"))
  }
}
