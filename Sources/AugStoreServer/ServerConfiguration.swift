import Foundation

/// Where `augstore serve` listens and what it serves.
public struct ServerConfiguration: Sendable, Equatable {
  /// The store folder, opened read-only.
  public var storePath: String
  /// The address to listen on (default 127.0.0.1).
  public var host: String
  /// The port (0 picks a free one).
  public var port: Int
  /// The token every request must carry, if any: required when `host` is not a loopback address.
  public var token: String?

  /// The default port.
  public static let defaultPort = 8765

  /// Describes a server; ``validate()`` checks it.
  public init(storePath: String, host: String = "127.0.0.1", port: Int = defaultPort, token: String? = nil) {
    self.storePath = storePath
    self.host = host
    self.port = port
    self.token = token
  }

  /// Checks the port and the token rules.
  ///
  /// - Throws: `ServeError.invalidPort`, `.invalidToken`, `.tokenRequired` for a non-loopback host
  ///   without a token.
  public func validate() throws(ServeError) {
    guard (0...65535).contains(port) else { throw .invalidPort(port) }
    if let token {
      guard (1...256).contains(token.utf8.count), token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
        throw .invalidToken
      }
    } else if !Self.isLoopback(host) {
      throw .tokenRequired(host: host)
    }
  }

  /// Whether `host` names this machine only: `localhost`, 127.0.0.0/8 or ::1.
  public static func isLoopback(_ host: String) -> Bool {
    let lowered = host.lowercased()
    if lowered == "localhost" || lowered == "::1" || lowered == "[::1]" { return true }
    let parts = lowered.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
  }
}
