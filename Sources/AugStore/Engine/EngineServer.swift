import AugStoreImaging
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Serves the ``EngineProtocol`` on a pair of file descriptors until the client closes its end or
/// sends `close`.
///
/// Requests are handled one at a time, in order; each batch is rendered on the feed's threads.
/// Responses are written by a separate thread, so the next batch renders while the previous one is
/// still being handed over (at most `pending` responses wait). When the client goes
/// away (end of input, or a broken pipe on output), the server returns.
public final class EngineServer {
  /// The store folder, opened on the first `open` request.
  public let storePath: String
  /// Threads per batch (default: one per core).
  public let jobs: Int?
  /// Responses that may wait for the client by default before the next request waits for them.
  public static let defaultPendingResponses = 2

  private let input: Int32
  private let writer: FrameWriter
  private var store: Store?
  private var feed: BatchFeed?

  /// A server reading requests from `input` and writing responses to `output`.
  ///
  /// - Parameter pending: rendered responses that may wait for the client to read them (each holds
  ///   one batch in memory); the client's prefetch depth.
  public init(
    storePath: String, jobs: Int?, pending: Int = defaultPendingResponses, input: Int32, output: Int32
  ) {
    self.storePath = storePath
    self.jobs = jobs
    self.input = input
    writer = FrameWriter(fd: output, capacity: max(1, pending))
  }

  /// Runs until the client closes its end or sends `close`, or the output breaks.
  public func run() {
    writer.send(
      Self.encode(
        EngineProtocol.Hello(
          protocolVersion: EngineProtocol.version, engine: "augstore \(Self.engineVersion)")))
    var reader = LineReader(fd: input)
    var held: ArraySlice<UInt8>?
    while let line = held ?? reader.next() {
      held = nil
      if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
      guard let request = try? JSONDecoder().decode(EngineProtocol.Request.self, from: Data(line)) else {
        fail(
          "invalid request: not a JSON request object (\(String(decoding: line.prefix(80), as: UTF8.self)))")
        continue
      }
      if request.op == "close" {
        writer.send(Self.encode(EngineProtocol.Closed()))
        break
      }
      if request.op == "batch" {
        // Requests the client sent ahead (prefetch) that are already here render together.
        var group = [request]
        while group.count < Self.groupLimit, let next = reader.nextIfReady() {
          guard let other = try? JSONDecoder().decode(EngineProtocol.Request.self, from: Data(next)),
            other.op == "batch", Self.sameEpochAndPlan(other, request)
          else {
            held = next
            break
          }
          group.append(other)
        }
        batches(group)
      } else {
        handle(request)
      }
      if writer.broken { break }
    }
    do {
      try feed?.flush()
    } catch {
      FileHandle.standardError.write(
        Data("augstore engine: \((error as? LocalizedError)?.errorDescription ?? "\(error)")\n".utf8))
    }
    writer.finish()
  }

  /// The most batch requests rendered together.
  static let groupLimit = 4

  static func sameEpochAndPlan(_ a: EngineProtocol.Request, _ b: EngineProtocol.Request) -> Bool {
    a.epoch == b.epoch && a.batchSize == b.batchSize && (a.dropLast ?? false) == (b.dropLast ?? false)
      && (a.rank ?? 0) == (b.rank ?? 0) && (a.worldSize ?? 1) == (b.worldSize ?? 1)
      && (a.delivery ?? .streaming) == (b.delivery ?? .streaming)
  }

  /// The version the engine reports in its hello.
  public static let engineVersion = "0.1.0"

  private func handle(_ request: EngineProtocol.Request) {
    do {
      switch request.op {
      case "open":
        try open(request)
      case "epoch":
        let feed = try openFeed()
        let epoch = try required(request.epoch, "epoch", request)
        let order = try feed.prepare(epoch: epoch)
        let plan = try BatchPlan(
          sampleCount: order.count, batchSize: try required(request.batchSize, "batch_size", request),
          dropLast: request.dropLast ?? false)
        writer.send(
          Self.encode(EngineProtocol.EpochInfo(epoch: epoch, samples: order.count, batches: plan.batchCount)))
      default:
        fail("invalid request: unknown op \"\(request.op)\" (expected open, epoch, batch or close)")
      }
    } catch {
      fail((error as? LocalizedError)?.errorDescription ?? "\(error)")
    }
  }

  private func open(_ request: EngineProtocol.Request) throws {
    let name = try required(request.run, "run", request)
    if store == nil { store = try Store(opening: storePath) }
    guard let store else { return }
    try feed?.flush()
    let feed = try BatchFeed(store: store, run: name, jobs: jobs)
    self.feed = feed
    let details = feed.details
    writer.send(
      Self.encode(
        EngineProtocol.RunInfo(
          run: details.run.name, dataset: "\(details.dataset.name)@v\(details.version.number)",
          pipeline: "\(details.pipeline.name)@v\(details.pipeline.version)",
          fingerprint: details.pipeline.fingerprint, samples: feed.sampleCount, labels: feed.labels,
          recordedEpochs: try store.catalog.recordedEpochs(run: details.run).map(\.epoch),
          dtype: feed.output.dtype == .uint8 ? "|u1" : "<f4", layout: feed.output.layout.rawValue,
          softLabels: feed.mixesSamples)))
  }

  /// Answers batch requests of one epoch, plan and delivery, rendered together, each in order.
  private func batches(_ requests: [EngineProtocol.Request]) {
    guard let first = requests.first else { return }
    do {
      let feed = try openFeed()
      let epoch = try required(first.epoch, "epoch", first)
      let indexes = try requests.map { try required($0.index, "index", $0) }
      let plan = try BatchPlan(
        sampleCount: feed.sampleCount, batchSize: try required(first.batchSize, "batch_size", first),
        dropLast: first.dropLast ?? false, rank: first.rank ?? 0, worldSize: first.worldSize ?? 1)
      let results = try feed.batches(
        epoch: epoch, indexes: indexes, plan: plan, delivery: first.delivery ?? .streaming)
      for result in results {
        do {
          send(try result.get())
        } catch {
          fail((error as? LocalizedError)?.errorDescription ?? "\(error)")
        }
      }
    } catch {
      for _ in requests { fail((error as? LocalizedError)?.errorDescription ?? "\(error)") }
    }
  }

  private func send(_ batch: DeliveredBatch) {
    let header = EngineProtocol.BatchHeader(
      epoch: batch.epoch, index: batch.index, start: batch.positions.lowerBound, shape: batch.shape,
      dtype: batch.dtype == .uint8 ? "|u1" : "<f4", samples: batch.paths, labels: batch.labels,
      softLabels: batch.softLabels,
      digests: batch.digests.map(\.hexString), recorded: batch.firstDeliveries, files: batch.files,
      payload: batch.data.count)
    writer.send(Self.encode(header), payload: batch.data)
  }

  private func openFeed() throws -> BatchFeed {
    guard let feed else { throw EngineError.notOpen }
    return feed
  }

  private func required<T>(_ value: T?, _ field: String, _ request: EngineProtocol.Request) throws -> T {
    guard let value else { throw EngineError.missingField(op: request.op, field: field) }
    return value
  }

  private func fail(_ message: String) {
    let line = message.split(separator: "\n", omittingEmptySubsequences: true).joined(separator: "; ")
    writer.send(Self.encode(EngineProtocol.Failure(error: line)))
  }

  private static func encode(_ value: some Encodable) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    var bytes =
      (try? Array(encoder.encode(value))) ?? Array(#"{"ok":false,"error":"unencodable response"}"#.utf8)
    bytes.append(UInt8(ascii: "\n"))
    return bytes
  }
}

/// Requests the engine cannot serve.
public enum EngineError: Error, LocalizedError, Equatable, Sendable {
  /// A `batch` or `epoch` request before any `open`.
  case notOpen
  /// A request without a field its op needs.
  case missingField(op: String, field: String)

  /// One line naming the request at fault.
  public var errorDescription: String? {
    switch self {
    case .notOpen: "invalid request: open a run first ({\"op\": \"open\", \"run\": NAME})"
    case .missingField(let op, let field): "invalid request: \"\(op)\" needs \"\(field)\""
    }
  }
}

/// Reads `\n`-terminated lines from a file descriptor.
struct LineReader {
  let fd: Int32
  private var buffer: [UInt8] = []
  private var start = 0
  private var ended = false

  init(fd: Int32) { self.fd = fd }

  /// The next line if one is buffered or arrives without waiting; `nil` otherwise.
  mutating func nextIfReady() -> ArraySlice<UInt8>? {
    if buffer[start...].contains(UInt8(ascii: "\n")) { return next() }
    guard !ended else { return nil }
    var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&descriptor, 1, 0) == 1, descriptor.revents & Int16(POLLIN) != 0 else { return nil }
    readMore()
    return buffer[start...].contains(UInt8(ascii: "\n")) ? next() : nil
  }

  /// The next line without its `\n`, or `nil` at the end of input (a final unterminated line is
  /// returned first).
  mutating func next() -> ArraySlice<UInt8>? {
    while true {
      if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
        let line = buffer[start..<newline]
        start = newline + 1
        return line
      }
      if ended {
        guard start < buffer.count else { return nil }
        let line = buffer[start...]
        start = buffer.count
        return line
      }
      readMore()
    }
  }

  /// One `read` into the buffer (dropping the lines already returned first); the end of input, or
  /// an error other than an interrupted call, marks the input ended.
  private mutating func readMore() {
    if start > 0 {
      buffer.removeFirst(start)
      start = 0
    }
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if count > 0 {
      buffer.append(contentsOf: chunk[0..<count])
    } else if !(count < 0 && errno == EINTR) {
      ended = true
    }
  }
}

/// Writes frames (a header line and an optional payload) to a file descriptor on its own thread.
///
/// Invariant: frames are written whole and in the order sent. `send` blocks while `capacity`
/// frames are waiting. After a write fails (the reader went away), `broken` is true and later
/// frames are dropped.
final class FrameWriter: @unchecked Sendable {
  private let fd: Int32
  private let queue = DispatchQueue(label: "augstore.engine.writer")
  private let slots: DispatchSemaphore
  private let state = NSLock()
  private var failed = false

  init(fd: Int32, capacity: Int) {
    self.fd = fd
    slots = DispatchSemaphore(value: capacity)
  }

  /// Whether a write has failed.
  var broken: Bool { state.withLock { failed } }

  /// Queues a frame.
  func send(_ header: [UInt8], payload: [UInt8] = []) {
    slots.wait()
    queue.async { [self] in
      defer { slots.signal() }
      guard !broken else { return }
      if !(writeAll(header) && writeAll(payload)) { state.withLock { failed = true } }
    }
  }

  /// Waits until every queued frame is written.
  func finish() {
    queue.sync {}
  }

  private func writeAll(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { buffer in
      guard let base = buffer.baseAddress else { return true }
      var offset = 0
      while offset < buffer.count {
        let written = write(fd, base + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return false
        }
        offset += written
      }
      return true
    }
  }
}
