import AugStoreImaging
import AugStoreTestSupport
import AugStoreTransforms
import Foundation
import Testing

/// `augstore serve` through the real binary: pages and their JSON twins, read-only crawling, bad
/// paths, tokens, malformed requests, and the pages in headless Chromium.
@Suite struct ServeCLITests {
  static let spec = """
    {"transforms": [{"type": "RandomFlip", "mode": "horizontal"}, {"type": "RandomRotation", "factor": 0.1},
      {"type": "RandomCrop", "height": 20, "width": 28}, {"type": "RandomContrast", "factor": 0.2}]}
    """

  /// A store with dataset `d` (v1: 2 classes × 6 images; v2: one added, one removed, one changed),
  /// pipeline `aug`, run `r` on d@v1 with epochs 0-2 recorded and epoch 0 materialized.
  static func makeStore(in folder: TemporaryDirectory) throws -> String {
    let store = folder.appending("store")
    let images = folder.appending("images")
    try ImageFolder.make(at: images, classes: 2, perClass: 6, width: 32, height: 24)
    try Files.write(Array(spec.utf8), to: folder.appending("aug.json"))
    let steps: [[String]] = [
      ["init", store], ["dataset", "add", "d", "--from", images, "--store", store],
      ["pipeline", "add", "aug", "--spec", folder.appending("aug.json"), "--store", store],
      ["run", "create", "r", "--dataset", "d@v1", "--pipeline", "aug", "--seed", "11", "--store", store],
      ["record", "r", "--epochs", "0-2", "--store", store],
      ["materialize", "r", "--epochs", "0", "--store", store],
    ]
    for arguments in steps { try run(arguments) }
    try Files.write(
      try ImageFolder.png(seed: 777, width: 32, height: 24), to: images + "/class0/img00099.png")
    try FileManager.default.removeItem(atPath: images + "/class1/img00005.png")
    try Files.write(
      try ImageFolder.png(seed: 778, width: 32, height: 24), to: images + "/class1/img00000.png")
    try run(["dataset", "add", "d", "--from", images, "--store", store])
    return store
  }

  static func run(_ arguments: [String]) throws {
    let outcome = try CLI.run(arguments)
    guard outcome.status == 0 else { throw CLIFailure(arguments: arguments, outcome: outcome) }
  }

  /// A running `augstore serve` on a free port.
  final class Server {
    let process: Process
    let output: Pipe
    let errors: Pipe
    let port: Int
    let url: String

    init(store: String, extra: [String] = []) throws {
      (process, output, errors, _) = try {
        let (process, output, errors) = try CLI.start(["serve", "--store", store, "--port", "0"] + extra)
        return (process, output, errors, 0)
      }()
      var line: [UInt8] = []
      let deadline = Date.now.addingTimeInterval(30)
      while !line.contains(10), Date.now < deadline, process.isRunning {
        line += output.fileHandleForReading.availableData
      }
      let text = String(decoding: line, as: UTF8.self)
      guard let range = text.range(of: #"http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression) else {
        process.terminate()
        let stderr = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
        throw ServeTestFailure(description: "augstore serve printed \(text) \(stderr)")
      }
      url = String(text[range])
      port = Int(url.dropFirst("http://127.0.0.1:".count).dropLast()) ?? 0
    }

    /// Sends SIGINT and returns the exit status.
    func stop() -> Int32 {
      process.interrupt()
      process.waitUntilExit()
      return process.terminationStatus
    }

    deinit {
      if process.isRunning {
        process.terminate()
        process.waitUntilExit()
      }
    }
  }

  static func json(_ answer: RawHTTP.Answer) throws -> NSObject {
    try #require(answer.status == 200, "\(answer.status): \(answer.text)")
    return try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? NSObject)
  }

  static func cliJSON(_ arguments: [String]) throws -> NSObject {
    try #require(try CLI.json(arguments) as? NSObject)
  }

  @Test func everyPageHasAJSONTwinShapedLikeTheCLIs() throws {
    let folder = try TemporaryDirectory("serve")
    let store = try Self.makeStore(in: folder)
    let server = try Server(store: store)
    let port = server.port
    let pairs: [(String, [String])] = [
      ("/api/datasets", ["dataset", "list"]),
      ("/api/datasets/d/v1", ["dataset", "show", "d@v1", "--samples"]),
      ("/api/datasets/d/diff?from=1&to=2", ["dataset", "diff", "d@v1", "d@v2"]),
      ("/api/runs", ["run", "list"]),
      ("/api/runs/r/samples/3", ["history", "r", "--sample", "3"]),
      ("/api/runs/r/stats", ["stats", "r"]),
    ]
    for (target, arguments) in pairs {
      let served = try Self.json(try RawHTTP.request(port: port, target))
      #expect(served == (try Self.cliJSON(arguments + ["--store", store])), "\(target)")
    }
    let runPage = try #require(
      try Self.json(try RawHTTP.request(port: port, "/api/runs/r")) as? [String: Any])
    let runShow = try #require(try CLI.json(["run", "show", "r", "--store", store]) as? [String: Any])
    for (key, value) in runShow { #expect((runPage[key] as? NSObject) == (value as? NSObject), "\(key)") }
    let epochs = try #require(runPage["epochs"] as? [[String: Any]])
    #expect(epochs.map { $0["epoch"] as? Int } == [0, 1, 2])
    #expect(epochs.map { $0["materialized"] as? Int } == [12, 0, 0])

    let grid = try #require(
      try Self.json(try RawHTTP.request(port: port, "/api/runs/r/samples?epoch=1&label=class1"))
        as? [String: Any])
    let cells = try #require(grid["samples"] as? [[String: Any]])
    #expect(cells.count == 6)
    #expect(cells.allSatisfy { $0["label"] as? String == "class1" })
    let positions = cells.compactMap { $0["position"] as? Int }
    #expect(positions == positions.sorted())
    let stats = try #require(try CLI.json(["stats", "r", "--store", store]) as? [String: Any])
    let never = try #require(
      try Self.json(try RawHTTP.request(port: port, "/api/runs/r/samples?epoch=2&never_original=1&limit=256"))
        as? [String: Any])
    #expect(never["total"] as? Int == stats["never_original"] as? Int)
    #expect(
      (never["samples"] as? [[String: Any]])?.allSatisfy { $0["never_original"] as? Bool == true } == true)

    // A thumbnail is a real PNG no larger than asked for; the timeline's original is the original.
    let thumbnail = try RawHTTP.request(port: port, "/img/runs/r/epochs/0/3.png?size=16")
    #expect(thumbnail.status == 200)
    #expect(thumbnail.headers["content-type"] == "image/png")
    let image = try PNGDecoder.decode(thumbnail.body)
    #expect(max(image.height, image.width) == 16)
    let original = try PNGDecoder.decode(
      try RawHTTP.request(port: port, "/img/runs/r/original/0.png?size=64").body)
    #expect(original.width == 32 && original.height == 24)
    #expect(server.stop() == 0)
  }

  @Test func crawlingEveryPageChangesNothingInTheStore() throws {
    let folder = try TemporaryDirectory("serve")
    let store = try Self.makeStore(in: folder)
    let catalog = try Files.read(store + "/catalog.sqlite")
    let beforeStart = Files.list(store)
    let server = try Server(store: store)
    // SQLite's shared-memory index and (empty) log appear beside a WAL catalog for any reader.
    let transient = Set(["catalog.sqlite-shm", "catalog.sqlite-wal"])
    let files = Files.list(store)
    #expect(Set(files).subtracting(beforeStart).isSubset(of: transient))
    var queue = ["/", "/api"]
    var seen = Set(queue)
    var fetched = 0
    while let target = queue.popLast(), fetched < 400 {
      let answer = try RawHTTP.request(port: server.port, target)
      fetched += 1
      #expect(answer.status == 200, "\(target): \(answer.text)")
      guard answer.headers["content-type"]?.hasPrefix("text/html") == true else { continue }
      for match in answer.text.matches(of: /(?:href|src)="(\/[^"]*)"/) {
        let link = String(match.1).replacingOccurrences(of: "&amp;", with: "&")
        if seen.insert(link).inserted { queue.append(link) }
      }
    }
    #expect(fetched > 60)
    #expect(seen.contains { $0.hasPrefix("/runs/r/stats") })
    #expect(seen.contains { $0.hasPrefix("/img/runs/r/epochs/") })
    #expect(Files.list(store) == files)
    #expect(try Files.read(store + "/catalog.sqlite") == catalog)
    #expect(server.stop() == 0)
    #expect(try Files.read(store + "/catalog.sqlite") == catalog)
    #expect(Files.list(store).filter { !transient.contains($0) } == beforeStart)
  }

  static let escapes = [
    "/runs/../../etc/passwd", "/runs/%2e%2e/%2e%2e/etc/passwd", "/runs/%2E%2E", "/runs/r%2f..%2f..",
    "/datasets/%00", "/runs/r%00/stats", "/img/runs/r/epochs/0/..%2f..%2fcatalog.sqlite",
    "/img/runs/r/epochs/0/%2fetc%2fpasswd", "/datasets/..%5c..%5c", "/runs/%zz", "/runs/r/samples?epoch=%",
    "/runs/r/samples?epoch=-1", "/runs/r/samples?epoch=1e3", "/img/runs/r/epochs/0/1.png?size=100000",
    "/runs/%252e%252e", "/api/runs/r/samples/x", "/runs/r/samples?never_original=maybe", "/runs/%c0%ae%c0%ae",
    "/img/datasets/d/v1/%2e%2e%2fcatalog.sqlite", "/img/datasets/..%2f..%2f/v1/0.png", "//etc/passwd",
    "/api/datasets/d/diff?from=1&to=..%2f2",
  ]

  @Test func pathsThatTryToLeaveTheStoreAreRefusedWithOneLine() throws {
    let folder = try TemporaryDirectory("serve")
    let store = try Self.makeStore(in: folder)
    let server = try Server(store: store)
    for target in Self.escapes {
      let answer = try RawHTTP.request(port: server.port, target)
      #expect((400..<500).contains(answer.status), "\(target): \(answer.status)")
      #expect(answer.text.split(separator: "\n").count == 1, "\(target): \(answer.text)")
      #expect(!answer.text.contains("root:") && !answer.text.contains("SQLite"), "\(target)")
    }
    #expect(server.stop() == 0)
  }

  @Test func aMissingRunSampleOrEpochIsA404NamingIt() throws {
    let folder = try TemporaryDirectory("serve")
    let store = try Self.makeStore(in: folder)
    let server = try Server(store: store)
    let cases: [(String, String)] = [
      ("/runs/nope", "nope"), ("/api/runs/nope/stats", "nope"), ("/runs/r/samples/999", "999"),
      ("/runs/r/samples?epoch=7", "epoch 7"), ("/img/runs/r/epochs/7/0.png", "epoch 7"),
      ("/img/runs/r/epochs/0/999.png", "999"), ("/datasets/zzz", "zzz"), ("/datasets/d/v9", "9"),
      ("/nowhere", "/nowhere"),
    ]
    for (target, named) in cases {
      let answer = try RawHTTP.request(port: server.port, target)
      #expect(answer.status == 404, "\(target): \(answer.status) \(answer.text)")
      #expect(answer.text.contains(named), "\(target): \(answer.text)")
    }
    let post = try RawHTTP.request(port: server.port, "/runs", method: "POST")
    #expect(post.status == 405)
    #expect(server.stop() == 0)
  }

  @Test func aTokenIsCheckedOnEveryRequestAndRequiredOffLoopback() throws {
    let folder = try TemporaryDirectory("serve")
    let store = try Self.makeStore(in: folder)
    let refused = try CLI.run(["serve", "--store", store, "--host", "0.0.0.0", "--port", "0"])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("--token"))
    #expect(refused.stderr.split(separator: "\n").count == 1)

    let server = try Server(store: store, extra: ["--token", "s3cret"])
    let port = server.port
    #expect(try RawHTTP.request(port: port, "/runs").status == 401)
    #expect(try RawHTTP.request(port: port, "/runs?token=wrong").status == 401)
    #expect(try RawHTTP.request(port: port, "/img/runs/r/epochs/0/0.png").status == 401)
    #expect(
      try RawHTTP.request(port: port, "/runs", headers: ["Authorization": "Bearer s3cre"]).status == 401)
    #expect(
      try RawHTTP.request(port: port, "/runs", headers: ["Authorization": "Bearer s3cret"]).status == 200)
    let viaQuery = try RawHTTP.request(port: port, "/runs?token=s3cret")
    #expect(viaQuery.status == 200)
    let cookie = try #require(viaQuery.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
    #expect(try RawHTTP.request(port: port, "/runs/r", headers: ["Cookie": cookie]).status == 200)
    // SIGTERM stops it as cleanly as Ctrl-C.
    server.process.terminate()
    server.process.waitUntilExit()
    #expect(server.process.terminationReason == .exit)
    #expect(server.process.terminationStatus == 0)
  }

  @Test func thousandsOfMalformedRequestsLeaveTheServerAnswering() throws {
    let folder = try TemporaryDirectory("serve")
    let store = try Self.makeStore(in: folder)
    let server = try Server(store: store)
    var counter: UInt64 = 0
    var pool: [UInt64] = []
    func next() -> UInt64 {
      if pool.isEmpty {
        let block = Philox4x64.block(key: SIMD2(0x5E_12E, 15), counter: SIMD4(counter, 0, 0, 0))
        counter += 1
        pool = [block[0], block[1], block[2], block[3]]
      }
      return pool.removeLast()
    }
    func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
    let methods = ["GET", "POST", "PUT", "DELETE", "BREW", "G\u{1}T", "", "OPTIONS", "HEAD", "TRACE"]
    let paths = [
      "/runs/r", "/img/runs/r/epochs/0/1.png", "/api/runs/r/samples", "/datasets/d", "/%", "/%%2", "/?a=%zz",
    ]
    var answered = 0
    for round in 0..<2400 {
      let kind = Int(next() % 6)
      var request: [UInt8]
      switch kind {
      case 0: request = bytes(Int(next() % 512))
      case 1:
        request = Array(
          "\(methods[Int(next() % UInt64(methods.count))]) \(paths[Int(next() % UInt64(paths.count))]) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            .utf8)
      case 2:
        request =
          Array("GET /runs/r HTTP/1.1\r\nHost: x\r\nX-Big: ".utf8)
          + Array(repeating: UInt8(ascii: "a"), count: Int(next() % 200_000))
          + Array("\r\nConnection: close\r\n\r\n".utf8)
      case 3:
        let junk = bytes(Int(next() % 40)).map { "%" + String($0, radix: 16) }.joined()
        request = Array(
          "GET /runs/r/samples?epoch=\(junk)&label=\(junk) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            .utf8)
      case 4:
        let value = ["-1", "99999999999999999999", "0x10", "nan", "", "1;DROP", "%00", "\u{7f}"][
          Int(next() % 8)]
        request = Array(
          "GET /runs/r/samples?epoch=\(value)&offset=\(value)&limit=\(value) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            .utf8)
      default:
        request =
          Array("GET /".utf8) + bytes(Int(next() % 64))
          + Array(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
      }
      let reply = (try? RawHTTP.exchange(port: server.port, bytes: request, timeout: 5)) ?? []
      if !reply.isEmpty { answered += 1 }
      if round % 400 == 0 {
        #expect(try RawHTTP.request(port: server.port, "/runs/r").status == 200, "round \(round)")
      }
    }
    #expect(answered > 1000)
    #expect(server.process.isRunning)
    #expect(try RawHTTP.request(port: server.port, "/api/runs/r/samples/2").status == 200)
    #expect(server.stop() == 0)
  }

  /// Headless Chromium's DOM of `url` after its images loaded.
  static func dom(_ url: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try chromium())
    process.arguments = chromiumFlags + ["--dump-dom", url]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  static let chromiumFlags = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--virtual-time-budget=5000",
  ]

  static func chromium() throws -> String {
    for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
    where FileManager.default.isExecutableFile(atPath: path) {
      return path
    }
    Issue.record("chromium is not installed (Tools/install-deps installs it)")
    throw ServeTestFailure(description: "chromium is not installed")
  }

  @Test func thePagesShowTheirContentInAHeadlessBrowser() throws {
    // The demo's store: drawn shapes (readable pictures), two dataset versions, run `demo` with
    // epochs 0-2 materialized.
    let folder = try TemporaryDirectory("serve")
    let store = folder.appending("demo")
    try Self.run(["demo", "--store", store])
    let server = try Server(store: store)
    let base = "http://127.0.0.1:\(server.port)"
    let pages: [(String, [String])] = [
      ("/", ["id=\"datasets\"", "id=\"runs\""]),
      ("/datasets/shapes/v1", ["id=\"labels\"", "discs"]),
      (
        "/datasets/shapes/diff?from=1&to=2",
        ["id=\"added\"", "id=\"changed\"", "3 added, 0 removed, 3 changed"]
      ),
      ("/runs/demo", ["RandomRotation", "id=\"epochs\"", "24 of 24"]),
      ("/runs/demo/samples?epoch=2", ["id=\"samples\"", "pos 23"]),
      ("/runs/demo/samples?epoch=1&never_original=1&label=discs", ["id=\"count\""]),
      ("/runs/demo/samples/3", ["RandomFlip(flips=", "RandomRotation(angle=", "position ", "digest"]),
      ("/runs/demo/stats", ["<svg", "class=\"bar\"", "RandomRotation.angle"]),
    ]
    for (path, expected) in pages {
      let dom = try Self.dom(base + path)
      for text in expected { #expect(dom.contains(text), "\(path) lacks \(text)") }
      let images = dom.matches(of: /<img [^>]*>/).map { String($0.0) }
      if path != "/" && path != "/runs/demo" && path != "/runs/demo/stats" {
        #expect(!images.isEmpty, "\(path) has no thumbnails")
      }
      let unloaded = images.filter { !$0.contains("data-loaded=\"1\"") }
      #expect(unloaded.isEmpty, "\(path): images that did not load: \(unloaded.prefix(3))")
    }
    let timeline = try Self.dom(base + "/runs/demo/samples/3")
    #expect(timeline.matches(of: /class="card/).count == 4)  // the original and epochs 0-2

    // The screenshot of a sample's timeline, kept under the build folder.
    let outputFolder = Files.repositoryRoot + "/.build/serve-test-output"
    try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)
    let screenshot = outputFolder + "/serve-timeline.png"
    try? FileManager.default.removeItem(atPath: screenshot)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try Self.chromium())
    process.arguments =
      Self.chromiumFlags + [
        "--hide-scrollbars", "--window-size=860,480", "--screenshot=\(screenshot)",
        base + "/runs/demo/samples/3",
      ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    let png = try PNGDecoder.decode(try Files.read(screenshot))
    #expect(png.width == 860)
    print("serve timeline screenshot: \(screenshot)")
    #expect(server.stop() == 0)
  }
}

/// A `serve` test that could not go on.
struct ServeTestFailure: Error, CustomStringConvertible {
  var description: String
}
