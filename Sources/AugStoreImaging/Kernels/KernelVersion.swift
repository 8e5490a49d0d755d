/// The arithmetic version of augstore's kernels, where a change of arithmetic changes pixels.
///
/// Kernel arithmetic is part of what a run depends on, like its draw scheme and decoder: each run
/// records the version it was created with and is always rendered with it, so a run made before a
/// kernel follows Keras more closely keeps replaying bit for bit. New runs get ``current``.
public enum KernelVersion: Int, Sendable, Codable, CaseIterable, Comparable {
  /// Gaussian taps (`RandomGaussianBlur`, `RandomElasticTransform`) normalised by their sum taken left
  /// to right: runs made before kernel versions were recorded.
  case sequentialGaussianSum = 1
  /// Gaussian taps normalised by their sum taken in TensorFlow's `reduce_sum` order
  /// (``Kernels/tensorFlowSum(_:)``), as Keras 3 normalises them on the TensorFlow backend. From 8
  /// taps on the two sums can differ in the last bit, and with them an output pixel.
  case tensorFlowGaussianSum = 2

  /// The version new runs record.
  public static let current = KernelVersion.tensorFlowGaussianSum

  /// Orders versions by number.
  public static func < (lhs: KernelVersion, rhs: KernelVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}
