import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// HTTP/1.1 over a plain loopback socket, for talking to `augstore serve` in tests: whole requests
/// as bytes (well-formed or not), one connection each, answers read until the server closes.
public enum RawHTTP {
  /// A parsed answer.
  public struct Answer: Sendable {
    /// The status code (0 when the server closed without an answer).
    public var status: Int
    /// Header fields, names lowercased.
    public var headers: [String: String]
    /// The body.
    public var body: [UInt8]
    /// The body as text.
    public var text: String { String(decoding: body, as: UTF8.self) }
  }

  /// Sends `bytes` to 127.0.0.1:`port` and reads until the server closes the connection or
  /// `timeout` seconds pass without data.
  public static func exchange(port: Int, bytes: [UInt8], timeout: Int = 10) throws -> [UInt8] {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw POSIXError(.EIO) }
    defer { close(socket) }
    var time = timeval(tv_sec: timeout, tv_usec: 0)
    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    var sent = 0
    while sent < bytes.count {
      let written = bytes[sent...].withUnsafeBytes {
        send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if written <= 0 { break }  // the server may close early on garbage; read what it said
      sent += written
    }
    shutdown(socket, Int32(SHUT_WR))
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
      if count <= 0 { break }
      received += buffer[0..<count]
    }
    return received
  }

  /// A GET (or `method`) request for `target` with `headers`, parsed.
  public static func request(
    port: Int, _ target: String, method: String = "GET", headers: [String: String] = [:]
  ) throws -> Answer {
    var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
    for (name, value) in headers { text += "\(name): \(value)\r\n" }
    text += "\r\n"
    return parse(try exchange(port: port, bytes: Array(text.utf8)))
  }

  /// Parses a response (the first one, if several).
  public static func parse(_ bytes: [UInt8]) -> Answer {
    let separator: [UInt8] = [13, 10, 13, 10]
    guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator })
    else {
      return Answer(status: 0, headers: [:], body: bytes)
    }
    let head = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
    let status = head.first.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
    var headers: [String: String] = [:]
    for line in head.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
        in: .whitespaces)
    }
    var body = Array(bytes[(end + 4)...])
    if let length = headers["content-length"].flatMap(Int.init), length <= body.count {
      body = Array(body[..<length])
    } else if headers["transfer-encoding"]?.lowercased() == "chunked" {
      body = dechunk(body)
    }
    return Answer(status: status, headers: headers, body: body)
  }

  private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
    var result: [UInt8] = []
    var index = 0
    while index < bytes.count {
      guard let lineEnd = (index..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
        let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self), radix: 16), size > 0
      else { break }
      let start = lineEnd + 2
      result += bytes[start..<min(bytes.count, start + size)]
      index = start + size + 2
    }
    return result
  }
}
