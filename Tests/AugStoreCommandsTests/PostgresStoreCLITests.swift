import AugStore
import AugStoreTestSupport
import Foundation
import Testing

/// Stores whose catalog is a PostgreSQL database (`init --catalog postgresql://…`), through the real
/// binary against a real PostgreSQL server (``PostgresTestServer``): every command answers exactly
/// as it does on a SQLite store built from the same images.
@Suite struct PostgresStoreCLITests {
  /// Runs `arguments` with `environment`; fails the test with the command's stderr unless it exits 0.
  @discardableResult
  static func succeed(_ arguments: [String], _ environment: [String: String]) throws -> CLI.Outcome {
    let outcome = try CLI.run(arguments, environment: environment)
    guard outcome.status == 0 else { throw CLIFailure(arguments: arguments, outcome: outcome) }
    return outcome
  }

  /// Adds the images in `folder` as dataset `d`, the materialize tests' pipeline and run `r`.
  static func populate(store: String, folder: TemporaryDirectory, environment: [String: String]) throws {
    let images = folder.appending("images")
    if !FileManager.default.fileExists(atPath: images) {
      try ImageFolder.make(at: images, classes: 3, perClass: 12, width: 32, height: 24)
      try Files.write(Array(MaterializeCLITests.spec.utf8), to: folder.appending("aug.json"))
    }
    for arguments in [
      ["dataset", "add", "d", "--from", images, "--message", "first", "--store", store],
      ["dataset", "tag", "d@v1", "gold", "--store", store],
      ["pipeline", "add", "aug", "--spec", folder.appending("aug.json"), "--store", store],
      ["run", "create", "r", "--dataset", "d", "--pipeline", "aug", "--seed", "11", "--store", store],
    ] {
      try succeed(arguments, environment)
    }
  }

  /// The commands whose answers are compared between the engines (`{store}` is the store's path).
  static let queries: [[String]] = [
    ["record", "r", "--epochs", "0-2", "--json"],
    ["materialize", "r", "--epochs", "0-1", "--json"],
    ["history", "r", "--sample", "5", "--json"],
    ["history", "r", "--sample", "35"],
    ["stats", "r", "--json"],
    ["dataset", "list", "--json"],
    ["dataset", "show", "d", "--json"],
    ["dataset", "show", "d@gold"],
    ["pipeline", "list"],
    ["run", "show", "r", "--json"],
    ["run", "list"],
    ["cache", "stats", "--json"],
    ["replay", "r", "--epoch", "1", "--sample", "7", "--out", "{folder}/replay", "--json"],
    ["cache", "gc", "--max-size", "0", "--json"],  // all: which entries share a last-use second depends on timing
    ["materialize", "r", "--epochs", "1", "--json"],
    ["verify", "--json"],
  ]

  /// `text` with the store's own paths and catalog names replaced, so that two stores' answers can
  /// be compared.
  static func normalized(_ text: String, store: String, folder: String, catalog: String) -> String {
    text.replacingOccurrences(of: catalog, with: "CATALOG")
      .replacingOccurrences(of: store, with: "STORE")
      .replacingOccurrences(of: folder, with: "FOLDER")
      .replacingOccurrences(
        of: #""(seconds|records_per_second)"\s*:\s*[0-9.e+-]+"#, with: #""$1": 0"#,
        options: .regularExpression
      )
      .replacingOccurrences(of: #"20[0-9]{2}-[0-9-]+T[0-9:.]+Z"#, with: "TIME", options: .regularExpression)
  }

  @Test func everyCommandAnswersAsOnSQLite() throws {
    let database = try ScratchDatabase()
    let env = database.environment
    let shared = try TemporaryDirectory()
    var answers: [[String]] = []
    for engine in CatalogEngine.allCases {
      let folder = try TemporaryDirectory()
      let store = folder.appending("store")
      if engine == .postgresql {
        let created = try Self.succeed(["init", store, "--catalog", database.url], env)
        #expect(created.stdout.contains(database.url))
        #expect(FileManager.default.fileExists(atPath: store + "/catalog.json"))
        #expect(!FileManager.default.fileExists(atPath: store + "/catalog.sqlite"))
        let again = try Self.succeed(["init", store, "--catalog", database.url], env)
        #expect(again.stdout.contains("already exists"))
      } else {
        try Self.succeed(["init", store], env)
      }
      try Self.populate(store: store, folder: shared, environment: env)
      var outputs: [String] = []
      for query in Self.queries {
        let arguments =
          query.map { $0.replacingOccurrences(of: "{folder}", with: folder.path) } + ["--store", store]
        let outcome = try Self.succeed(arguments, env)
        let catalog = engine == .postgresql ? database.url : store + "/catalog.sqlite"
        outputs.append(Self.normalized(outcome.stdout, store: store, folder: folder.path, catalog: catalog))
      }
      answers.append(outputs)
    }
    for (index, query) in Self.queries.enumerated() {
      #expect(answers[0][index] == answers[1][index], "\(query.joined(separator: " "))")
    }
    // The records, digests and samples really are in PostgreSQL.
    #expect(try database.count("record_blocks") >= 3)
    #expect(try database.count("samples") == 36)
    #expect(try database.count("tensors") == 72)
  }

  @Test func overridingTheURLPerHostAndBadConfigurations() throws {
    let database = try ScratchDatabase()
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    try Self.succeed(["init", store, "--catalog", database.url], database.environment)
    try Self.populate(store: store, folder: folder, environment: database.environment)
    // AUGSTORE_CATALOG replaces the file's URL: pointed at a database that does not exist, the
    // command fails naming that URL.
    let elsewhere = database.url.replacingOccurrences(of: database.name, with: "no_such_db")
    var environment = database.environment
    environment["AUGSTORE_CATALOG"] = elsewhere
    let overridden = try CLI.run(["run", "list", "--store", store], environment: environment)
    #expect(overridden.status == 1)
    #expect(overridden.stderr.contains(elsewhere))
    #expect(overridden.stderr.split(separator: "\n").count == 1)
    environment["AUGSTORE_CATALOG"] = database.url
    #expect(try CLI.run(["run", "list", "--store", store], environment: environment).stdout.contains("r"))
    // A malformed catalog.json is named.
    try Files.write(Array("{\"catalog\": 3}".utf8), to: store + "/catalog.json")
    let broken = try CLI.run(["run", "list", "--store", store], environment: database.environment)
    #expect(broken.status == 1)
    #expect(broken.stderr.hasPrefix("augstore: error: \(store)/catalog.json:"), "\(broken.stderr)")
  }

  @Test(arguments: ["wrong password", "missing database", "unreachable server", "password in URL"])
  func initFailuresNameTheURLAndLeaveNothing(_ failure: String) throws {
    let database = try ScratchDatabase()
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    var url = database.url
    var environment = database.environment
    switch failure {
    case "wrong password":
      environment = ["PGPASSWORD": "not-the-password", "PGPASSFILE": "/nonexistent"]
    case "missing database":
      url = url.replacingOccurrences(of: database.name, with: "no_such_db")
    case "unreachable server":
      url = "postgresql://augstore@127.0.0.1:1/augstore"
    default:
      url = url.replacingOccurrences(of: "augstore@", with: "augstore:secret@")
    }
    let outcome = try CLI.run(["init", store, "--catalog", url], environment: environment)
    #expect(outcome.status == 1)
    #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
    #expect(!outcome.stderr.contains("secret"))
    #expect(outcome.stderr.contains(failure == "password in URL" ? "postgresql://" : url))
    #expect(!FileManager.default.fileExists(atPath: store))
    #expect(try database.count("pg_tables WHERE schemaname = 'public'") == 0)
  }
}
