import AugStore
import AugStoreCatalog
import Foundation

/// What a route answers with.
enum Reply {
  case html(String)
  case json(Data)
  case png([UInt8])
}

/// Maps request targets to pages, their JSON twins under `/api` and the thumbnails under `/img`.
///
/// ```
/// /                                   /api                 datasets and runs
/// /datasets                           /api/datasets        = dataset list --json
/// /datasets/NAME[/vN][?offset=K]      /api/datasets/NAME[/vN]   = dataset show NAME@vN --samples --json
/// /datasets/NAME/diff?from=A&to=B     /api/datasets/NAME/diff?from=A&to=B   = dataset diff --json
/// /runs                               /api/runs            = run list --json
/// /runs/RUN                           /api/runs/RUN        = run show --json + spec, epochs, cache
/// /runs/RUN/samples?epoch=E[&label=L][&never_original=1][&offset=K][&limit=N]
/// /runs/RUN/samples/S                 /api/runs/RUN/samples/S   = history RUN --sample S --json
/// /runs/RUN/stats[?epochs=…]          /api/runs/RUN/stats  = stats RUN --json
/// /img/datasets/NAME/vN/S.png  /img/runs/RUN/epochs/E/S.png  /img/runs/RUN/original/S.png  [?size=16…512]
/// ```
struct Router: Sendable {
  let browser: StoreBrowser

  /// The most samples one grid page shows.
  static let maximumLimit = 256

  private var store: Store { browser.store }

  /// Answers `target`.
  ///
  /// - Throws: `RequestFailure` (400 for malformed parameters, 404 naming a missing dataset, run,
  ///   sample or epoch), or a library error.
  func respond(to target: RequestTarget) throws -> Reply {
    var segments = target.segments
    let api = segments.first == "api"
    if api { segments.removeFirst() }
    if !api, segments.first == "img" { return try image(Array(segments.dropFirst()), target) }
    guard let first = segments.first else {
      let document = HomeReport(
        datasets: DatasetListReport(try store.listDatasets()).datasets,
        runs: RunListReport(try store.listRuns()).runs)
      return try Self.reply(document, api: api) { DatasetPages.home(document) }
    }
    switch first {
    case "datasets": return try datasets(Array(segments.dropFirst()), target, api: api)
    case "runs": return try runs(Array(segments.dropFirst()), target, api: api)
    default: throw RequestFailure.notFound("no page \(Self.describe(target.segments))")
    }
  }

  private func datasets(_ segments: [String], _ target: RequestTarget, api: Bool) throws -> Reply {
    guard let first = segments.first else {
      let document = DatasetListReport(try store.listDatasets())
      return try Self.reply(document, api: api) { DatasetPages.list(document) }
    }
    let name = try RequestTarget.name(first, kind: "dataset")
    let dataset = try store.catalog.dataset(named: name)
    let versions = try store.catalog.versions(of: dataset).map(\.number)
    switch segments.count {
    case 1,
      2 where segments[1] != "diff":
      let number = segments.count == 2 ? try RequestTarget.version(segments[1]) : (versions.last ?? 1)
      let reference = DatasetReference(name: name, selector: .number(number))
      let (_, version) = try store.resolve(reference)
      let document = DatasetVersionReport(
        try store.summary(of: reference), samples: try browser.samples(of: version))
      let offset = try target.integer("offset") ?? 0
      return try Self.reply(document, api: api) {
        DatasetPages.version(document, versions: versions, offset: offset)
      }
    case 2:
      guard let fromText = target.query["from"], let toText = target.query["to"] else {
        throw RequestFailure.badRequest("diff needs from=A and to=B (version numbers)")
      }
      let from = try RequestTarget.index(
        fromText.hasPrefix("v") ? String(fromText.dropFirst()) : fromText, kind: "from")
      let to = try RequestTarget.index(
        toText.hasPrefix("v") ? String(toText.dropFirst()) : toText, kind: "to")
      let fromReference = DatasetReference(name: name, selector: .number(from))
      let toReference = DatasetReference(name: name, selector: .number(to))
      let diff = try store.diff(fromReference, toReference)
      let document = DatasetDiffReport(from: fromReference, to: toReference, diff: diff)
      if api { return .json(try Self.encode(document)) }
      func indices(_ reference: DatasetReference) throws -> [String: Int] {
        let (_, version) = try store.resolve(reference)
        return Dictionary(
          try browser.samples(of: version).map { ($0.path, $0.position) },
          uniquingKeysWith: { first, _ in first })
      }
      return .html(
        DatasetPages.diff(
          document, name: name, from: from, to: to, fromIndex: try indices(fromReference),
          toIndex: try indices(toReference)))
    default:
      throw RequestFailure.notFound("no page \(Self.describe(target.segments))")
    }
  }

  private func runs(_ segments: [String], _ target: RequestTarget, api: Bool) throws -> Reply {
    guard let first = segments.first else {
      let document = RunListReport(try store.listRuns())
      return try Self.reply(document, api: api) { RunPages.list(document) }
    }
    let name = try RequestTarget.name(first, kind: "run")
    let context = try browser.run(name)
    switch segments.count {
    case 1:
      let document = RunPageReport(
        details: context.details, epochs: try store.epochOverview(run: name), cache: try store.cacheStats())
      return try Self.reply(document, api: api) { RunPages.run(document) }
    case 2 where segments[1] == "samples":
      return try grid(context, target, api: api)
    case 3 where segments[1] == "samples":
      let index = try RequestTarget.index(segments[2], kind: "sample")
      _ = try browser.sample(index, of: context)
      let document = HistoryReport(try store.history(run: name, sample: "\(index)", epochs: nil))
      return try Self.reply(document, api: api) { RunPages.timeline(document) }
    case 2 where segments[1] == "stats":
      let selection = try target.query["epochs"].flatMap {
        $0.isEmpty ? nil : try EpochSelection(parsing: $0)
      }
      let stats = try store.stats(run: name, epochs: selection)
      let document = stats
      let epochs = try store.epochOverview(run: name).filter { stats.epochs.contains($0.recorded.epoch) }
      return try Self.reply(document, api: api) { RunPages.stats(document, epochs: epochs) }
    default:
      throw RequestFailure.notFound("no page \(Self.describe(target.segments))")
    }
  }

  /// One page of an epoch's samples in the recorded order, filtered.
  private func grid(_ context: StoreBrowser.RunContext, _ target: RequestTarget, api: Bool) throws -> Reply {
    let name = context.details.run.name
    let recorded = try store.catalog.recordedEpochs(run: context.details.run)
    guard let firstEpoch = recorded.first?.epoch else {
      throw RequestFailure.notFound("run \(name) has no recorded epoch")
    }
    let epoch = try target.integer("epoch") ?? firstEpoch
    _ = try browser.requireRecorded(epoch, of: context)
    let label = target.query["label"].flatMap { $0.isEmpty ? nil : $0 }
    let neverOnly = try target.flag("never_original")
    let offset = try target.integer("offset") ?? 0
    let limit = min(Self.maximumLimit, max(1, try target.integer("limit") ?? DatasetPages.pageSize))
    let never = try browser.neverOriginal(context, recorded: recorded)
    let order = try store.catalog.epochOrder(run: context.details.run, epoch: epoch)
    let kept = order.enumerated().filter { _, sample in
      (label == nil || context.samples[sample].label == label)
        && (!neverOnly || (never.indices.contains(sample) && never[sample]))
    }
    let page = Array(kept.dropFirst(offset).prefix(limit))
    let records = try store.catalog.records(
      run: context.details.run, epoch: epoch, samples: page.map(\.element))
    let document = SampleGridReport(
      run: name, epoch: epoch, label: label, neverOriginal: neverOnly, total: kept.count, offset: offset,
      limit: limit,
      samples: zip(page, records).map { entry, record in
        let sample = context.samples[entry.element]
        return SampleGridReport.Cell(
          position: entry.offset, index: sample.position, path: sample.path, label: sample.label,
          original: record.record.original,
          neverOriginal: never.indices.contains(sample.position) && never[sample.position],
          digest: record.digest?.hexString)
      })
    let labels = Set(context.samples.compactMap(\.label)).sorted()
    return try Self.reply(document, api: api) {
      RunPages.samples(document, epochs: recorded.map(\.epoch), labels: labels)
    }
  }

  /// `/img/...`: PNG thumbnails.
  private func image(_ segments: [String], _ target: RequestTarget) throws -> Reply {
    let size = try target.integer("size") ?? Thumbnail.defaultSize
    guard Thumbnail.sizes.contains(size) else {
      throw RequestFailure.badRequest(
        "invalid size \(size): use \(Thumbnail.sizes.lowerBound) to \(Thumbnail.sizes.upperBound)")
    }
    func sampleIndex(_ file: String) throws -> Int {
      guard file.hasSuffix(".png") else {
        throw RequestFailure.notFound("no image \(Self.describe(target.segments))")
      }
      return try RequestTarget.index(String(file.dropLast(4)), kind: "sample")
    }
    switch (segments.first, segments.count) {
    case ("datasets", 4):
      let name = try RequestTarget.name(segments[1], kind: "dataset")
      let version = try RequestTarget.version(segments[2])
      return .png(
        try browser.datasetThumbnail(
          dataset: name, version: version, sample: try sampleIndex(segments[3]), size: size))
    case ("runs", 5) where segments[2] == "epochs":
      let name = try RequestTarget.name(segments[1], kind: "run")
      let epoch = try RequestTarget.index(segments[3], kind: "epoch")
      return .png(
        try browser.tensorThumbnail(run: name, epoch: epoch, sample: try sampleIndex(segments[4]), size: size)
      )
    case ("runs", 4) where segments[2] == "original":
      let name = try RequestTarget.name(segments[1], kind: "run")
      return .png(
        try browser.runOriginalThumbnail(run: name, sample: try sampleIndex(segments[3]), size: size))
    default:
      throw RequestFailure.notFound("no image \(Self.describe(target.segments))")
    }
  }

  private static func reply<Document: Encodable>(
    _ document: Document, api: Bool, html: () -> String
  ) throws -> Reply {
    api ? .json(try encode(document)) : .html(html())
  }

  /// Pretty, key-sorted JSON, as the CLI prints it.
  static func encode<Document: Encodable>(_ document: Document) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(document)
  }

  /// A path for messages: `/a/b`, cut to 120 characters.
  static func describe(_ segments: [String]) -> String {
    String(("/" + segments.joined(separator: "/")).prefix(120))
  }
}
