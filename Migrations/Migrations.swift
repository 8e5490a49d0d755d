/// One numbered schema file from `Migrations/SQL`, compiled into the binary.
package struct SchemaMigration: Sendable {
  /// The schema version this file brings the catalog to (the file's number).
  package let version: Int
  /// The file name without extension, e.g. `0001_initial`; the migrator's identifier.
  package let identifier: String
  /// The SQL text of the file.
  package let sql: String

  /// A schema file's version, identifier and text.
  package init(version: Int, identifier: String, sql: String) {
    self.version = version
    self.identifier = identifier
    self.sql = sql
  }
}

/// The catalog's schema files in the order they apply.
///
/// Every `.sql` file under `Migrations/SQL` must be listed here exactly once, with its number;
/// a test compares this list with the folder. A file that has shipped is never edited: a change
/// to the schema is a new file with the next number.
package enum SchemaMigrations {
  /// All migrations, oldest first.
  package static let all: [SchemaMigration] = [
    SchemaMigration(
      version: 1, identifier: "0001_initial",
      sql: String(decoding: PackageResources._001_initial_sql, as: UTF8.self)),
    SchemaMigration(
      version: 2, identifier: "0002_pipelines_runs",
      sql: String(decoding: PackageResources._002_pipelines_runs_sql, as: UTF8.self)),
    SchemaMigration(
      version: 3, identifier: "0003_records",
      sql: String(decoding: PackageResources._003_records_sql, as: UTF8.self)),
    SchemaMigration(
      version: 4, identifier: "0004_cache",
      sql: String(decoding: PackageResources._004_cache_sql, as: UTF8.self)),
    SchemaMigration(
      version: 5, identifier: "0005_cache_checksums",
      sql: String(decoding: PackageResources._005_cache_checksums_sql, as: UTF8.self)),
    SchemaMigration(
      version: 6, identifier: "0006_decoders",
      sql: String(decoding: PackageResources._006_decoders_sql, as: UTF8.self)),
    SchemaMigration(
      version: 7, identifier: "0007_record_blocks_rowid",
      sql: String(decoding: PackageResources._007_record_blocks_rowid_sql, as: UTF8.self)),
    SchemaMigration(
      version: 8, identifier: "0008_run_batch_size",
      sql: String(decoding: PackageResources._008_run_batch_size_sql, as: UTF8.self)),
    SchemaMigration(
      version: 9, identifier: "0009_run_kernels",
      sql: String(decoding: PackageResources._009_run_kernels_sql, as: UTF8.self)),
  ]

  /// The newest schema version this binary knows.
  package static var latestVersion: Int { all.last?.version ?? 0 }
}

/// The PostgreSQL catalog's schema files (`Migrations/PostgreSQL`), in the order they apply: their
/// own numbered series, under the same rules as ``SchemaMigrations`` (a shipped file is never
/// edited; a catalog that has applied a file this binary does not know is refused untouched).
package enum PostgresSchemaMigrations {
  /// All migrations, oldest first.
  package static let all: [SchemaMigration] = [
    SchemaMigration(
      version: 1, identifier: "pg0001_initial",
      sql: String(decoding: PackageResources.pg0001_initial_sql, as: UTF8.self)),
    SchemaMigration(
      version: 2, identifier: "pg0002_record_starts",
      sql: String(decoding: PackageResources.pg0002_record_starts_sql, as: UTF8.self)),
  ]

  /// The newest schema version this binary knows.
  package static var latestVersion: Int { all.last?.version ?? 0 }
}
