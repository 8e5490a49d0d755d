import Foundation

/// Where a store's catalog lives: a SQLite file, or a PostgreSQL database named by a
/// `postgresql://USER@HOST:PORT/DATABASE` URL.
///
/// A URL never carries the password: it comes from `PGPASSWORD` or the password file (`PGPASSFILE`,
/// else `~/.pgpass`), so that no store folder or log holds it. ``description`` is safe to print.
public enum CatalogURL: Sendable, Equatable, CustomStringConvertible {
  /// A SQLite catalog file.
  case sqlite(path: String)
  /// A PostgreSQL database.
  case postgresql(PostgresEndpoint)

  /// Parses `sqlite:PATH` or `postgresql://USER@HOST[:PORT]/DATABASE` (also `postgres://`).
  ///
  /// - Throws: ``CatalogURLError`` naming what is wrong; a password in the URL is refused.
  public init(parsing text: String) throws(CatalogURLError) {
    if text.hasPrefix("sqlite:") {
      let path = String(text.dropFirst("sqlite:".count))
      guard !path.isEmpty else { throw .invalid(text, reason: "no file after sqlite:") }
      self = .sqlite(path: path)
      return
    }
    guard text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") else {
      throw .invalid(text, reason: "expected postgresql://USER@HOST:PORT/DATABASE or sqlite:PATH")
    }
    guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
      throw .invalid(Self.redacted(text), reason: "no host")
    }
    guard components.password == nil else {
      throw .invalid(
        Self.redacted(text), reason: "the URL must not hold the password (set PGPASSWORD or use ~/.pgpass)")
    }
    guard let user = components.user, !user.isEmpty else {
      throw .invalid(text, reason: "no user (postgresql://USER@HOST:PORT/DATABASE)")
    }
    let database = String(components.path.drop { $0 == "/" })
    guard !database.isEmpty, !database.contains("/") else {
      throw .invalid(text, reason: "no database name after the host")
    }
    let port = components.port ?? 5432
    guard (1...65535).contains(port) else { throw .invalid(text, reason: "port \(port) is out of range") }
    self = .postgresql(PostgresEndpoint(user: user, host: host, port: port, database: database))
  }

  /// The URL as given to ``init(parsing:)`` (never with a password).
  public var description: String {
    switch self {
    case .sqlite(let path): "sqlite:\(path)"
    case .postgresql(let endpoint): endpoint.description
    }
  }

  /// `text` with anything between `://USER:` and `@` replaced by `***`.
  static func redacted(_ text: String) -> String {
    guard let scheme = text.range(of: "://"), let at = text.range(of: "@", options: .backwards),
      scheme.upperBound < at.lowerBound
    else { return text }
    let credentials = text[scheme.upperBound..<at.lowerBound]
    guard let colon = credentials.firstIndex(of: ":") else { return text }
    return text[..<text.index(after: colon)] + "***" + text[at.lowerBound...]
  }
}

/// A PostgreSQL server, user and database.
public struct PostgresEndpoint: Sendable, Equatable, CustomStringConvertible {
  /// The role to connect as.
  public var user: String
  /// Host name or address.
  public var host: String
  /// TCP port.
  public var port: Int
  /// Database name.
  public var database: String

  /// Creates an endpoint.
  public init(user: String, host: String, port: Int, database: String) {
    self.user = user
    self.host = host
    self.port = port
    self.database = database
  }

  /// `postgresql://USER@HOST:PORT/DATABASE`.
  public var description: String { "postgresql://\(user)@\(host):\(port)/\(database)" }

  /// The password for this endpoint: `PGPASSWORD` (unless empty), else the first matching line of the password file
  /// (`PGPASSFILE`, else `~/.pgpass`; `host:port:database:user:password`, `*` matching anything,
  /// `\:` and `\\` escaped), else `nil`.
  public func password(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
    if let password = environment["PGPASSWORD"], !password.isEmpty { return password }
    let file =
      environment["PGPASSFILE"]
      ?? environment["HOME"].map { "\($0)/.pgpass" }
    guard let file, let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
    for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
      let fields = Self.passFileFields(line)
      guard fields.count == 5 else { continue }
      func matches(_ field: String, _ value: String) -> Bool { field == "*" || field == value }
      if matches(fields[0], host) && matches(fields[1], String(port)) && matches(fields[2], database)
        && matches(fields[3], user)
      {
        return fields[4]
      }
    }
    return nil
  }

  /// The colon-separated fields of a password-file line, unescaping `\:` and `\\`.
  static func passFileFields(_ line: Substring) -> [String] {
    var fields: [String] = []
    var current = ""
    var escaped = false
    for character in line {
      if escaped {
        current.append(character)
        escaped = false
      } else if character == "\\" {
        escaped = true
      } else if character == ":" && fields.count < 4 {
        fields.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    fields.append(current)
    return fields
  }
}

/// A catalog URL that cannot be used.
public enum CatalogURLError: Error, LocalizedError, Equatable {
  /// The text (password removed) and what is wrong with it.
  case invalid(String, reason: String)

  /// A one-line description naming the URL (without its password) and the reason.
  public var errorDescription: String? {
    switch self {
    case .invalid(let url, let reason): "invalid catalog URL \(url): \(reason)"
    }
  }
}

extension CatalogURL {
  /// Whether the catalog is a SQLite file.
  public var isSQLite: Bool {
    if case .sqlite = self { return true }
    return false
  }
}
