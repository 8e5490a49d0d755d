import AugStoreCatalog
import Foundation
import NIOCore
import PostgresNIO

/// The catalog's records built from PostgreSQL rows, column by column.
///
/// Each `…Columns` list is the select list its decoder reads, in order.
enum PostgresRows {
  static let datasetColumns = "id, name, created_at"
  static let versionColumns =
    "id, dataset_id, number, message, sample_count, total_bytes, content_digest, created_at"
  static let sampleColumns = "position, path, object_hash, label"
  static let objectColumns = "hash, size, width, height, channels, created_at, format, orientation"
  static let tagColumns = "dataset_id, name, version_id, created_at"
  static let pipelineColumns = "id, name, version, fingerprint, spec, created_at"
  static let runColumns =
    "id, name, dataset_version_id, pipeline_id, seed, shuffle, draw_scheme, created_at, decoder, batch_size, kernels"

  static func dataset(_ row: PostgresRow) throws -> Dataset {
    let (id, name, createdAt) = try row.decode((Int64, String, String).self)
    return Dataset(id: id, name: name, createdAt: createdAt)
  }

  static func version(_ row: PostgresRow) throws -> DatasetVersion {
    let (id, datasetId, number, message, sampleCount, totalBytes, digest, createdAt) = try row.decode(
      (Int64, Int64, Int, String?, Int, Int, String, String).self)
    return DatasetVersion(
      id: id, datasetId: datasetId, number: number, message: message, sampleCount: sampleCount,
      totalBytes: totalBytes, contentDigest: digest, createdAt: createdAt)
  }

  static func sample(_ row: PostgresRow) throws -> Sample {
    let (position, path, objectHash, label) = try row.decode((Int, String, String, String?).self)
    return Sample(position: position, path: path, objectHash: objectHash, label: label)
  }

  static func object(_ row: PostgresRow) throws -> StoredObject {
    let (hash, size, width, height, channels, createdAt, format, orientation) = try row.decode(
      (String, Int, Int, Int, Int, String, String, Int?).self)
    return StoredObject(
      hash: hash, size: size, width: width, height: height, channels: channels, createdAt: createdAt,
      format: format, orientation: orientation)
  }

  static func tag(_ row: PostgresRow) throws -> Tag {
    let (datasetId, name, versionId, createdAt) = try row.decode((Int64, String, Int64, String).self)
    return Tag(datasetId: datasetId, name: name, versionId: versionId, createdAt: createdAt)
  }

  static func pipeline(_ row: PostgresRow) throws -> Pipeline {
    let (id, name, version, fingerprint, spec, createdAt) = try row.decode(
      (Int64, String, Int, String, String, String).self)
    return Pipeline(
      id: id, name: name, version: version, fingerprint: fingerprint, spec: spec, createdAt: createdAt)
  }

  static func run(_ row: PostgresRow) throws -> Run {
    let (id, name, versionId, pipelineId, seed, shuffle, drawScheme, createdAt, decoder, batchSize, kernels) =
      try row.decode((Int64, String, Int64, Int64, Int64, Int, Int, String, Int, Int?, Int).self)
    return Run(
      id: id, name: name, datasetVersionId: versionId, pipelineId: pipelineId,
      seed: UInt64(bitPattern: seed), shuffle: shuffle != 0, drawScheme: drawScheme, createdAt: createdAt,
      decoder: decoder, batchSize: batchSize, kernels: kernels)
  }
}
