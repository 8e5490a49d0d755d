import AugStoreCatalog
import Foundation

/// One problem `verify` found.
public struct VerifyProblem: Sendable, Equatable, Codable {
  /// What kind: `object_missing`, `object_damaged`, `cache_missing`, `cache_damaged`, `record_digest`,
  /// `catalog`.
  public var kind: String
  /// The file or table at fault.
  public var path: String
  /// What is wrong.
  public var detail: String
}

/// What `verify` checked and found.
public struct VerifyReport: Sendable, Equatable, Codable {
  /// Objects re-hashed.
  public var objectsChecked: Int
  /// Cache entries checked against their digests.
  public var cacheEntriesChecked: Int
  /// Record digests checked against the digest of their cache entry (records whose entry exists).
  public var recordDigestsChecked: Int
  /// Files under `cache/` that no index entry names (left by an interrupted write; harmless).
  public var unindexedCacheFiles: Int
  /// Everything found wrong; empty for a sound store.
  public var problems: [VerifyProblem]

  /// Whether nothing is wrong.
  public var isClean: Bool { problems.isEmpty }

  enum CodingKeys: String, CodingKey {
    case objectsChecked = "objects_checked"
    case cacheEntriesChecked = "cache_entries_checked"
    case recordDigestsChecked = "record_digests_checked"
    case unindexedCacheFiles = "unindexed_cache_files"
    case problems
  }
}

extension Store {
  /// Re-hashes every object, checks every cache entry against its digest, checks every record's
  /// digest against its cache entry's, and runs SQLite's integrity check. Reads only: it reports,
  /// it does not repair.
  public func verify(jobs: Int? = nil, progress: ProgressHandler? = nil) throws -> VerifyReport {
    var problems: [VerifyProblem] = []
    for line in try catalog.integrityCheck() where line != "ok" {
      problems.append(VerifyProblem(kind: "catalog", path: catalog.location, detail: line))
    }

    let objectRows = try catalog.allObjects()
    let objectProblems = ResultSlots<VerifyProblem>(count: objectRows.count)
    let objects = self.objects
    Parallel.forEach(count: objectRows.count, threads: jobs ?? Parallel.coreCount) { index in
      let hash = objectRows[index].hash
      let path = objects.path(of: hash)
      do throws(StoreError) {
        _ = try objects.read(hash)
      } catch .objectMissing {
        objectProblems[index] = VerifyProblem(
          kind: "object_missing", path: path, detail: "object \(hash) is missing")
      } catch {
        objectProblems[index] = VerifyProblem(
          kind: "object_damaged", path: path, detail: "bytes no longer match SHA-256 \(hash)")
      }
      progress?(ProgressUpdate(phase: "objects", completed: index + 1, total: objectRows.count))
    }
    problems += objectProblems.values.compactMap { $0 }

    let entries = try catalog.cacheEntriesByAge()
    let cacheProblems = ResultSlots<VerifyProblem>(count: entries.count)
    let cache = self.cache
    Parallel.forEach(count: entries.count, threads: jobs ?? Parallel.coreCount) { index in
      let key = Array(entries[index].key)
      let path = cache.path(of: key)
      if FileIO.kind(path) != .file {
        cacheProblems[index] = VerifyProblem(
          kind: "cache_missing", path: path, detail: "indexed cache file is missing")
      } else if let bytes = try? FileIO.read(path), TensorCache.matches(bytes, Array(entries[index].digest)) {
        // Sound.
      } else {
        cacheProblems[index] = VerifyProblem(
          kind: "cache_damaged", path: path, detail: "bytes no longer match the recorded digest")
      }
      progress?(ProgressUpdate(phase: "cache", completed: index + 1, total: entries.count))
    }
    problems += cacheProblems.values.compactMap { $0 }

    let recordCheck = try verifyRecordDigests(entries: entries)
    problems += recordCheck.problems

    let indexed = Set(entries.map { cache.path(of: Array($0.key)) })
    var unindexed = 0
    for folder in (try? FileManager.default.contentsOfDirectory(atPath: cache.root)) ?? [] {
      for file in (try? FileManager.default.contentsOfDirectory(atPath: cache.root + "/" + folder)) ?? []
      where !indexed.contains(cache.root + "/" + folder + "/" + file) {
        unindexed += 1
      }
    }
    return VerifyReport(
      objectsChecked: objectRows.count, cacheEntriesChecked: entries.count,
      recordDigestsChecked: recordCheck.checked, unindexedCacheFiles: unindexed,
      problems: problems)
  }
}

extension Store {
  /// For every record with a digest whose cache entry (by key) exists, the entry's digest must be
  /// the record's: a `record_digest` problem names the run, epoch and sample otherwise.
  private func verifyRecordDigests(entries: [CacheEntry]) throws -> (checked: Int, problems: [VerifyProblem])
  {
    guard !entries.isEmpty else { return (0, []) }
    let index = Dictionary(entries.map { ($0.key, $0.digest) }, uniquingKeysWith: { first, _ in first })
    var checked = 0
    var problems: [VerifyProblem] = []
    for details in try listRuns() {
      let renderer = try Renderer(store: self, details: details)
      for epoch in try catalog.recordedEpochs(run: details.run) {
        let records = try catalog.records(
          run: details.run, epoch: epoch.epoch, samples: Array(0..<epoch.sampleCount))
        for record in records {
          guard let digest = record.digest else { continue }
          let key = renderer.key(sample: record.sample, record: record.record)
          guard let entryDigest = index[Data(key)] else { continue }
          checked += 1
          if Array(entryDigest) != digest {
            problems.append(
              VerifyProblem(
                kind: "record_digest", path: cache.path(of: key),
                detail:
                  "run \"\(details.run.name)\" epoch \(epoch.epoch) sample \(record.sample): recorded digest "
                  + "\(digest.hexString) differs from the cache entry's \(Array(entryDigest).hexString)"))
          }
        }
      }
    }
    return (checked, problems)
  }
}
