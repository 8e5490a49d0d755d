import AugStoreCatalog
import AugStoreImaging
import AugStoreTransforms
import Foundation

/// Which samples of an epoch `replay` produces.
public enum ReplaySelection: Sendable, Equatable {
  /// One sample, by index in the dataset version or by relative path.
  case sample(String)
  /// Batch `index` of `size` samples, in the epoch's order (the last batch may be shorter).
  case batch(index: Int, size: Int)
  /// Every sample, in the epoch's order.
  case all
}

/// The file format `replay` writes.
public enum ReplayFormat: String, Sendable, CaseIterable, Codable {
  /// NumPy `.npy`, exactly the cached bytes.
  case npy
  /// PNG (uint8, channels-last tensors only).
  case png
}

/// One replayed sample.
public struct ReplayedSample: Sendable, Equatable, Codable {
  /// Position in the epoch's order.
  public var position: Int
  /// Index in the dataset version.
  public var index: Int
  /// Relative path of the original.
  public var path: String
  /// Label, if any.
  public var label: String?
  /// Lowercase hex SHA-256 of the tensor's `.npy` bytes, as recorded.
  public var digest: String
  /// The file written (relative to the output folder), for per-sample output.
  public var file: String?
}

/// What `replay` wrote.
public struct ReplaySummary: Sendable, Equatable {
  /// The run.
  public var run: String
  /// The epoch.
  public var epoch: Int
  /// The samples, in epoch order.
  public var samples: [ReplayedSample]
  /// Files written, relative to the output folder.
  public var files: [String]
  /// Tensors served from the cache, and rebuilt from originals.
  public var cached: Int
  /// Tensors computed from the originals (missing or damaged in the cache, or never materialized).
  public var computed: Int
}

extension Store {
  /// Produces exactly the tensors a run saw in one epoch, from its records, and checks each one
  /// against its recorded digest.
  ///
  /// Tensors come from the cache when a sound file is there, otherwise they are rebuilt from the
  /// original and the **recorded** parameters (never new draws). A tensor whose bytes differ from
  /// its recorded digest is an error naming the run, epoch and sample; nothing is written then.
  /// Samples never materialized get their digest recorded now.
  ///
  /// Output, under `folder`: for `.sample` and `.all`, one file per sample named
  /// `<position>-<index>.npy` (or `.png`) plus `samples.json`; for `.batch`, `batch-<B>.npy`
  /// stacking the batch's tensors (N, …), `labels.npy` (int64 class indices in sorted label order,
  /// -1 for unlabelled; for a pipeline with MixUp or CutMix, float32 mixed one-hot rows `[N, classes]`)
  /// and `samples.json`.
  public func replay(
    run name: String, epoch: Int, selection: ReplaySelection, to folder: String, format: ReplayFormat = .npy,
    jobs: Int? = nil, progress: ProgressHandler? = nil
  ) throws -> ReplaySummary {
    let details = try runDetails(named: name)
    guard try catalog.recordedEpochs(run: details.run).contains(where: { $0.epoch == epoch }) else {
      throw CatalogError.epochNotRecorded(run: name, epoch: epoch)
    }
    let order = try catalog.epochOrder(run: details.run, epoch: epoch)
    let isBatch: Bool
    if case .batch = selection { isBatch = true } else { isBatch = false }
    let chosen: [Int]
    switch selection {
    case .sample(let text):
      chosen = [try sample(of: details, matching: text).position]
    case .batch(let index, let size):
      guard size >= 1, index >= 0, index * size < order.count else {
        throw StoreError.unsupportedOutput(
          reason:
            "epoch \(epoch) of run \"\(name)\" has \(order.count) samples: no batch \(index) of size \(size)")
      }
      chosen = Array(order[(index * size)..<min((index + 1) * size, order.count)])
    case .all:
      chosen = order
    }
    var positions = [Int](repeating: 0, count: order.count)
    for (position, sample) in order.enumerated() { positions[sample] = position }
    let samples = try catalog.samples(in: details.version)
    let records = try catalog.records(run: details.run, epoch: epoch, samples: chosen)
    let renderer = try Renderer(store: self, details: details)
    let rendered = try render(
      records, with: renderer, jobs: jobs, progress: progress, phase: "replay epoch \(epoch)",
      keepBytes: format == .png || isBatch
    )
    for (record, tensor) in zip(records, rendered) {
      if let recorded = record.digest, recorded != tensor.digest {
        throw StoreError.digestMismatch(
          run: name, epoch: epoch, sample: record.sample, path: samples[record.sample].path)
      }
    }
    try commit(
      rendered.map {
        var light = $0; light.bytes = []; return light
      }, run: details.run, epoch: epoch)

    var replayed = zip(records, rendered).map { record, tensor in
      ReplayedSample(
        position: positions[record.sample], index: record.sample, path: samples[record.sample].path,
        label: samples[record.sample].label, digest: tensor.digest.hexString, file: nil)
    }
    try FileIO.makeDirectory(folder)
    var files: [String] = []
    if case .batch(let index, _) = selection {
      let name = "batch-\(index).\(format == .npy ? "npy" : "png")"
      guard format == .npy else {
        throw StoreError.unsupportedOutput(reason: "--batch writes one stacked .npy; use --format npy")
      }
      try writeReplacing(folder + "/" + name, try Self.stack(rendered.map(\.bytes)))
      let classes = ClassIndex(samples)
      if let layer = renderer.spec.batchLevelIndex {
        // MixUp or CutMix: mixed one-hot labels, float32 [n, classes].
        let rows = SoftLabels.rows(records, layer: layer, classes: classes.labels.count) {
          classes.index(of: samples[$0].label)
        }
        try writeReplacing(
          folder + "/labels.npy", NPY.encode(shape: [records.count, classes.labels.count], float32: rows))
      } else {
        let labelValues = replayed.map { classes.index(of: $0.label) }
        try writeReplacing(folder + "/labels.npy", NPY.encode(shape: [labelValues.count], int64: labelValues))
      }
      files += [name, "labels.npy"]
    } else {
      for (offset, tensor) in rendered.enumerated() {
        let file = "\(replayed[offset].position)-\(tensor.sample).\(format.rawValue)"
        if format == .npy {
          try place(
            tensor, record: records[offset].record, renderer: renderer, at: folder + "/" + file, run: name,
            epoch: epoch)
        } else {
          try writeReplacing(folder + "/" + file, try Self.png(fromNPY: tensor.bytes))
        }
        replayed[offset].file = file
        files.append(file)
      }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try writeReplacing(folder + "/samples.json", Array(try encoder.encode(replayed)))
    files.append("samples.json")
    return ReplaySummary(
      run: name, epoch: epoch, samples: replayed, files: files,
      cached: rendered.count { $0.source == .cache },
      computed: rendered.count { $0.source != .cache })
  }

  /// Puts a checked tensor's `.npy` file at `path`: a hard link to its (read-only) cache file when
  /// the output is on the store's file system, so a cached replay copies nothing; otherwise the
  /// bytes, rendered again (from the cache, checked, or from the original).
  private func place(
    _ tensor: Renderer.Rendered, record: SampleRecord, renderer: Renderer, at path: String, run: String,
    epoch: Int
  ) throws {
    let temporary = path + ".augstore-partial-\(FileIO.processTag)"
    FileIO.remove(temporary)
    if FileIO.hardLink(cache.path(of: tensor.key), as: temporary) {
      try FileIO.rename(temporary, to: path)
      return
    }
    let index = try catalog.cacheEntries(keys: [Data(tensor.key)])
    let again = try renderer.render(
      sample: tensor.sample, record: record, indexed: index[Data(tensor.key)], decodedIndex: nil,
      key: tensor.key)
    guard again.digest == tensor.digest else {
      throw StoreError.digestMismatch(run: run, epoch: epoch, sample: tensor.sample, path: path)
    }
    try writeReplacing(path, again.bytes)
  }

  /// Writes `bytes` to `path` through a temporary file and a rename.
  private func writeReplacing(_ path: String, _ bytes: [UInt8]) throws {
    let temporary = path + ".augstore-partial-\(FileIO.processTag)"
    FileIO.remove(temporary)
    try FileIO.writeNew(temporary, bytes, sync: false)
    try FileIO.rename(temporary, to: path)
  }

  /// Stacks same-shaped `.npy` tensors into one `(N, …)` array.
  static func stack(_ files: [[UInt8]]) throws -> [UInt8] {
    let stacked = try concatenate(files) { _, _, _ in
      StoreError.unsupportedOutput(
        reason: "the batch's tensors differ in shape; replay them one by one with --all or --sample")
    }
    guard let stacked else { return NPY.encode(shape: [0], uint8: []) }
    return NPY.encode(shape: stacked.shape, dtype: stacked.dtype, data: stacked.data)
  }

  /// The data of same-shaped `.npy` tensors concatenated, with the stacked shape `[N] + shape`;
  /// `nil` for no tensors. `mismatch(offset, first, other)` makes the error for the first tensor
  /// whose shape or element type differs from the first one's.
  static func concatenate(
    _ files: [[UInt8]], mismatch: (_ offset: Int, _ first: [Int], _ other: [Int]) -> any Error
  ) throws -> (shape: [Int], dtype: NPYDType, data: [UInt8])? {
    guard let firstFile = files.first else { return nil }
    let first = try NPY.header(of: firstFile)
    var data: [UInt8] = []
    data.reserveCapacity((firstFile.count - first.dataOffset) * files.count)
    for (offset, file) in files.enumerated() {
      let header = try NPY.header(of: file)
      guard header.shape == first.shape, header.dtype == first.dtype else {
        throw mismatch(offset, first.shape, header.shape)
      }
      data.append(contentsOf: file[header.dataOffset...])
    }
    return ([files.count] + first.shape, first.dtype, data)
  }

  /// A PNG of a uint8 (H, W, C) `.npy` tensor.
  static func png(fromNPY bytes: [UInt8]) throws -> [UInt8] {
    let array = try NPY.decode(bytes)
    guard let tensor = array.tensor else {
      throw StoreError.unsupportedOutput(
        reason: "--format png needs uint8 channels_last tensors with 1 to 4 channels; use --format npy")
    }
    return try PNGEncoder.encode(tensor)
  }
}

/// Class indexes of a dataset version's labels: a label's index is its position among the
/// version's distinct labels in sorted order; unlabelled samples get -1. `replay --batch`'s
/// `labels.npy` and the loader's batches use this one mapping.
package struct ClassIndex: Sendable {
  /// The distinct labels, sorted.
  package let labels: [String]
  private let indexes: [String: Int64]

  package init(_ samples: [Sample]) {
    labels = Array(Set(samples.compactMap(\.label))).sorted()
    indexes = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, Int64($0)) })
  }

  /// The index of `label`, -1 for none.
  package func index(of label: String?) -> Int64 {
    label.flatMap { indexes[$0] } ?? -1
  }
}
