import AugStore
import Dispatch
import Foundation
import Hummingbird
import Logging

/// The web server behind `augstore serve`: read-only pages about a store's datasets and runs, their
/// JSON twins under `/api`, and PNG thumbnails rendered from the records.
///
/// The store is opened read-only: no request creates, changes or removes a file in it, and
/// thumbnails are cached in memory only. With a token, every request must carry it as
/// `Authorization: Bearer TOKEN`, as `?token=TOKEN` (which also sets a cookie for the pages' links),
/// or in that cookie.
public final class StoreServer: Sendable {
  /// Where the server listens and what it serves.
  public let configuration: ServerConfiguration
  let router: Router

  /// The cookie that carries the token after a `?token=` request.
  static let cookieName = "augstore_token"

  /// Checks `configuration` and opens its store read-only.
  ///
  /// - Throws: `ServeError` for a bad port or token rule, `StoreError.storeNotFound`, or a catalog
  ///   error when the store cannot be read.
  public init(configuration: ServerConfiguration) throws {
    try configuration.validate()
    self.configuration = configuration
    router = Router(browser: StoreBrowser(store: try Store(readingOnly: configuration.storePath)))
  }

  /// Serves until the process receives SIGINT or SIGTERM, then finishes open requests and returns.
  ///
  /// - Parameter ready: called once with the server's URL when it is listening.
  /// - Throws: `ServeError.cannotListen` when the address cannot be bound.
  public func run(ready: @escaping @Sendable (String) -> Void) async throws {
    let responder = CallbackResponder<BasicRequestContext> { [self] request, _ in
      await self.respond(to: request)
    }
    var logger = Logger(label: "augstore.serve")
    logger.logLevel = .critical
    let host = configuration.host
    let port = configuration.port
    let application = Application(
      responder: responder,
      configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "augstore"),
      onServerRunning: { channel in
        let bound = channel.localAddress?.port ?? port
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        ready("http://\(shownHost):\(bound)/")
      },
      logger: logger)
    do {
      try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    } catch {
      throw ServeError.cannotListen(host: host, port: port, message: "\(error)")
    }
  }

  /// Answers one request; never throws: every failure is a response with a one-line message.
  func respond(to request: Request) async -> Response {
    let head = request.method == .head
    guard request.method == .get || head else {
      var response = failure(
        RequestFailure(
          status: .methodNotAllowed, message: "method \(request.method) is not allowed: use GET"), api: false)
      response.headers[.allow] = "GET, HEAD"
      return response
    }
    let headerToken =
      Self.bearer(request.headers[.authorization]) ?? Self.cookie(request.headers[values: .cookie])
    let parsed = Result { () throws(RequestFailure) in
      try RequestTarget(path: request.uri.path, query: request.uri.query)
    }
    var setCookie = false
    if let token = configuration.token {
      let queryToken = try? parsed.get().query["token"]
      if let headerToken, Self.same(headerToken, token) {
      } else if let queryToken, Self.same(queryToken, token) {
        setCookie = true
      } else {
        return failure(RequestFailure(status: .unauthorized, message: "missing or wrong token"), api: false)
      }
    }
    let target: RequestTarget
    switch parsed {
    case .success(let value): target = value
    case .failure(let error): return failure(error, api: request.uri.path.hasPrefix("/api"))
    }
    let api = target.segments.first == "api"
    let router = self.router
    let result = await Self.offload { Result { try router.respond(to: target) } }
    var response: Response
    switch result {
    case .success(.html(let text)):
      response = Self.response(.ok, type: "text/html; charset=utf-8", bytes: Array(text.utf8), head: head)
    case .success(.json(let data)):
      response = Self.response(.ok, type: "application/json", bytes: Array(data) + [0x0A], head: head)
    case .success(.png(let bytes)):
      response = Self.response(.ok, type: "image/png", bytes: bytes, head: head)
      response.headers[.cacheControl] = "private, max-age=3600"
    case .failure(let error):
      response = failure(RequestFailure(error), api: api)
    }
    if setCookie, let token = configuration.token {
      response.headers[.setCookie] = "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
    }
    return response
  }

  private func failure(_ failure: RequestFailure, api: Bool) -> Response {
    if api, let data = try? JSONEncoder().encode(["error": failure.message]) {
      return Self.response(failure.status, type: "application/json", bytes: Array(data) + [0x0A], head: false)
    }
    return Self.response(
      failure.status, type: "text/plain; charset=utf-8", bytes: Array((failure.message + "\n").utf8),
      head: false)
  }

  private static func response(
    _ status: HTTPResponse.Status, type: String, bytes: [UInt8], head: Bool
  ) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = type
    headers[.contentLength] = "\(bytes.count)"
    headers[.xContentTypeOptions] = "nosniff"
    headers[.contentSecurityPolicy] =
      "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'self'"
    if !type.hasPrefix("image/") { headers[.cacheControl] = "no-store" }
    return Response(
      status: status, headers: headers,
      body: head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
  }

  /// Runs blocking store work off the server's event loops.
  private static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
      DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
  }

  static func bearer(_ header: String?) -> String? {
    guard let header, header.lowercased().hasPrefix("bearer ") else { return nil }
    return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
  }

  static func cookie(_ headers: [String]) -> String? {
    for header in headers {
      for pair in header.split(separator: ";") {
        let parts = pair.split(separator: "=", maxSplits: 1)
        if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == cookieName {
          return String(parts[1])
        }
      }
    }
    return nil
  }

  /// Compares tokens in time that depends on their lengths only.
  static func same(_ given: String, _ token: String) -> Bool {
    let a = Array(given.utf8)
    let b = Array(token.utf8)
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
  }
}
