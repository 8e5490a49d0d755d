import AugStoreTestSupport
import Foundation
import Testing

@Suite struct DemoCLITests {
  @Test func demoRunsTheMainJobAndCanRunAgain() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("demo")
    let first = try CLI.run(["demo", "--store", store])
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("every one equal to its recorded digest"))
    #expect(first.stdout.contains("sound"))
    #expect(FileManager.default.fileExists(atPath: store + "/demo-preview.png"))
    let history = try CLI.json(["history", "demo", "--sample", "3", "--store", store]) as? [String: Any]
    #expect((history?["epochs"] as? [Any])?.count == 3)
    // Everything the demo wrote into the cache is indexed (the preview's renderings included).
    let verify = try CLI.run(["verify", "--store", store])
    #expect(verify.status == 0 && verify.stdout.contains("store is sound"), "\(verify.stdout)")
    #expect(!verify.stdout.contains("unindexed"), "\(verify.stdout)")
    let again = try CLI.run(["demo", "--store", store])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("unchanged"))
  }
}
