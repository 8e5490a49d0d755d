/// How a run turns its Philox draws into parameters: the persistent contract behind every record.
///
/// The addressing and the raw formulas in this file (keys, counters, unit doubles, Lemire integers)
/// are the same in every scheme; a scheme fixes what each transform draws from them (see
/// ``TransformSpec/drawParams(address:inputSize:scheme:)``). Runs record the scheme they were created
/// with and keep it for all their epochs, so a run's later epochs draw as its first ones did; records
/// (not re-draws) stay the source of truth for replay. Add a case with any change that alters a draw.
public enum DrawScheme: Int, Sendable, Codable, CaseIterable, Comparable {
  /// Runs created before scheme 2: `RandomCrop` draws an offset on every side where the crop fits.
  case uniformCrop = 1
  /// What Keras 3.15.1 draws: `RandomCrop` draws offsets only when the image is larger than the crop on
  /// both sides, and otherwise takes the centre crop (its `get_random_transformation`).
  case keras = 2

  /// The scheme new runs record.
  public static let current = DrawScheme.keras

  /// Orders schemes by number.
  public static func < (lhs: DrawScheme, rhs: DrawScheme) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The number of the draw scheme new runs record (``DrawScheme/current``).
public let drawSchemeVersion = DrawScheme.current.rawValue

/// Domain constants: Philox key word 1, separating independent families of draws.
///
/// Every draw uses the Philox key `(seed, domain)`, so two families with the same seed never share a
/// Philox block, whatever their counters.
public enum DrawDomain {
  /// Per-sample parameter draws: ASCII "augs-prm" (`0x6175_6773_2D70_726D`).
  public static let sampleParameters: UInt64 = 0x6175_6773_2D70_726D
  /// Epoch shuffle orders: ASCII "augs-shf" (`0x6175_6773_2D73_6866`).
  public static let shuffle: UInt64 = 0x6175_6773_2D73_6866
  /// Batch-level mixing (MixUp, CutMix): ASCII "augs-mix" (`0x6175_6773_2D6D_6978`).
  public static let batchMixing: UInt64 = 0x6175_6773_2D6D_6978
}

/// Which consumer of a sample's draws a stream belongs to: one transform of the pipeline, or the
/// "original this epoch?" decision.
public enum DrawSlot: Hashable, Sendable {
  /// The draws of the transform at this index of the pipeline (0-based, must be non-negative).
  case transform(Int)
  /// The single draw deciding whether the sample is recorded as an original this epoch.
  case originalDecision

  /// Counter word 2 for this slot: the transform index, or `UInt64.max` (index -1 as two's complement)
  /// for the original decision.
  @inlinable
  public var counterWord: UInt64 {
    switch self {
    case .transform(let index): UInt64(truncatingIfNeeded: index)
    case .originalDecision: UInt64.max
    }
  }
}

/// The address of one stream of per-sample draws: (run seed, sample key, epoch, slot).
///
/// Layout (every ``DrawScheme``) of the Philox4x64-10 call behind draw number `d` of the stream:
///
/// ```
/// key     = [seed, DrawDomain.sampleParameters]
/// counter = [sampleKey, epoch, slot.counterWord, d >> 2]     (counter[0] least significant)
/// word    = block(key, counter)[d & 3]
/// ```
///
/// Draw index `d` counts 64-bit words from 0; each Philox block supplies four consecutive draws.
/// Epochs are 0-based and stored as their 64-bit two's complement pattern.
public struct DrawAddress: Hashable, Sendable {
  /// The run's master seed (Philox key word 0).
  public var seed: UInt64
  /// The sample whose draws these are (counter word 0).
  public var sampleKey: SampleKey
  /// The 0-based epoch (counter word 1).
  public var epoch: Int
  /// The transform (or original decision) the draws belong to (counter word 2).
  public var slot: DrawSlot

  /// Creates the address of one sample's draws for one slot in one epoch.
  public init(seed: UInt64, sampleKey: SampleKey, epoch: Int, slot: DrawSlot) {
    self.seed = seed
    self.sampleKey = sampleKey
    self.epoch = epoch
    self.slot = slot
  }

  /// The Philox key of this address: `[seed, DrawDomain.sampleParameters]`.
  @inlinable
  public var key: SIMD2<UInt64> {
    SIMD2(seed, DrawDomain.sampleParameters)
  }

  /// The Philox counter of this address with word 3 (the block index) set to zero.
  @inlinable
  public var counterBase: SIMD4<UInt64> {
    SIMD4(sampleKey.rawValue, UInt64(truncatingIfNeeded: epoch), slot.counterWord, 0)
  }

  /// Draw number `index` of this address (random access; equals the `index`-th word of its stream).
  @inlinable
  public func word(at index: UInt64) -> UInt64 {
    DrawStream.word(key: key, counterBase: counterBase, index: index)
  }
}

/// A sequential reader of the draws at one Philox key and counter prefix, with the documented formulas
/// that turn raw 64-bit words into doubles, booleans and integers.
///
/// Draw `d` is `Philox4x64.block(key, counterBase + [0, 0, 0, d >> 2])[d & 3]`. A stream is a small value
/// type: reading never allocates, and two streams at the same address yield the same words. Formulas
/// (every ``DrawScheme``):
///
/// - unit double: `Double(word >> 11) * 2^-53`, in [0, 1), one draw.
/// - double in [lo, hi): `lo + (hi - lo) * u`, clamped below `hi` (`hi.nextDown`); `lo` when `lo >= hi`.
/// - Bool with probability p: `u < p`, one draw (p <= 0: never true; p >= 1: always true).
/// - integer in [0, n): Lemire's multiply-and-reject: `m = word * n` (128-bit); if `low(m) < n`, reject
///   while `low(m) < (2^64 - n) mod n`, each retry consuming the next draw; result `high(m)`.
public struct DrawStream: Sendable {
  /// The Philox key of the stream.
  public let key: SIMD2<UInt64>
  /// The counter of the stream's first block; word 3 is the block index and must be zero here.
  public let counterBase: SIMD4<UInt64>
  /// How many draws (64-bit words) the stream has consumed: the index of the next draw.
  @inlinable public var drawIndex: UInt64 { nextIndex }
  @usableFromInline var nextIndex: UInt64
  @usableFromInline var block: SIMD4<UInt64>
  @usableFromInline var blockIndex: UInt64

  /// Creates a stream at an explicit Philox key and counter prefix (word 3 is ignored and replaced by
  /// the block index).
  @inlinable
  public init(key: SIMD2<UInt64>, counterBase: SIMD4<UInt64>) {
    self.key = key
    var base = counterBase
    base[3] = 0
    self.counterBase = base
    self.nextIndex = 0
    self.block = Philox4x64.block(key: key, counter: base)
    self.blockIndex = 0
  }

  /// Creates the stream of per-sample draws at `address`.
  @inlinable
  public init(address: DrawAddress) {
    self.init(key: address.key, counterBase: address.counterBase)
  }

  /// Draw number `index` at a key and counter prefix, without a stream.
  @inlinable
  public static func word(key: SIMD2<UInt64>, counterBase: SIMD4<UInt64>, index: UInt64) -> UInt64 {
    var counter = counterBase
    counter[3] = index >> 2
    return Philox4x64.block(key: key, counter: counter)[Int(index & 3)]
  }

  /// Returns the next raw 64-bit draw.
  @inlinable
  public mutating func nextWord() -> UInt64 {
    let wanted = nextIndex >> 2
    if wanted != blockIndex {
      var counter = counterBase
      counter[3] = wanted
      block = Philox4x64.block(key: key, counter: counter)
      blockIndex = wanted
    }
    let word = block[Int(nextIndex & 3)]
    nextIndex &+= 1
    return word
  }

  /// Maps a raw word to a double in [0, 1): `Double(bits >> 11) * 2^-53`.
  @inlinable
  public static func unitDouble(_ bits: UInt64) -> Double {
    Double(bits >> 11) * 0x1p-53
  }

  /// Maps `u` in [0, 1) to [lo, hi): `lo + (hi - lo) * u`, kept below `hi`; returns `lo` if `lo >= hi`.
  @inlinable
  public static func scale(_ u: Double, lower: Double, upper: Double) -> Double {
    guard lower < upper else { return lower }
    let value = lower + (upper - lower) * u
    if value >= upper { return upper.nextDown }
    return max(value, lower)
  }

  /// The next draw as a double in [0, 1) (one draw).
  @inlinable
  public mutating func nextUnitDouble() -> Double {
    Self.unitDouble(nextWord())
  }

  /// The next draw as a double in [lower, upper) (one draw); `lower` when the range is empty.
  @inlinable
  public mutating func nextDouble(lower: Double, upper: Double) -> Double {
    Self.scale(nextUnitDouble(), lower: lower, upper: upper)
  }

  /// The next draw as a Bool that is true with probability `probability`: `u < probability` (one draw).
  @inlinable
  public mutating func nextBool(probability: Double) -> Bool {
    nextUnitDouble() < probability
  }

  /// An unbiased integer in [0, `bound`) by Lemire's multiply-and-reject method.
  ///
  /// Consumes one draw, plus one per rejection (rare: probability below `bound / 2^64`).
  /// - Precondition: `bound > 0`.
  @inlinable
  public mutating func nextUInt64(below bound: UInt64) -> UInt64 {
    precondition(bound > 0, "bound must be positive")
    var product = nextWord().multipliedFullWidth(by: bound)
    if product.low < bound {
      let threshold = (0 &- bound) % bound
      while product.low < threshold {
        product = nextWord().multipliedFullWidth(by: bound)
      }
    }
    return product.high
  }

  /// An unbiased integer in [0, `bound`) (see ``nextUInt64(below:)``).
  /// - Precondition: `bound > 0`.
  @inlinable
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    return Int(truncatingIfNeeded: nextUInt64(below: UInt64(bound)))
  }
}
