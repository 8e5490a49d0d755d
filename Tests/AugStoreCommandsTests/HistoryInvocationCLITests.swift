import AugStore
import AugStoreCommands
import AugStoreTestSupport
import Foundation
import Testing

/// The plain spellings of `history` are recognised without ArgumentParser; everything else is left to
/// it. Both routes must print the same bytes and return the same exit codes.
@Suite struct HistoryInvocationCLITests {
  @Test func thePlainSpellingsAreRecognised() throws {
    #expect(
      HistoryInvocation(["history", "r", "--sample", "3"])?.sample == "3")
    let full = try #require(
      HistoryInvocation([
        "history", "--json", "--epochs", "0-2,5", "--sample", "cats/1.png", "r", "--store", "s",
      ]))
    #expect(full.runName == "r")
    #expect(full.sample == "cats/1.png")
    #expect(full.epochs == (try EpochSelection(parsing: "0-2,5")))
    #expect(full.json)
    #expect(full.store == "s")
    #expect(HistoryInvocation(["history", "", "--sample", ""])?.runName == "")
  }

  @Test(arguments: [
    ["stats", "r", "--sample", "3"], ["history"], ["history", "r"], ["history", "--sample", "3"],
    ["history", "r", "--sample", "3", "--help"], ["history", "r", "--sample", "3", "-h"],
    ["history", "r", "--sample", "3", "-help"], ["history", "r", "--sample", "3", "--version"],
    ["history", "r", "--sample=3"], ["history", "r", "--sample", "-3"], ["history", "r", "--sample"],
    ["history", "r", "--sample", "3", "--sample", "4"], ["history", "r", "s", "--sample", "3"],
    ["history", "r", "--sample", "3", "--json", "--json"],
    ["history", "r", "--sample", "3", "--epochs", "x"],
    ["history", "r", "--sample", "3", "--epochs", "1", "--epochs", "2"],
    ["history", "r", "--sample", "3", "--"],
    ["history", "r", "--sample", "3", "--store", "a", "--store", "b"],
    ["--store", "s", "history", "r", "--sample", "3"],
    ["history", "r", "--sample", "3", "--generate-completion-script", "bash"],
    ["history", "r", "--sample", "3", "--experimental-dump-help"],
    ["history", "r", "--sample", "3", "--jobs", "2"],
  ])
  func everythingElseIsLeftToArgumentParser(arguments: [String]) {
    #expect(HistoryInvocation(arguments) == nil)
  }

  /// The same request through both routes (`--store` before the command name, or `--name=value`, is
  /// parsed by ArgumentParser): the same stdout, stderr and exit code.
  @Test func bothRoutesPrintTheSame() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    let images = folder.appending("images")
    try ImageFolder.make(at: images, classes: 2, perClass: 3, width: 24, height: 20)
    try Files.write(Array(GeometryLayersCLITests.spec.utf8), to: folder.appending("p.json"))
    for arguments in [
      ["init", store], ["dataset", "add", "d", "--from", images, "--store", store],
      ["pipeline", "add", "p", "--spec", folder.appending("p.json"), "--store", store],
      ["run", "create", "r", "--dataset", "d", "--pipeline", "p", "--seed", "2", "--store", store],
      ["run", "create", "empty", "--dataset", "d", "--pipeline", "p", "--seed", "2", "--store", store],
      ["record", "r", "--epochs", "0-3", "--store", store],
    ] {
      let outcome = try CLI.run(arguments)
      #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
    }
    let path = try #require(
      try Store(opening: store).catalog.sample(
        in: try Store(opening: store).runDetails(named: "r").version, position: 4)?.path)
    let requests: [[String]] = [
      ["r", "--sample", "1", "--json"], ["r", "--sample", "1"], ["r", "--sample", path, "--json"],
      ["r", "--sample", "0", "--epochs", "1-2", "--json"], ["r", "--sample", "0", "--epochs", "2"],
      ["nope", "--sample", "0"], ["r", "--sample", "99"], ["r", "--sample", "no/such.png", "--json"],
      ["r", "--sample", "0", "--epochs", "7"], ["empty", "--sample", "0", "--json"],
    ]
    for request in requests {
      let fast = try CLI.run(["history"] + request + ["--store", store])
      #expect(HistoryInvocation(["history"] + request + ["--store", store]) != nil)
      let parsed = try CLI.run(["--store", store, "history"] + request)
      #expect(fast.status == parsed.status, "\(request)")
      #expect(fast.stdout == parsed.stdout, "\(request)")
      #expect(fast.stderr == parsed.stderr, "\(request)")
      #expect(fast.status == 0 ? fast.stdout.contains("\"epochs\"") || !request.contains("--json") : true)
      if let epochs = request.firstIndex(of: "--epochs") {
        var spelled = request
        spelled.replaceSubrange(epochs...(epochs + 1), with: ["--epochs=\(request[epochs + 1])"])
        let equals = try CLI.run(["history"] + spelled + ["--store", store])
        #expect(equals.stdout == fast.stdout && equals.stderr == fast.stderr && equals.status == fast.status)
      }
    }
    // The store from the environment.
    let fromEnvironment = try CLI.run(
      ["history", "r", "--sample", "1", "--json"], environment: ["AUGSTORE_STORE": store])
    #expect(fromEnvironment.status == 0)
    #expect(
      fromEnvironment.stdout
        == (try CLI.run(["--store", store, "history", "r", "--sample", "1", "--json"])).stdout)
    // No store at all: the same one-line error and exit code 1 either way.
    let missing = try CLI.run(["history", "r", "--sample", "1", "--store", folder.appending("none")])
    let missingParsed = try CLI.run(["--store", folder.appending("none"), "history", "r", "--sample", "1"])
    #expect(missing.status == 1)
    #expect(missing.stderr == missingParsed.stderr)
  }
}
