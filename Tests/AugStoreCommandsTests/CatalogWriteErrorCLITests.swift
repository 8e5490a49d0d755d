import AugStore
import AugStoreCatalog
import AugStoreTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A catalog write the file system refuses fails with one line naming the catalog and the system's
/// error (not only SQLite's "disk I/O error"), exit code 1, and leaves the catalog as it was.
@Suite struct CatalogWriteErrorCLITests {
  /// A store at `root` with a synthetic 20,000-sample dataset (no image files: recording only needs
  /// the images' sizes) and a run "r": one recorded epoch is about 600 KB of records.
  static func makeStore(at root: String) throws {
    let store = try Store.initialize(at: root).store
    let object = StoredObject(
      hash: String(repeating: "cd", count: 32), size: 1000, width: 64, height: 64, channels: 3,
      createdAt: "2025-01-01T00:00:00Z")
    let samples = (0..<20_000).map { index in
      NewSample(path: "img\(index).png", objectHash: object.hash, label: "c\(index % 10)")
    }
    _ = try store.catalog.commitVersion(
      NewVersion(
        datasetName: "synthetic", message: nil, contentDigest: "synthetic", objects: [object],
        samples: samples))
    let spec =
      #"{"transforms": [{"type": "RandomFlip", "mode": "horizontal"}, {"type": "RandomRotation", "factor": 0.1}, "#
      + #"{"type": "RandomCrop", "height": 48, "width": 48}]}"#
    _ = try store.addPipeline(named: "aug", specJSON: Array(spec.utf8), source: "aug.json")
    _ = try store.createRun(
      named: "r", dataset: DatasetReference(parsing: "synthetic"),
      pipeline: PipelineReference(parsing: "aug"),
      seed: 3, shuffle: true)
    try #require(store.catalog as? Catalog).checkpoint()
  }

  /// Runs `augstore arguments…` through `sh` with a file size limit of `kilobytes` (SIGXFSZ ignored,
  /// so a write past the limit fails with EFBIG instead of killing the process).
  static func runLimited(kilobytes: Int, _ arguments: [String]) throws -> CLI.Outcome {
    let script = #"ulimit -f "$1"; shift; trap '' XFSZ; exec "$@""#
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script, "sh", "\(kilobytes)", CLI.executable] + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return CLI.finish((process, out, err))
  }

  /// Runs a system tool (`mount`, `umount`) to completion.
  static func runTool(_ path: String, _ arguments: [String]) throws -> CLI.Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return CLI.finish((process, out, err))
  }

  /// The catalog's content, its integrity check and the run's recorded epochs, read after a failure.
  static func check(_ store: String) throws -> (dump: [String], integrity: [String], epochs: [Int]) {
    let catalog = try Store(opening: store).catalog
    let run = try catalog.run(named: "r")
    return (
      try CatalogDump.dump(store + "/catalog.sqlite"), try catalog.integrityCheck(),
      try catalog.recordedEpochs(run: run).map(\.epoch)
    )
  }

  @Test func aFileSizeLimitIsReportedAsFileTooLarge() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    try Self.makeStore(at: store)
    let before = try CatalogDump.dump(store + "/catalog.sqlite")

    let failed = try Self.runLimited(kilobytes: 256, ["record", "r", "--epochs", "0", "--store", store])
    #expect(failed.status == 1)
    let lines = failed.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(failed.stderr)")
    #expect(failed.stderr.contains(store + "/catalog.sqlite"), "\(failed.stderr)")
    #expect(failed.stderr.contains("File too large"), "\(failed.stderr)")

    let after = try Self.check(store)
    #expect(after.integrity == ["ok"])
    #expect(after.epochs.isEmpty)
    #expect(after.dump == before)
    // Without the limit the same command records the epoch.
    #expect(try CLI.run(["record", "r", "--epochs", "0", "--store", store]).status == 0)
    #expect(try Self.check(store).epochs == [0])
  }

  /// Whether this process may mount a tmpfs (it runs as root).
  static var canMount: Bool { geteuid() == 0 }

  @Test(.enabled(if: canMount)) func aFullFileSystemIsReportedAsNoSpaceLeft() throws {
    let folder = try TemporaryDirectory()
    let mountPoint = folder.appending("fs")
    try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
    let mounted = try Self.runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=48m", "tmpfs", mountPoint])
    try #require(mounted.status == 0, "\(mounted.stderr)")
    defer { _ = try? Self.runTool("/bin/umount", [mountPoint]) }

    let store = mountPoint + "/store"
    try Self.makeStore(at: store)
    let before = try CatalogDump.dump(store + "/catalog.sqlite")
    // Fill the file system, then give back 64 KB: room to open the catalog, not to record an epoch.
    let filler = mountPoint + "/filler"
    let fd = open(filler, O_WRONLY | O_CREAT, 0o644)
    try #require(fd >= 0)
    let chunk = [UInt8](repeating: 0, count: 64 * 1024)
    var written = 0
    while true {
      let result = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if result <= 0 { break }
      written += result
    }
    #expect(ftruncate(fd, off_t(max(written - 64 * 1024, 0))) == 0)
    close(fd)

    let failed = try CLI.run(["record", "r", "--epochs", "0", "--store", store])
    #expect(failed.status == 1)
    #expect(failed.stderr.split(separator: "\n").count == 1, "\(failed.stderr)")
    #expect(failed.stderr.contains(store + "/catalog.sqlite"), "\(failed.stderr)")
    #expect(failed.stderr.contains("No space left on device"), "\(failed.stderr)")

    try FileManager.default.removeItem(atPath: filler)
    let after = try Self.check(store)
    #expect(after.integrity == ["ok"])
    #expect(after.epochs.isEmpty)
    #expect(after.dump == before)
    #expect(try CLI.run(["record", "r", "--epochs", "0", "--store", store]).status == 0)
    #expect(try Self.check(store).epochs == [0])
  }
}
