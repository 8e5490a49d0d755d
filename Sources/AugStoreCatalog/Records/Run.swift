import GRDB

/// One training run's augmentation plan: dataset version, pipeline, master seed, shuffle.
///
/// A run is immutable once created: its records are drawn from exactly these inputs.
public struct Run: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
  /// The table that holds runs.
  public static let databaseTableName = "runs"
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

  /// Row id; `nil` until inserted.
  public var id: Int64?
  /// The run's name, unique in the store.
  public var name: String
  /// The dataset version the run trains on.
  public var datasetVersionId: Int64
  /// The pipeline version the run augments with.
  public var pipelineId: Int64
  /// The master seed's bit pattern (a `UInt64` stored as `Int64`).
  public var seed: Int64
  /// Whether each epoch visits the samples in a shuffled order.
  public var shuffle: Bool
  /// The draw-addressing scheme the run's parameters are drawn with.
  public var drawScheme: Int
  /// When the run was created (ISO 8601).
  public var createdAt: String
  /// The decoder version its originals are decoded with (`DecoderVersion`; 1 for runs made before
  /// decoder versions were recorded).
  public var decoder: Int
  /// The global batch size the run's batch-level layer (MixUp, CutMix) mixes within; nil for runs
  /// without one.
  public var batchSize: Int?
  /// The kernel version its tensors are rendered with (`KernelVersion`; 1 for runs made before kernel
  /// versions were recorded).
  public var kernels: Int

  /// Describes a run.
  public init(
    id: Int64? = nil, name: String, datasetVersionId: Int64, pipelineId: Int64, seed: UInt64, shuffle: Bool,
    drawScheme: Int, createdAt: String, decoder: Int = 1, batchSize: Int? = nil, kernels: Int = 1
  ) {
    self.id = id
    self.name = name
    self.datasetVersionId = datasetVersionId
    self.pipelineId = pipelineId
    self.seed = Int64(bitPattern: seed)
    self.shuffle = shuffle
    self.drawScheme = drawScheme
    self.createdAt = createdAt
    self.decoder = decoder
    self.batchSize = batchSize
    self.kernels = kernels
  }

  /// The master seed.
  public var masterSeed: UInt64 { UInt64(bitPattern: seed) }

  /// Takes the row id SQLite assigned.
  public mutating func didInsert(_ inserted: InsertionSuccess) {
    id = inserted.rowID
  }
}

extension Run {
  /// Reads a row of `runs` by column name (the snake_case form of each property name), the
  /// values `Decodable` reads: without its coding keys, whose first use looks them up among every
  /// protocol conformance of the binary (a `history` process reads only a few rows).
  public init(row: Row) throws {
    id = try row.decode(forColumn: "id")
    name = try row.decode(forColumn: "name")
    datasetVersionId = try row.decode(forColumn: "dataset_version_id")
    pipelineId = try row.decode(forColumn: "pipeline_id")
    seed = try row.decode(forColumn: "seed")
    shuffle = try row.decode(forColumn: "shuffle")
    drawScheme = try row.decode(forColumn: "draw_scheme")
    createdAt = try row.decode(forColumn: "created_at")
    decoder = try row.decode(forColumn: "decoder")
    batchSize = try row.decode(forColumn: "batch_size")
    kernels = try row.decode(forColumn: "kernels")
  }
}
