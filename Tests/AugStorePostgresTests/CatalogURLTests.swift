import AugStorePostgres
import Foundation
import Testing

@Suite("Catalog URLs")
struct CatalogURLTests {
  @Test func aPostgresURLNamesUserHostPortAndDatabase() throws {
    let url = try CatalogURL(parsing: "postgresql://trainer@db.example:6543/augstore")
    #expect(
      url
        == .postgresql(
          PostgresEndpoint(user: "trainer", host: "db.example", port: 6543, database: "augstore")))
    #expect(url.description == "postgresql://trainer@db.example:6543/augstore")
    let defaultPort = try CatalogURL(parsing: "postgres://trainer@db/cat")
    #expect(
      defaultPort == .postgresql(PostgresEndpoint(user: "trainer", host: "db", port: 5432, database: "cat")))
  }

  @Test func aSQLiteURLNamesAFile() throws {
    #expect(try CatalogURL(parsing: "sqlite:/data/catalog.sqlite") == .sqlite(path: "/data/catalog.sqlite"))
  }

  @Test(arguments: [
    ("mysql://u@h/d", "expected postgresql://"),
    ("postgresql://h:5432/d", "no user"),
    ("postgresql://u@h:5432", "no database"),
    ("postgresql://u@h:5432/", "no database"),
    ("postgresql:///d", "no host"),
    ("sqlite:", "no file"),
  ])
  func badURLsAreRefusedWithTheReason(text: String, reason: String) {
    #expect {
      try CatalogURL(parsing: text)
    } throws: { error in
      guard case .invalid(_, let why) = error as? CatalogURLError else { return false }
      return why.contains(reason)
    }
  }

  @Test func aPasswordInTheURLIsRefusedAndNeverRepeated() {
    #expect {
      try CatalogURL(parsing: "postgresql://u:s3cret@h:5432/d")
    } throws: { error in
      let text = (error as? CatalogURLError)?.errorDescription ?? ""
      return !text.contains("s3cret") && text.contains("postgresql://u:***@h:5432/d")
        && text.contains("PGPASSWORD")
    }
  }

  @Test func thePasswordComesFromPGPASSWORDThenThePasswordFile() throws {
    let folder = FileManager.default.temporaryDirectory.path + "/augstore-pgpass-\(getpid())"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let file = folder + "/pgpass"
    try """
    # comment
    other:5432:*:u:wrong
    h:5432:d:other:wrong
    h:*:d:u:pa\\:ss\\\\word
    *:*:*:*:fallback
    """.write(toFile: file, atomically: true, encoding: .utf8)
    let endpoint = PostgresEndpoint(user: "u", host: "h", port: 5432, database: "d")
    #expect(endpoint.password(environment: ["PGPASSFILE": file]) == "pa:ss\\word")
    #expect(endpoint.password(environment: ["PGPASSFILE": file, "PGPASSWORD": "env"]) == "env")
    let other = PostgresEndpoint(user: "x", host: "y", port: 1, database: "z")
    #expect(other.password(environment: ["PGPASSFILE": file]) == "fallback")
    #expect(other.password(environment: ["PGPASSFILE": folder + "/missing"]) == nil)
  }
}
