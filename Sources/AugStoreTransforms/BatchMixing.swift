import AugStoreImaging
import Foundation

/// The box CutMix took from the partner: pixel columns `x..<x+width` and rows `y..<y+height`.
public struct MixBox: Hashable, Sendable {
  /// First column.
  public var x: Int
  /// First row.
  public var y: Int
  /// Number of columns.
  public var width: Int
  /// Number of rows.
  public var height: Int

  /// Creates a box.
  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }
}

/// What a batch-level layer (MixUp, CutMix) did to one sample: its partner in the batch, the weight,
/// and the partner's own per-sample parameters, so the record alone reproduces the tensor.
///
/// MixUp's image is `weight · x + (1 − weight) · partner`; CutMix's is `x` with ``box`` taken from the
/// partner. Either way the soft label is `weight · label + (1 − weight) · partner's label` (for CutMix,
/// `weight` is 1 minus the box's share of the image, as Keras computes it from the continuous box).
public struct MixRecord: Hashable, Sendable {
  /// The partner's sample index in the run's dataset version (the sample itself when the batch's
  /// permutation left it in place).
  public var partner: Int
  /// The sample's own weight in the mix (image weight for MixUp, label weight for both).
  public var weight: Float
  /// CutMix's box; nil for MixUp.
  public var box: MixBox?
  /// The partner's record for the transforms before the batch-level layer (its params count equals
  /// the batch-level layer's index, or empty when the partner was an original that epoch).
  public var partnerRecord: SampleRecord

  /// Creates a mix record.
  public init(partner: Int, weight: Float, box: MixBox?, partnerRecord: SampleRecord) {
    self.partner = partner
    self.weight = weight
    self.box = box
    self.partnerRecord = partnerRecord
  }
}

/// One member's draw of a batch-level layer, before the recorder attaches the partner's record.
public struct MixDraw: Hashable, Sendable {
  /// The partner's position within the batch (0-based).
  public var partnerSlot: Int
  /// The sample's weight (see ``MixRecord/weight``).
  public var weight: Float
  /// CutMix's box; nil for MixUp.
  public var box: MixBox?
}

extension PipelineSpec {
  /// The index of the pipeline's batch-level layer (MixUp or CutMix), if it has one.
  public var batchLevelIndex: Int? { transforms.firstIndex(where: \.isBatchLevel) }

  /// Draws the batch-level layer's parameters for global batch `batch` of `epoch`: a pure function of
  /// (seed, epoch, batch) and the members' image sizes at the layer (`sizes[i]`, in batch order).
  ///
  /// Draws come from the stream at key `[seed, DrawDomain.batchMixing]`, counter
  /// `[batch, epoch, layer index, block]`, in Keras' order:
  /// - MixUp: the permutation (Fisher–Yates from the last slot down, `j = int below (i + 1)`), then
  ///   per member `w ~ Beta(alpha, alpha)`.
  /// - CutMix: `alpha = U(factor) + 1e-6` once per batch; per member `w ~ Beta(alpha, alpha)`, then per
  ///   member `x0 = u · (W − r W)` and then per member `y0 = u · (H − r H)` with `r = sqrt(1 − w)`;
  ///   then the permutation. The box holds the pixels `x0 ≤ col < x0 + r W` (rows likewise) and the
  ///   weight is `1 − r W · r H / (W H)`.
  ///
  /// Beta draws are `X / (X + Y)` of two Gamma draws (Marsaglia–Tsang, with Box–Muller normals, in
  /// log space for shapes below 1). They use the platform's `log`, `exp`, `cos` and `pow`, so they are
  /// drawn once and recorded: replay reads the record and never draws again.
  public func drawMixes(seed: UInt64, epoch: Int, batch: Int, sizes: [ImageSize]) -> [MixDraw] {
    guard let index = batchLevelIndex, !sizes.isEmpty else { return [] }
    var stream = DrawStream(
      key: SIMD2(seed, DrawDomain.batchMixing),
      counterBase: SIMD4(UInt64(batch), UInt64(truncatingIfNeeded: epoch), UInt64(index), 0))
    let count = sizes.count
    switch transforms[index] {
    case .mixUp(let alpha):
      let permutation = Self.permutation(count: count, stream: &stream)
      return (0..<count).map { slot in
        MixDraw(
          partnerSlot: permutation[slot], weight: Float(Self.beta(alpha, stream: &stream)), box: nil)
      }
    case .cutMix(let factor):
      let alpha = stream.nextDouble(lower: factor.lower, upper: factor.upper) + 1e-6
      let weights = (0..<count).map { _ in Self.beta(alpha, stream: &stream) }
      let ratios = weights.map { (1 - $0).squareRoot() }
      let x0 = (0..<count).map { slot in
        stream.nextUnitDouble() * (Double(sizes[slot].width) - ratios[slot] * Double(sizes[slot].width))
      }
      let y0 = (0..<count).map { slot in
        stream.nextUnitDouble() * (Double(sizes[slot].height) - ratios[slot] * Double(sizes[slot].height))
      }
      let permutation = Self.permutation(count: count, stream: &stream)
      return (0..<count).map { slot in
        let (height, width) = (Double(sizes[slot].height), Double(sizes[slot].width))
        let boxWidth = ratios[slot] * width
        let boxHeight = ratios[slot] * height
        let x = Int(x0[slot].rounded(.up))
        let y = Int(y0[slot].rounded(.up))
        let xEnd = min(Int((x0[slot] + boxWidth).rounded(.up)), sizes[slot].width)
        let yEnd = min(Int((y0[slot] + boxHeight).rounded(.up)), sizes[slot].height)
        let box = MixBox(x: x, y: y, width: max(xEnd - x, 0), height: max(yEnd - y, 0))
        return MixDraw(
          partnerSlot: permutation[slot], weight: Float(1 - boxWidth * boxHeight / (width * height)), box: box
        )
      }
    default:
      return []
    }
  }

  /// A uniform permutation of `0..<count`: `permutation[slot]` is the slot whose image `slot` mixes in.
  static func permutation(count: Int, stream: inout DrawStream) -> [Int] {
    var permutation = Array(0..<count)
    var i = count - 1
    while i > 0 {
      permutation.swapAt(i, stream.nextInt(below: i + 1))
      i -= 1
    }
    return permutation
  }

  /// `Beta(alpha, alpha)` as `X / (X + Y)`, computed as `1 / (1 + exp(log Y − log X))`.
  static func beta(_ alpha: Double, stream: inout DrawStream) -> Double {
    let logX = logGamma(alpha, stream: &stream)
    let logY = logGamma(alpha, stream: &stream)
    let difference = logY - logX
    if difference > 700 { return 0 }
    if difference < -700 { return 1 }
    return 1 / (1 + exp(difference))
  }

  /// The logarithm of a `Gamma(shape, 1)` draw (Marsaglia–Tsang; shapes below 1 boosted by `U^(1/shape)`).
  static func logGamma(_ shape: Double, stream: inout DrawStream) -> Double {
    if shape < 1 {
      let boosted = logGamma(shape + 1, stream: &stream)
      let u = max(stream.nextUnitDouble(), 0x1p-60)
      return boosted + log(u) / shape
    }
    let d = shape - 1.0 / 3
    let c = 1 / (9 * d).squareRoot()
    while true {
      var x = 0.0
      var v = 0.0
      repeat {
        x = normal(stream: &stream)
        v = 1 + c * x
      } while v <= 0
      v = v * v * v
      let u = stream.nextUnitDouble()
      if u < 1 - 0.0331 * x * x * x * x { return log(d * v) }
      if log(max(u, 0x1p-60)) < 0.5 * x * x + d * (1 - v + log(v)) { return log(d * v) }
    }
  }

  /// A standard normal draw (Box–Muller, two draws).
  static func normal(stream: inout DrawStream) -> Double {
    let u1 = max(stream.nextUnitDouble(), 0x1p-60)
    let u2 = stream.nextUnitDouble()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }
}
