import AugStoreTestSupport
import Foundation
import Testing

@Suite struct PipelineRunCLITests {
  let folder: TemporaryDirectory
  let store: String

  init() throws {
    folder = try TemporaryDirectory()
    store = folder.appending("store")
    #expect(try CLI.run(["init", store]).status == 0)
    try ImageFolder.make(at: folder.appending("images"), classes: 2, perClass: 3)
    #expect(
      try CLI.run(["dataset", "add", "toys", "--from", folder.appending("images"), "--store", store]).status
        == 0)
  }

  func spec(_ text: String, name: String = "spec.json") throws -> String {
    let path = folder.appending(name)
    try Files.write(Array(text.utf8), to: path)
    return path
  }

  @Test func specsAreCanonicalAndVersioned() throws {
    let first = try spec(#"{"transforms": [{"type": "RandomFlip", "mode": "horizontal"}]}"#)
    let added =
      try CLI.json(["pipeline", "add", "flip", "--spec", first, "--store", store]) as? [String: Any]
    #expect(added?["version"] as? Int == 1 && added?["created"] as? Bool == true)

    let reordered = try spec(
      #"{ "original_probability": 0, "transforms": [ {"mode": "horizontal", "type": "RandomFlip"} ] }"#,
      name: "b.json")
    let same =
      try CLI.json(["pipeline", "add", "flip", "--spec", reordered, "--store", store]) as? [String: Any]
    #expect(same?["version"] as? Int == 1 && same?["created"] as? Bool == false)
    #expect(same?["fingerprint"] as? String == added?["fingerprint"] as? String)

    let changed = try spec(#"{"transforms": [{"type": "RandomFlip", "mode": "vertical"}]}"#, name: "c.json")
    let second =
      try CLI.json(["pipeline", "add", "flip", "--spec", changed, "--store", store]) as? [String: Any]
    #expect(second?["version"] as? Int == 2)

    let shown = try CLI.json(["pipeline", "show", "flip@v1", "--store", store]) as? [String: Any]
    let transforms = (shown?["spec"] as? [String: Any])?["transforms"] as? [[String: Any]]
    #expect(transforms?.first?["mode"] as? String == "horizontal")
    let latest = try CLI.json(["pipeline", "show", "flip", "--store", store]) as? [String: Any]
    #expect(latest?["version"] as? Int == 2)
  }

  @Test func invalidSpecNamesTheFileTheTransformAndTheField() throws {
    let bad = try spec(#"{"transforms": [{"type": "RandomFlip"}, {"type": "RandomRotation", "factr": 0.1}]}"#)
    let outcome = try CLI.run(["pipeline", "add", "bad", "--spec", bad, "--store", store])
    #expect(outcome.status == 1)
    #expect(
      outcome.stderr
        == "augstore: error: \(bad): transforms[1] (RandomRotation): unknown argument \"factr\"\n")
    let missing = try CLI.run([
      "pipeline", "add", "bad", "--spec", folder.appending("nope.json"), "--store", store,
    ])
    #expect(missing.status == 1 && missing.stderr.contains("nope.json"))
    let list = try CLI.json(["pipeline", "list", "--store", store]) as? [String: Any]
    #expect((list?["pipelines"] as? [Any])?.isEmpty == true)
  }

  @Test func runsAreCheckedAgainstTheDatasetAndImmutable() throws {
    let crop = try spec(#"{"transforms": [{"type": "RandomCrop", "height": 8, "width": 8}]}"#)
    let tooBig = try spec(
      #"{"transforms": [{"type": "RandomCrop", "height": 64, "width": 8}]}"#, name: "big.json")
    #expect(try CLI.run(["pipeline", "add", "crop", "--spec", crop, "--store", store]).status == 0)
    #expect(try CLI.run(["pipeline", "add", "big", "--spec", tooBig, "--store", store]).status == 0)

    let refused = try CLI.run([
      "run", "create", "r0", "--dataset", "toys@v1", "--pipeline", "big", "--seed", "1", "--store", store,
    ])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("class0/img00000.png") && refused.stderr.contains("RandomCrop"))

    let created =
      try CLI.json([
        "run", "create", "r1", "--dataset", "toys@v1", "--pipeline", "crop", "--seed", "18446744073709551615",
        "--no-shuffle", "--store", store,
      ]) as? [String: Any]
    #expect(created?["seed"] as? UInt64 == UInt64.max && created?["shuffle"] as? Bool == false)
    let again = try CLI.run([
      "run", "create", "r1", "--dataset", "toys", "--pipeline", "crop", "--seed", "2", "--store", store,
    ])
    #expect(again.status == 1 && again.stderr.contains("already exists"))
    let shown = try CLI.json(["run", "show", "r1", "--store", store]) as? [String: Any]
    #expect(shown?["dataset"] as? String == "toys@v1" && shown?["pipeline"] as? String == "crop@v1")
    #expect(shown?["samples"] as? Int == 6)
    let listed = try CLI.json(["run", "list", "--store", store]) as? [String: Any]
    #expect((listed?["runs"] as? [[String: Any]])?.map { $0["name"] as? String } == ["r1"])
    #expect(try CLI.run(["run", "show", "ghost", "--store", store]).status == 1)
    #expect(
      try CLI.run([
        "run", "create", "r2", "--dataset", "toys", "--pipeline", "crop", "--seed", "-1", "--store", store,
      ]).status == 2)
  }
}
