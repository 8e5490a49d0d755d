import AugStoreTransforms

/// What `stats` needs of one record, read straight from its encoding (``SampleRecord/encoded()``)
/// without building its ``TransformParams``: the hash `StatsPass` gives its value, which transforms
/// changed the image, and each numeric field's value with its key (`transform *
/// StatsPass.fieldStride + field`, the index of `StatsPass.slots`).
///
/// Only records whose parameters all have a fixed layout (every tag but RandAugment, AugMix and
/// mix) are read this way; for any other record, and for any byte the general decoder would
/// reject, ``scan(_:from:)`` returns `false` and the record is decoded with
/// ``SampleRecord/decode(_:from:_:)``, which also names what is wrong. Values (in the order
/// ``TransformParams/forEachNumber(_:)`` gives them), hash and changes are exactly those of the
/// general path.
struct StatsRecordScan {
  /// The pipeline's transform count (parameters past it change the image but are not counted).
  let transformCount: Int
  /// The keys of the record's values, in the order the general path adds them.
  let keys: UnsafeMutableBufferPointer<Int>
  /// The record's values.
  let values: UnsafeMutableBufferPointer<Double>

  /// After a successful ``scan(_:from:)``: whether the record is an original.
  var original = false
  /// Where its encoding ends.
  var end = 0
  /// Its hash (see `StatsPass.mix`), the original flag not yet mixed in.
  var hash: UInt64 = 0
  /// How many parameters it holds.
  var paramCount = 0
  /// Bit `t`: transform `t` changed the image.
  var changedMask: UInt64 = 0
  /// Some parameter (counted or not) changed the image.
  var anyChange = false
  /// How many entries of ``values`` are filled.
  var valueCount = 0

  /// The most parameters a scanned record may hold (one bit of ``changedMask`` each).
  static let maxParams = 64

  init(
    transformCount: Int, keys: UnsafeMutableBufferPointer<Int>, values: UnsafeMutableBufferPointer<Double>
  ) {
    self.transformCount = transformCount
    self.keys = keys
    self.values = values
  }

  /// Reads the record that starts at `start` of `bytes`; `false` when it must go through the
  /// general decoder (the fields above are then meaningless).
  mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
    var reader = Reader(bytes: bytes, position: start)
    guard reader.has(3), reader.take() == SampleRecord.encodingVersion else { return false }
    let flags = reader.take()
    guard flags <= 1, let count = reader.varint(), count <= UInt64(Self.maxParams) else { return false }
    hash = 0x9E37_79B9_7F4A_7C15
    changedMask = 0
    anyChange = false
    valueCount = 0
    paramCount = Int(count)
    for transform in 0..<paramCount {
      guard reader.has(1) else { return false }
      let base = transform < transformCount ? transform * StatsPass.fieldStride : -1
      let changes: Bool
      let tag = reader.take()
      switch tag {
      case 0:
        hash = StatsPass.mix(hash, 0x100)
        changes = true
      case 1:
        guard let flips = reader.bool() else { return false }
        hash = StatsPass.mix(hash, 0x200 | (flips ? 1 : 0))
        changes = flips
      case 2:
        guard let angle = reader.float() else { return false }
        hash = StatsPass.mix(StatsPass.mix(hash, 0x300), Self.bits(angle))
        guard add(base, 0, Double(angle)) else { return false }
        changes = angle != 0
      case 3, 4, 20:
        guard let first = reader.float(), let second = reader.float() else { return false }
        let kind: UInt64 = tag == 3 ? 0x400 : tag == 4 ? 0x500 : 0x1400
        hash = StatsPass.mix(StatsPass.mix(StatsPass.mix(hash, kind), Self.bits(first)), Self.bits(second))
        guard add(base, 0, Double(first)), add(base, 1, Double(second)) else { return false }
        changes = tag == 3 ? first != 1 || second != 1 : first != 0 || second != 0
      case 21:
        guard let applied = reader.bool(), let first = reader.float(), let second = reader.float() else {
          return false
        }
        hash = StatsPass.mix(hash, 0x1500 | (applied ? 1 : 0))
        hash = StatsPass.mix(StatsPass.mix(hash, Self.bits(first)), Self.bits(second))
        guard add(base, 1, Double(first)), add(base, 2, Double(second)) else { return false }
        changes = applied
      case 22:
        guard let applied = reader.bool() else { return false }
        hash = StatsPass.mix(hash, 0x1600 | (applied ? 1 : 0))
        for point in 0..<8 {
          guard let value = reader.float() else { return false }
          hash = StatsPass.mix(hash, Self.bits(value))
          guard add(base, point + 1, Double(value)) else { return false }
        }
        changes = applied
      case 23:
        guard let applied = reader.bool(), let distortion = reader.float(), let seed = reader.u64() else {
          return false
        }
        hash = StatsPass.mix(hash, 0x1700 | (applied ? 1 : 0))
        hash = StatsPass.mix(StatsPass.mix(hash, Self.bits(distortion)), seed)
        guard add(base, 1, Double(distortion)) else { return false }
        changes = applied && distortion != 0
      case 5:
        guard let x = reader.int(), let y = reader.int() else { return false }
        hash = StatsPass.mix(StatsPass.mix(StatsPass.mix(hash, 0x600), UInt64(x)), UInt64(y))
        guard add(base, 0, Double(x)), add(base, 1, Double(y)) else { return false }
        changes = true
      case 6, 7, 8, 9, 15, 18:
        guard let value = reader.float() else { return false }
        let kind: UInt64
        switch tag {
        case 6: kind = 0x700
        case 7: kind = 0x800
        case 8: kind = 0x900
        case 9: kind = 0xA00
        case 15: kind = 0x1000
        default: kind = 0x1200
        }
        hash = StatsPass.mix(StatsPass.mix(hash, kind), Self.bits(value))
        guard add(base, 0, Double(value)) else { return false }
        switch tag {
        case 7, 8: changes = value != 1
        case 18: changes = value != 0.5
        default: changes = value != 0
        }
      case 10, 12:
        guard let value = reader.bool() else { return false }
        hash = StatsPass.mix(hash, (tag == 10 ? 0xB00 : 0xD00) | (value ? 1 : 0))
        changes = value
      case 11:
        guard reader.has(1) else { return false }
        let boxFlags = reader.take()
        guard boxFlags == 0 || boxFlags == 1 || boxFlags == 3 else { return false }
        guard boxFlags != 0 else {
          hash = StatsPass.mix(hash, 0xC00)
          changes = false
          break
        }
        guard let x = reader.int(), let y = reader.int(), let width = reader.int(), let height = reader.int()
        else { return false }
        hash = StatsPass.mix(StatsPass.mix(hash, 0xC01), UInt64(x))
        hash = StatsPass.mix(StatsPass.mix(StatsPass.mix(hash, UInt64(y)), UInt64(width)), UInt64(height))
        if boxFlags & 2 != 0 {
          guard let seed = reader.u64() else { return false }
          hash = StatsPass.mix(StatsPass.mix(hash, 1), seed)
        } else {
          hash = StatsPass.mix(hash, 0)
        }
        guard add(base, 1, Double(x)), add(base, 2, Double(y)), add(base, 3, Double(width)),
          add(base, 4, Double(height))
        else { return false }
        changes = width > 0 && height > 0
      case 13:
        guard let additions = reader.float(), let thresholds = reader.float() else { return false }
        hash = StatsPass.mix(StatsPass.mix(hash, 0xE00), Self.bits(additions))
        hash = StatsPass.mix(hash, Self.bits(thresholds))
        guard add(base, 0, Double(additions)), add(base, 1, Double(thresholds)) else { return false }
        changes = true
      case 14:
        guard reader.has(1) else { return false }
        let shift = reader.take()
        guard shift <= 8 else { return false }
        hash = StatsPass.mix(hash, 0xF00 | UInt64(shift))
        guard add(base, 0, Double(shift)) else { return false }
        changes = shift != 0
      case 19:
        guard reader.has(1) else { return false }
        let mask = reader.take()
        guard mask & ~0x0F == 0 else { return false }
        hash = StatsPass.mix(hash, 0x1300)
        var field = 0
        var jitterChanges = false
        for bit in 0..<4 {
          guard mask & (1 << bit) != 0 else {
            hash = StatsPass.mix(hash, 0)
            continue
          }
          guard let value = reader.float() else { return false }
          hash = StatsPass.mix(StatsPass.mix(hash, 1), Self.bits(value))
          guard add(base, field, Double(value)) else { return false }
          field += 1
          jitterChanges = jitterChanges || value != (bit == 1 || bit == 2 ? 1 : 0)
        }
        changes = jitterChanges
      default:
        // RandAugment, AugMix, mix, or a tag the general decoder rejects.
        return false
      }
      if changes {
        anyChange = true
        if base >= 0 { changedMask |= 1 << UInt64(transform) }
      }
    }
    original = flags == 1
    end = reader.position
    return true
  }

  /// Queues `value` for field `field` of the transform whose keys start at `base` (-1: a parameter
  /// past the pipeline's transforms, not counted); `false` when ``values`` is full.
  @inline(__always)
  private mutating func add(_ base: Int, _ field: Int, _ value: Double) -> Bool {
    guard base >= 0 else { return true }
    guard valueCount < values.count else { return false }
    keys[valueCount] = base + field
    values[valueCount] = value
    valueCount += 1
    return true
  }

  /// A float's hash bits: 0 and -0 hash the same (see `StatsPass.mix`).
  @inline(__always)
  static func bits(_ value: Float) -> UInt64 { value == 0 ? 0 : UInt64(value.bitPattern) }
}

/// Reads record bytes; each read checks the bounds and returns `nil` past the end or for a value
/// the general decoder rejects.
private struct Reader {
  let bytes: UnsafeBufferPointer<UInt8>
  var position: Int

  @inline(__always)
  func has(_ count: Int) -> Bool { position + count <= bytes.count }

  /// The next byte; the caller checked ``has(_:)``.
  @inline(__always)
  mutating func take() -> UInt8 {
    defer { position += 1 }
    return bytes[position]
  }

  @inline(__always)
  mutating func bool() -> Bool? {
    guard has(1) else { return nil }
    let value = take()
    guard value <= 1 else { return nil }
    return value == 1
  }

  @inline(__always)
  mutating func float() -> Float? {
    guard has(4) else { return nil }
    let bits =
      UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16
      | UInt32(bytes[position + 3]) << 24
    position += 4
    return Float(bitPattern: bits)
  }

  @inline(__always)
  mutating func u64() -> UInt64? {
    guard has(8) else { return nil }
    var value: UInt64 = 0
    for shift in stride(from: 0, to: 64, by: 8) { value |= UInt64(take()) << UInt64(shift) }
    return value
  }

  /// A varint of at most nine bytes (always below 2^63; longer ones go to the general decoder).
  @inline(__always)
  mutating func varint() -> UInt64? {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while shift <= 56, has(1) {
      let next = take()
      value |= UInt64(next & 0x7F) << shift
      if next & 0x80 == 0 { return value }
      shift += 7
    }
    return nil
  }

  /// A varint as an `Int` (at most nine bytes, so never past `Int.max`).
  @inline(__always)
  mutating func int() -> Int? { varint().map { Int($0) } }
}
