// Catalog benchmark: record throughput, bytes per record, history latency (in the process and
// through the CLI, process start included) and the time of `stats` on a synthetic ImageNet-sized
// run (1,281,167 samples of 224×224, no image files). Run through Tools/bench/catalog.
// `--reuse` keeps a store left at `--store` by an earlier run and times only the reads.
// `--catalog postgresql://…` keeps the store's catalog in that (empty) PostgreSQL database.
import AugStore
import AugStoreCatalog
import AugStorePostgres
import AugStoreTransforms
import Foundation

struct Bench {
  let root: String
  let cli: String?
  /// The catalog's server, or `nil` for the store's own SQLite file.
  let catalogURL: CatalogURL?
  let samples: Int
  let firstEpochs: Int
  let allEpochs: Int
  /// Keep a store that already holds the recorded run (only the reads are timed again).
  let reuse: Bool

  static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

  /// CPU seconds (user + system) of this process, or of its finished children.
  /// Runs `arguments` (the executable's path first) with stdout on /dev/null; returns its wait status.
  static func spawnAndWait(_ arguments: [String]) -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status
  }

  static func cpu(children: Bool = false) -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t((children ? RUSAGE_CHILDREN : RUSAGE_SELF).rawValue), &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
  }

  /// CPU seconds of the calling thread (wall time is not the cost on a shared machine).
  static func threadCPU() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }

  func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
  }

  /// One integer from a read-only query.
  func integer(_ store: Store, _ sql: String) -> Int? {
    try? store.catalog.query(readOnlySQL: sql).rows.first.flatMap { row -> Int? in
      if case .integer(let value) = row.first { return Int(value) }
      return nil
    }
  }

  func catalogBytes(_ store: Store) throws -> Int {
    guard let catalog = store.catalog as? Catalog else {
      return integer(store, "SELECT pg_database_size(current_database())") ?? 0
    }
    try catalog.checkpoint()
    return fileSize(catalog.path) + fileSize(catalog.path + "-wal")
  }

  func recordsTableBytes(_ store: Store) -> Int? {
    store.catalog is Catalog
      ? integer(store, "SELECT sum(pgsize) FROM dbstat WHERE name IN ('record_blocks', 'epochs')")
      : integer(store, "SELECT pg_total_relation_size('record_blocks') + pg_total_relation_size('epochs')")
  }

  func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
  }

  func run() throws {
    if reuse,
      FileManager.default.fileExists(atPath: root + "/" + Store.catalogFileName)
        || FileManager.default.fileExists(atPath: root + "/" + StoreCatalogConfiguration.fileName)
    {
      let start = Self.now()
      let store = try Store(opening: root)
      print("reused store \(root) (opened in \(String(format: "%.1f", Self.now() - start)) s)")
      try measureReads(store, rows: [])
      return
    }
    try? FileManager.default.removeItem(atPath: root)
    let store = try Store.initialize(at: root, catalog: catalogURL).store
    let engine = catalogURL == nil ? "SQLite" : "PostgreSQL, COPY"
    let recordGoal = catalogURL == nil ? "≥ 1,000,000 records/s" : "≥ 500,000 records/s"
    var start = Self.now()
    let object = StoredObject(
      hash: String(repeating: "ab", count: 32), size: 150_000, width: 224, height: 224, channels: 3,
      createdAt: "2025-01-01T00:00:00Z")
    let newSamples = (0..<samples).map { index in
      NewSample(
        path: "n\(String(format: "%08d", index % 1000))/img_\(String(format: "%08d", index)).png",
        objectHash: object.hash, label: "n\(index % 1000)")
    }
    _ = try store.catalog.commitVersion(
      NewVersion(
        datasetName: "imagenet", message: nil, contentDigest: "synthetic", objects: [object],
        samples: newSamples))
    let spec = """
      {"transforms": [{"type": "RandomFlip", "mode": "horizontal"}, {"type": "RandomRotation", "factor": 0.1},
      {"type": "RandomZoom", "height_factor": 0.1}, {"type": "RandomCrop", "height": 200, "width": 200},
      {"type": "RandomContrast", "factor": 0.2}]}
      """
    _ = try store.addPipeline(named: "realistic", specJSON: Array(spec.utf8), source: "bench")
    _ = try store.createRun(
      named: "bench", dataset: DatasetReference(parsing: "imagenet@v1"),
      pipeline: PipelineReference(parsing: "realistic"),
      seed: 2024, shuffle: true)
    let baseline = try catalogBytes(store)
    print(
      "setup: \(samples) samples in \(String(format: "%.1f", Self.now() - start)) s, catalog \(baseline / 1_000_000) MB"
    )

    start = Self.now()
    let first = try store.record(run: "bench", epochs: EpochSelection(Array(0..<firstEpochs)))
    let recordSeconds = Self.now() - start
    let rate = Double(first.records) / recordSeconds
    let afterFirst = try catalogBytes(store)
    let perRecord = Double(afterFirst - baseline) / Double(first.records)
    let tableBytes = recordsTableBytes(store)
    print("recorded \(first.records) records in \(String(format: "%.2f", recordSeconds)) s")

    start = Self.now()
    let rest = try store.record(run: "bench", epochs: EpochSelection(Array(firstEpochs..<allEpochs)))
    let restSeconds = Self.now() - start
    let afterAll = try catalogBytes(store)
    let totalRecords = first.records + rest.records
    let perRecordAll = Double(afterAll - baseline) / Double(totalRecords)
    let tableBytesAll = recordsTableBytes(store)

    var rows: [String] = []
    rows.append(
      "| record \(firstEpochs) epochs × \(samples) samples (\(engine)) | \(String(format: "%.2f", recordSeconds)) s, **\(Int(rate)) records/s** | \(recordGoal) |"
    )
    rows.append(
      "| record epochs \(firstEpochs)-\(allEpochs - 1) | \(String(format: "%.2f", restSeconds)) s, \(Int(rest.recordsPerSecond)) records/s | |"
    )
    rows.append(
      "| bytes/record after \(firstEpochs) epochs (\(catalogURL == nil ? "file + WAL" : "database size") growth ÷ records) | **\(String(format: "%.1f", perRecord)) B** | ≤ 40 B |"
    )
    if let tableBytes {
      rows.append(
        "| bytes/record, record_blocks + epochs (\(catalogURL == nil ? "dbstat" : "relation sizes")), \(firstEpochs) epochs | \(String(format: "%.1f", Double(tableBytes) / Double(first.records))) B | |"
      )
    }
    rows.append(
      "| bytes/record after \(allEpochs) epochs (\(totalRecords) records, \(afterAll / 1_000_000) MB) | \(String(format: "%.1f", perRecordAll)) B | ≤ 40 B |"
    )
    if let tableBytesAll {
      rows.append(
        "| bytes/record, record_blocks + epochs (\(catalogURL == nil ? "dbstat" : "relation sizes")), \(allEpochs) epochs | \(String(format: "%.1f", Double(tableBytesAll) / Double(totalRecords))) B | |"
      )
    }
    try measureReads(store, rows: rows)
  }

  /// Times history (library and CLI) and stats on the recorded run, and prints the table.
  func measureReads(_ store: Store, rows: [String]) throws {
    func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }
    let epochCount = try store.catalog.recordedEpochs(run: store.catalog.run(named: "bench")).count
    let sampleCount = try store.runDetails(named: "bench").version.sampleCount
    // PostgreSQL: the reads are timed after the vacuum and the checkpoint the server runs on its own
    // in the minutes after a bulk load of gigabytes (untimed here), not beside them.
    if let postgres = store.catalog as? PostgresCatalog {
      let start = Self.now()
      try postgres.settleAfterBulkLoad(["record_blocks", "epochs", "tensors"])
      let seconds = String(format: "%.1f", Self.now() - start)
      print("VACUUM (ANALYZE) and CHECKPOINT after recording, before the reads (untimed): \(seconds) s")
    }
    // History latency: the library call (run lookup + one point lookup per epoch + decoding) on a
    // warm catalog. 200 samples spread over the run, drawn from Philox (key: a fixed bench seed;
    // counter: the pick).
    let picks = (0..<200).map { pick in
      let word = Philox4x64.block(
        key: SIMD2(0x6361_7461_6C6F_6700, 1), counter: SIMD4(UInt64(pick), 0, 0, 0))[0]
      return Int(word % UInt64(sampleCount))
    }
    _ = try store.history(run: "bench", sample: "\(picks[0])")
    var library: [Double] = []
    var libraryCPU: [Double] = []
    for pick in picks {
      let t0 = Self.now()
      let c0 = Self.threadCPU()
      let history = try store.history(run: "bench", sample: "\(pick)")
      libraryCPU.append((Self.threadCPU() - c0) * 1000)
      library.append((Self.now() - t0) * 1000)
      precondition(history.epochs.count == epochCount)
    }
    // A fresh store handle each time: opening the catalog (read-only, as `history` does) + the call.
    var cold: [Double] = []
    for pick in picks.prefix(50) {
      let t0 = Self.now()
      let fresh = try Store(opening: root, readOnly: true)
      _ = try fresh.history(run: "bench", sample: "\(pick)")
      cold.append((Self.now() - t0) * 1000)
    }
    // The CLI: process start to exit, stdout discarded. Started with posix_spawn and reaped with
    // waitpid: Foundation's `Process.waitUntilExit` polls every 50 ms, which rounded every figure up.
    var cliTimes: [Double] = []
    var cliCPU: [Double] = []
    if let cli {
      for pick in picks.prefix(100) {
        let arguments = [cli, "history", "bench", "--sample", "\(pick)", "--json", "--store", root]
        let c0 = Self.cpu(children: true)
        let t0 = Self.now()
        let status = Self.spawnAndWait(arguments)
        cliTimes.append((Self.now() - t0) * 1000)
        cliCPU.append((Self.cpu(children: true) - c0) * 1000)
        precondition(status == 0, "\(arguments.joined(separator: " ")) exited with status \(status)")
      }
    }
    // Statistics over every recorded epoch, in one pass.
    let statsStart = Self.now()
    let statsCPUStart = Self.cpu()
    let stats = try store.stats(run: "bench")
    let statsSeconds = Self.now() - statsStart
    let statsCPU = Self.cpu() - statsCPUStart
    precondition(stats.records == epochCount * sampleCount)

    print("")
    print("| measure | result | goal |")
    print("|---|---|---|")
    for row in rows { print(row) }
    print(
      "| history over \(epochCount) epochs, library, warm (median / p99 of \(library.count)) | **\(ms(percentile(library, 0.5)))** / **\(ms(percentile(library, 0.99)))** | p99 ≤ 10 ms |"
    )
    print(
      "| history, library, CPU time of the call (median / p99 of \(libraryCPU.count)) | \(ms(percentile(libraryCPU, 0.5))) / \(ms(percentile(libraryCPU, 0.99))) | |"
    )
    print(
      "| history, library incl. opening the store (median / p99 of \(cold.count)) | \(ms(percentile(cold, 0.5))) / \(ms(percentile(cold, 0.99))) | |"
    )
    if !cliTimes.isEmpty {
      print(
        "| history, CLI `augstore history --json` incl. process start (median / p99 of \(cliTimes.count)) | **\(ms(percentile(cliTimes, 0.5)))** / \(ms(percentile(cliTimes, 0.99))) | ≤ 25 ms |"
      )
    }
    if !cliCPU.isEmpty {
      print(
        "| history, CLI, CPU time of the process (user + system; median / p99 of \(cliCPU.count)) | \(ms(percentile(cliCPU, 0.5))) / \(ms(percentile(cliCPU, 0.99))) | |"
      )
    }
    print(
      "| stats over \(epochCount) epochs (\(stats.records) records, one pass), library | **\(String(format: "%.1f", statsSeconds)) s** (CPU \(String(format: "%.1f", statsCPU)) s) | ≤ 30 s |"
    )
    // The machine's load while the reads ran: wall times above are only the cost on an idle machine
    // when it is below the number of cores.
    var loads = [Double](repeating: 0, count: 3)
    if getloadavg(&loads, 3) == 3 {
      print("")
      print(
        "load average during the reads: \(String(format: "%.2f", loads[0])) (1 min), \(String(format: "%.2f", loads[1])) (5 min)"
      )
    }
  }
}

let arguments = CommandLine.arguments
func value(_ name: String) -> String? {
  guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
  return arguments[index + 1]
}
let bench = Bench(
  root: value("--store") ?? NSTemporaryDirectory() + "augstore-catalog-bench",
  cli: value("--cli"),
  catalogURL: try value("--catalog").map { try CatalogURL(parsing: $0) },
  samples: Int(value("--samples") ?? "") ?? 1_281_167,
  firstEpochs: Int(value("--epochs") ?? "") ?? 10,
  allEpochs: Int(value("--all-epochs") ?? "") ?? 90,
  reuse: arguments.contains("--reuse"))
do {
  try bench.run()
} catch {
  FileHandle.standardError.write(Data("catalog-bench: \(error.localizedDescription)\n".utf8))
  exit(1)
}
