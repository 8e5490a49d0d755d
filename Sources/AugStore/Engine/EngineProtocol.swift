import Foundation

/// The messages of the engine protocol: how a client (the Python package) asks a long-lived
/// `augstore engine` process for batches.
///
/// Framing, both ways over a pipe: every message is one line of JSON (UTF-8, ended by `\n`). A
/// response may be followed by `payload` raw bytes. The engine speaks first with a ``Hello``;
/// the client then sends requests, and the engine answers each one, in the order sent, with
/// exactly one response. A client may send several requests before reading (prefetch).
///
/// Requests (`op` names the kind):
///
/// ```
/// {"op": "open", "run": "exp1"}                      -> RunInfo
/// {"op": "epoch", "epoch": 2, "batch_size": 64, "drop_last": false}
///                                                    -> EpochInfo (records the epoch first if needed)
/// {"op": "batch", "epoch": 2, "index": 5, "batch_size": 64, "drop_last": false,
///  "rank": 0, "world_size": 1, "delivery": "streaming"}
///                                                    -> BatchHeader, then `payload` bytes of tensor data
/// {"op": "close"}                                    -> {"ok": true}, then the engine exits
/// ```
///
/// A request that fails gets `{"ok": false, "error": "<one line>"}` and the engine goes on.
public enum EngineProtocol {
  /// The protocol version this engine speaks; a client of another version must refuse it.
  public static let version = 1

  /// The engine's first message.
  public struct Hello: Codable, Sendable, Equatable {
    /// ``EngineProtocol/version``.
    public var protocolVersion: Int
    /// The engine's program and version, e.g. `augstore 0.1.0`.
    public var engine: String

    enum CodingKeys: String, CodingKey {
      case protocolVersion = "protocol"
      case engine
    }
  }

  /// A client's request; which fields matter depends on `op`.
  public struct Request: Codable, Sendable, Equatable {
    /// `open`, `epoch`, `batch` or `close`.
    public var op: String
    /// `open`: the run's name.
    public var run: String?
    /// `epoch`, `batch`: the epoch.
    public var epoch: Int?
    /// `batch`: the global batch index within the epoch.
    public var index: Int?
    /// `epoch`, `batch`: samples per global batch.
    public var batchSize: Int?
    /// `epoch`, `batch`: whether a short last batch is left out.
    public var dropLast: Bool?
    /// `batch`: this client's rank (default 0).
    public var rank: Int?
    /// `batch`: the number of ranks (default 1).
    public var worldSize: Int?
    /// `batch`: `streaming` (default) or `cached`.
    public var delivery: BatchDelivery?

    enum CodingKeys: String, CodingKey {
      case op, run, epoch, index, rank, delivery
      case batchSize = "batch_size"
      case dropLast = "drop_last"
      case worldSize = "world_size"
    }
  }

  /// The answer to `open`.
  public struct RunInfo: Codable, Sendable, Equatable {
    /// Always `true`.
    public var ok = true
    /// The run's name.
    public var run: String
    /// Its dataset version, `NAME@vN`.
    public var dataset: String
    /// Its pipeline, `NAME@vN`.
    public var pipeline: String
    /// The pipeline's fingerprint.
    public var fingerprint: String
    /// Samples per epoch.
    public var samples: Int
    /// Class names in sorted order; a batch's labels index this list.
    public var labels: [String]
    /// The recorded epochs.
    public var recordedEpochs: [Int]
    /// The tensors' element type as a NumPy dtype string: `|u1` or `<f4`.
    public var dtype: String
    /// `channels_last` or `channels_first`.
    public var layout: String
    /// Whether batches carry mixed one-hot labels (`soft_labels`): the pipeline has MixUp or CutMix.
    public var softLabels: Bool = false

    enum CodingKeys: String, CodingKey {
      case ok, run, dataset, pipeline, fingerprint, samples, labels, dtype, layout
      case recordedEpochs = "recorded_epochs"
      case softLabels = "soft_labels"
    }
  }

  /// The answer to `epoch`.
  public struct EpochInfo: Codable, Sendable, Equatable {
    /// Always `true`.
    public var ok = true
    /// The epoch.
    public var epoch: Int
    /// Samples in the epoch.
    public var samples: Int
    /// Global batches in the epoch for the request's batch size and `drop_last`.
    public var batches: Int
  }

  /// The answer to `batch`, followed by `payload` bytes (streaming delivery).
  public struct BatchHeader: Codable, Sendable, Equatable {
    /// Always `true`.
    public var ok = true
    /// The epoch.
    public var epoch: Int
    /// The global batch index.
    public var index: Int
    /// The first position in the epoch's order of this slice.
    public var start: Int
    /// The stacked shape, `[count] + tensor shape`.
    public var shape: [Int]
    /// NumPy dtype string, `|u1` or `<f4`.
    public var dtype: String
    /// The samples' relative paths, in order.
    public var samples: [String]
    /// Their class indexes, -1 for unlabelled.
    public var labels: [Int64]
    /// For a pipeline with MixUp or CutMix: one mixed one-hot row per sample (`[count][classes]`);
    /// absent otherwise.
    public var softLabels: [[Float]]?
    /// Lowercase hex SHA-256 of each tensor's `.npy` bytes.
    public var digests: [String]
    /// Tensors whose digest this delivery recorded (their first delivery).
    public var recorded: Int
    /// Cached delivery: each tensor's `.npy` file in the cache.
    public var files: [String]
    /// Bytes of tensor data that follow this line (streaming delivery), C order.
    public var payload: Int

    enum CodingKeys: String, CodingKey {
      case ok, epoch, index, start, shape, dtype, samples, labels, digests, recorded, files, payload
      case softLabels = "soft_labels"
    }
  }

  /// The answer to a request that failed.
  public struct Failure: Codable, Sendable, Equatable {
    /// Always `false`.
    public var ok = false
    /// One line naming the run, epoch, batch, sample or path at fault.
    public var error: String
  }

  /// The answer to `close`.
  public struct Closed: Codable, Sendable, Equatable {
    /// Always `true`.
    public var ok = true
  }
}
