import Foundation

/// Why `augstore serve` could not start.
public enum ServeError: Error, Equatable, LocalizedError {
  /// A host other than a loopback address was given without a token.
  case tokenRequired(host: String)
  /// The port is outside 0–65535.
  case invalidPort(Int)
  /// The token is empty or holds characters other than printable ASCII without spaces.
  case invalidToken
  /// The server could not listen on the address.
  case cannotListen(host: String, port: Int, message: String)

  /// A one-line description naming the host, port or token at fault.
  public var errorDescription: String? {
    switch self {
    case .tokenRequired(let host):
      "--host \(host) is not a loopback address: give --token T (every request must then carry it)"
    case .invalidPort(let port):
      "invalid port \(port): use 0 (any free port) to 65535"
    case .invalidToken:
      "invalid --token: use 1 to 256 printable ASCII characters without spaces"
    case .cannotListen(let host, let port, let message):
      "cannot listen on \(host):\(port): \(message)"
    }
  }
}
