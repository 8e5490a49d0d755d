/// Why bytes could not be decoded as a ``SampleRecord``.
public struct SampleRecordDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
  /// What was wrong and at which byte offset.
  public let message: String

  /// Creates an error.
  public init(message: String) {
    self.message = message
  }

  /// The message.
  public var description: String { message }
}

extension SampleRecord {
  /// Version of the binary record encoding written by ``encoded()`` (its first byte).
  public static let encodingVersion: UInt8 = 1

  /// The compact binary form stored in the catalog (version 1).
  ///
  /// ```
  /// byte 0     encoding version (1)
  /// byte 1     flags: bit 0 = original
  /// varint     number of params (0 for originals)
  /// per param  tag byte, then its payload:
  ///   0 none         -
  ///   1 flip         u8 flips (0/1)
  ///   2 rotation     f32 angle
  ///   3 zoom         f32 height_zoom, f32 width_zoom
  ///   4 translation  f32 translate_x, f32 translate_y
  ///  20 shear        f32 shear_x, f32 shear_y
  ///  21 gaussian blur u8 should_apply_blur (0/1), f32 blur_factor_x, f32 blur_factor_y
  ///  22 perspective  u8 apply_perspective (0/1), 8 × f32 end_points (x0, y0, ..., x3, y3)
  ///  23 elastic      u8 apply_transform (0/1), f32 distortion_factor, u64 noise_seed little-endian
  ///   5 crop         varint x, varint y
  ///   6 brightness   f32 rgb_delta
  ///   7 contrast     f32 contrast_factor
  ///   8 saturation   f32 saturation_factor
  ///   9 hue          f32 hue_factor
  ///  10 grayscale    u8 grayscale (0/1)
  ///  11 erasing      u8 flags (bit 0 applied, bit 1 noise seed present); if applied: varint x, y, width,
  ///                  height; if noise seed: u64 little-endian
  ///  12 invert        u8 apply_inversion (0/1)
  ///  13 solarization f32 additions, f32 thresholds
  ///  14 posterization u8 shift_factor (0...8)
  ///  15 color degen.  f32 factor
  ///  16, 17          reserved (AutoContrast and Equalization draw nothing: they record `none`)
  ///  18 sharpness    f32 factor
  ///  19 color jitter u8 mask (bit 0 rgb_delta, 1 contrast_factor, 2 saturation_factor, 3 hue_factor),
  ///                  then an f32 per set bit in that order
  ///  24 RandAugment  varint n, n × u8 operation index, then varint length and a record (this encoding,
  ///                  not original) holding the n operations' own parameters in order
  ///  25 AugMix       varint c chains, c × f32 chain weight, f32 input weight, then per chain varint m and
  ///                  m × u8 operation index, then varint length and a record (this encoding, not
  ///                  original) holding every chain's operations' parameters in order
  ///  30 mix          varint partner, f32 weight, u8 flags (bit 0 box present); if box: varint x, y,
  ///                  width, height; then varint length and the partner's record (this encoding) of the
  ///                  transforms before the batch-level layer
  /// ```
  ///
  /// `f32` is the IEEE 754 bit pattern, little-endian; `varint` is unsigned LEB128. A typical record
  /// (flip, rotation, crop, contrast) takes 20 bytes.
  public func encoded() -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(3 + params.count * 9)
    encode(into: &out)
    return out
  }

  /// Appends the binary form of ``encoded()`` to `out` (no intermediate array: a block of records
  /// is written straight into its `params`).
  public func encode(into out: inout [UInt8]) {
    out.append(Self.encodingVersion)
    out.append(original ? 1 : 0)
    appendVarint(UInt64(params.count), to: &out)
    for param in params {
      switch param {
      case .none:
        out.append(0)
      case .flip(let flips):
        out.append(1)
        out.append(flips ? 1 : 0)
      case .rotation(let angle):
        out.append(2)
        appendFloat(angle, to: &out)
      case .zoom(let heightZoom, let widthZoom):
        out.append(3)
        appendFloat(heightZoom, to: &out)
        appendFloat(widthZoom, to: &out)
      case .translation(let translateX, let translateY):
        out.append(4)
        appendFloat(translateX, to: &out)
        appendFloat(translateY, to: &out)
      case .shear(let x, let y):
        out.append(20)
        appendFloat(x, to: &out)
        appendFloat(y, to: &out)
      case .gaussianBlur(let applied, let x, let y):
        out.append(21)
        out.append(applied ? 1 : 0)
        appendFloat(x, to: &out)
        appendFloat(y, to: &out)
      case .perspective(let applied, let endPoints):
        out.append(22)
        out.append(applied ? 1 : 0)
        for index in 0..<8 { appendFloat(index < endPoints.count ? endPoints[index] : 0, to: &out) }
      case .elasticTransform(let applied, let distortion, let seed):
        out.append(23)
        out.append(applied ? 1 : 0)
        appendFloat(distortion, to: &out)
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: seed >> shift)) }
      case .crop(let x, let y):
        out.append(5)
        appendVarint(UInt64(clamping: x), to: &out)
        appendVarint(UInt64(clamping: y), to: &out)
      case .brightness(let value):
        out.append(6)
        appendFloat(value, to: &out)
      case .contrast(let value):
        out.append(7)
        appendFloat(value, to: &out)
      case .saturation(let value):
        out.append(8)
        appendFloat(value, to: &out)
      case .hue(let value):
        out.append(9)
        appendFloat(value, to: &out)
      case .grayscale(let grayscale):
        out.append(10)
        out.append(grayscale ? 1 : 0)
      case .erasing(let box):
        out.append(11)
        guard let box else {
          out.append(0)
          continue
        }
        out.append(box.noiseSeed == nil ? 1 : 3)
        for value in [box.x, box.y, box.width, box.height] {
          appendVarint(UInt64(clamping: value), to: &out)
        }
        if let seed = box.noiseSeed {
          for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: seed >> shift)) }
        }
      case .invert(let applyInversion):
        out.append(12)
        out.append(applyInversion ? 1 : 0)
      case .solarization(let additions, let thresholds):
        out.append(13)
        appendFloat(additions, to: &out)
        appendFloat(thresholds, to: &out)
      case .posterization(let shiftFactor):
        out.append(14)
        out.append(UInt8(clamping: shiftFactor))
      case .colorDegeneration(let factor):
        out.append(15)
        appendFloat(factor, to: &out)
      case .sharpness(let factor):
        out.append(18)
        appendFloat(factor, to: &out)
      case .colorJitter(let jitter):
        let values = [jitter.rgbDelta, jitter.contrastFactor, jitter.saturationFactor, jitter.hueFactor]
        var mask: UInt8 = 0
        for (bit, value) in values.enumerated() where value != nil { mask |= 1 << bit }
        out.append(19)
        out.append(mask)
        for value in values { if let value { appendFloat(value, to: &out) } }
      case .randAugment(let ops):
        out.append(24)
        appendVarint(UInt64(ops.count), to: &out)
        for op in ops { out.append(UInt8(clamping: op.index)) }
        let nested = SampleRecord(original: false, params: ops.map(\.params)).encoded()
        appendVarint(UInt64(nested.count), to: &out)
        out += nested
      case .augMix(let augMix):
        out.append(25)
        appendVarint(UInt64(augMix.chains.count), to: &out)
        for weight in augMix.chainWeights { appendFloat(weight, to: &out) }
        appendFloat(augMix.inputWeight, to: &out)
        for chain in augMix.chains {
          appendVarint(UInt64(chain.count), to: &out)
          for op in chain { out.append(UInt8(clamping: op.index)) }
        }
        let nested = SampleRecord(original: false, params: augMix.chains.flatMap { $0.map(\.params) })
          .encoded()
        appendVarint(UInt64(nested.count), to: &out)
        out += nested
      case .mix(let mix):
        out.append(30)
        appendVarint(UInt64(clamping: mix.partner), to: &out)
        appendFloat(mix.weight, to: &out)
        out.append(mix.box == nil ? 0 : 1)
        if let box = mix.box {
          for value in [box.x, box.y, box.width, box.height] {
            appendVarint(UInt64(clamping: value), to: &out)
          }
        }
        let partner = mix.partnerRecord.encoded()
        appendVarint(UInt64(partner.count), to: &out)
        out += partner
      }
    }
  }

  /// Decodes the binary form written by ``encoded()``.
  /// - Throws: ``SampleRecordDecodingError`` for an unknown version or tag, or truncated or trailing bytes.
  public init(encoded bytes: [UInt8]) throws(SampleRecordDecodingError) {
    var params: [TransformParams] = []
    let decoded = bytes.withUnsafeBufferPointer { buffer in
      Result { () throws(SampleRecordDecodingError) -> (original: Bool, end: Int) in
        try Self.decode(buffer, from: 0) { params.append($0) }
      }
    }
    let (original, end) = try decoded.get()
    guard end == bytes.count else {
      throw SampleRecordDecodingError(message: "trailing bytes at byte \(end)")
    }
    self.init(original: original, params: params)
  }

  /// Decodes the record encoding that starts at `start` of `bytes` without building a record:
  /// `body` gets each transform's parameters in order (nothing for originals).
  ///
  /// - Returns: whether the record is an original, and where its encoding ends.
  /// - Throws: ``SampleRecordDecodingError`` for an unknown version or tag, or truncated bytes.
  public static func decode(
    _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ body: (TransformParams) -> Void
  ) throws(SampleRecordDecodingError) -> (original: Bool, end: Int) {
    var reader = ByteReader(bytes: bytes, position: start)
    let version = try reader.byte()
    guard version == Self.encodingVersion else {
      throw SampleRecordDecodingError(message: "unsupported record encoding version \(version)")
    }
    let flags = try reader.byte()
    guard flags & ~1 == 0 else { throw reader.fail("unknown record flags \(flags)") }
    let count = try reader.varint()
    guard count <= UInt64(bytes.count) else { throw reader.fail("parameter count \(count) exceeds the data") }
    for _ in 0..<count {
      let tag = try reader.byte()
      switch tag {
      case 0: body(.none)
      case 1: body(.flip(flips: try reader.bool()))
      case 2: body(.rotation(angle: try reader.float()))
      case 3: body(.zoom(heightZoom: try reader.float(), widthZoom: try reader.float()))
      case 4: body(.translation(translateX: try reader.float(), translateY: try reader.float()))
      case 20: body(.shear(shearX: try reader.float(), shearY: try reader.float()))
      case 21:
        body(
          .gaussianBlur(
            shouldApplyBlur: try reader.bool(), blurFactorX: try reader.float(),
            blurFactorY: try reader.float()))
      case 22:
        let applied = try reader.bool()
        var endPoints: [Float] = []
        endPoints.reserveCapacity(8)
        for _ in 0..<8 { endPoints.append(try reader.float()) }
        body(.perspective(applyPerspective: applied, endPoints: endPoints))
      case 23:
        let applied = try reader.bool()
        let distortion = try reader.float()
        var seed: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) { seed |= UInt64(try reader.byte()) << shift }
        body(.elasticTransform(applyTransform: applied, distortionFactor: distortion, noiseSeed: seed))
      case 5: body(.crop(x: try reader.int(), y: try reader.int()))
      case 6: body(.brightness(rgbDelta: try reader.float()))
      case 7: body(.contrast(contrastFactor: try reader.float()))
      case 8: body(.saturation(saturationFactor: try reader.float()))
      case 9: body(.hue(hueFactor: try reader.float()))
      case 10: body(.grayscale(grayscale: try reader.bool()))
      case 11:
        let boxFlags = try reader.byte()
        guard boxFlags == 0 || boxFlags == 1 || boxFlags == 3 else {
          throw reader.fail("unknown erasing flags \(boxFlags)")
        }
        guard boxFlags & 1 == 1 else {
          body(.erasing(nil))
          continue
        }
        let x = try reader.int()
        let y = try reader.int()
        let width = try reader.int()
        let height = try reader.int()
        var seed: UInt64?
        if boxFlags & 2 != 0 {
          var value: UInt64 = 0
          for shift in stride(from: 0, to: 64, by: 8) { value |= UInt64(try reader.byte()) << shift }
          seed = value
        }
        body(.erasing(ErasingBox(x: x, y: y, width: width, height: height, noiseSeed: seed)))
      case 12: body(.invert(applyInversion: try reader.bool()))
      case 13: body(.solarization(additions: try reader.float(), thresholds: try reader.float()))
      case 14:
        let shift = try reader.byte()
        guard shift <= 8 else { throw reader.fail("invalid posterization shift \(shift)") }
        body(.posterization(shiftFactor: Int(shift)))
      case 15: body(.colorDegeneration(factor: try reader.float()))
      case 18: body(.sharpness(factor: try reader.float()))
      case 19:
        let mask = try reader.byte()
        guard mask & ~0x0F == 0 else { throw reader.fail("unknown color jitter mask \(mask)") }
        var values: [Float?] = []
        for bit in 0..<4 { values.append(mask & (1 << bit) != 0 ? try reader.float() : nil) }
        body(
          .colorJitter(
            ColorJitterParams(
              rgbDelta: values[0], contrastFactor: values[1], saturationFactor: values[2],
              hueFactor: values[3])))
      case 24:
        let names = TransformSpec.randAugmentOperationNames
        let indices = try operationIndices(&reader, bytes.count, names: names, composite: "RandAugment")
        let opParams = try nestedParams(&reader, bytes, count: indices.count, composite: "RandAugment")
        body(.randAugment(ops: zip(indices, opParams).map { CompositeOp(index: $0, params: $1) }))
      case 25:
        let chainCount = try reader.int()
        guard chainCount <= (bytes.count - reader.position) / 4 else {
          throw reader.fail("chain count exceeds the data")
        }
        var weights: [Float] = []
        for _ in 0..<chainCount { weights.append(try reader.float()) }
        let inputWeight = try reader.float()
        var chainIndices: [[Int]] = []
        for _ in 0..<chainCount {
          chainIndices.append(
            try operationIndices(
              &reader, bytes.count, names: TransformSpec.augMixOperationNames, composite: "AugMix"))
        }
        var opParams = try nestedParams(
          &reader, bytes, count: chainIndices.reduce(0) { $0 + $1.count }, composite: "AugMix"
        )[...]
        let chains = chainIndices.map { indices in
          indices.map { index in CompositeOp(index: index, params: opParams.removeFirst()) }
        }
        body(.augMix(AugMixParams(chainWeights: weights, inputWeight: inputWeight, chains: chains)))
      case 30:
        let partner = try reader.int()
        let weight = try reader.float()
        let mixFlags = try reader.byte()
        guard mixFlags <= 1 else { throw reader.fail("unknown mix flags \(mixFlags)") }
        var box: MixBox?
        if mixFlags == 1 {
          box = MixBox(
            x: try reader.int(), y: try reader.int(), width: try reader.int(), height: try reader.int())
        }
        let length = try reader.int()
        guard length <= bytes.count - reader.position else {
          throw reader.fail("partner record exceeds the data")
        }
        var partnerParams: [TransformParams] = []
        let (partnerOriginal, end) = try decode(
          UnsafeBufferPointer(rebasing: bytes[..<(reader.position + length)]), from: reader.position
        ) { partnerParams.append($0) }
        guard end == reader.position + length else { throw reader.fail("partner record has trailing bytes") }
        reader.position = end
        body(
          .mix(
            MixRecord(
              partner: partner, weight: weight, box: box,
              partnerRecord: SampleRecord(original: partnerOriginal, params: partnerParams))))
      default:
        throw reader.fail("unknown parameter tag \(tag)")
      }
    }
    return (flags & 1 == 1, reader.position)
  }

  /// The record as JSON for SQL views and `--json` output, with Keras' transformation names:
  /// `{"original":false,"params":[{"flips":true},{"angle":-12.5},{},{"x":3,"y":0}]}`.
  ///
  /// Objects list keys in a fixed order; floats use Swift's shortest `Float` form; `{}` marks a
  /// transform without random parameters; RandomErasing writes `{"applied":false}` or
  /// `{"applied":true,"x":..,"y":..,"width":..,"height":..[,"noise_seed":"<16 hex digits>"]}`; MixUp and
  /// CutMix write `{"partner":<sample index>,"mix_weight":..[,"x":..,"y":..,"width":..,"height":..]}`;
  /// RandAugment writes `{"ops":[{"op":"random_rotation","angle":12.5},{"op":"equalization"}]}` (each
  /// operation's Keras attribute name, then its own parameters); AugMix writes
  /// `{"chain_mixing_weights":[..],"weight_sample":..,"chains":[[operations as RandAugment's],..]}`.
  public var jsonString: String {
    var out = "{\"original\":\(original),\"params\":["
    for (index, param) in params.enumerated() {
      if index > 0 { out += "," }
      out += Self.json(param)
    }
    return out + "]}"
  }

  private static func number(_ value: Float) -> String {
    guard value.isFinite else { return "null" }
    return value == 0 ? "0.0" : value.description
  }

  /// A composite's operations as a JSON array: `[{"op":"random_rotation","angle":12.5},...]` (each
  /// operation's Keras attribute name, then its own parameters).
  private static func jsonOperations(_ ops: [CompositeOp], names: [String]) -> String {
    let items = ops.map { op in
      let name = names.indices.contains(op.index) ? names[op.index] : "op_\(op.index)"
      let inner = json(op.params).dropFirst().dropLast()
      return "{\"op\":\"\(name)\"" + (inner.isEmpty ? "" : "," + inner) + "}"
    }
    return "[" + items.joined(separator: ",") + "]"
  }

  private static func json(_ param: TransformParams) -> String {
    switch param {
    case .none: return "{}"
    case .flip(let flips): return "{\"flips\":\(flips)}"
    case .rotation(let angle): return "{\"angle\":\(number(angle))}"
    case .zoom(let h, let w): return "{\"height_zoom\":\(number(h)),\"width_zoom\":\(number(w))}"
    case .translation(let x, let y): return "{\"translate_x\":\(number(x)),\"translate_y\":\(number(y))}"
    case .shear(let x, let y): return "{\"shear_x\":\(number(x)),\"shear_y\":\(number(y))}"
    case .gaussianBlur(let applied, let x, let y):
      return
        "{\"should_apply_blur\":\(applied),\"blur_factor_x\":\(number(x)),\"blur_factor_y\":\(number(y))}"
    case .perspective(let applied, let endPoints):
      var text = "{\"apply_perspective\":\(applied)"
      for (index, value) in endPoints.enumerated() {
        text += ",\"end_\(index % 2 == 0 ? "x" : "y")\(index / 2)\":\(number(value))"
      }
      return text + "}"
    case .elasticTransform(let applied, let distortion, let seed):
      return "{\"apply_transform\":\(applied),\"distortion_factor\":\(number(distortion)),"
        + "\"noise_seed\":\"\(SampleKey(rawValue: seed).description)\"}"
    case .crop(let x, let y): return "{\"x\":\(x),\"y\":\(y)}"
    case .brightness(let value): return "{\"rgb_delta\":\(number(value))}"
    case .contrast(let value): return "{\"contrast_factor\":\(number(value))}"
    case .saturation(let value): return "{\"saturation_factor\":\(number(value))}"
    case .hue(let value): return "{\"hue_factor\":\(number(value))}"
    case .grayscale(let value): return "{\"grayscale\":\(value)}"
    case .erasing(let box):
      guard let box else { return "{\"applied\":false}" }
      var text =
        "{\"applied\":true,\"x\":\(box.x),\"y\":\(box.y),\"width\":\(box.width),\"height\":\(box.height)"
      if let seed = box.noiseSeed {
        text += ",\"noise_seed\":\"\(SampleKey(rawValue: seed).description)\""
      }
      return text + "}"
    case .invert(let value): return "{\"apply_inversion\":\(value)}"
    case .solarization(let additions, let thresholds):
      return "{\"additions\":\(number(additions)),\"thresholds\":\(number(thresholds))}"
    case .posterization(let shift): return "{\"shift_factor\":\(shift)}"
    case .colorDegeneration(let factor), .sharpness(let factor): return "{\"factor\":\(number(factor))}"
    case .colorJitter(let jitter):
      let names = ["rgb_delta", "contrast_factor", "saturation_factor", "hue_factor"]
      let values = [jitter.rgbDelta, jitter.contrastFactor, jitter.saturationFactor, jitter.hueFactor]
      let members = zip(names, values).compactMap { name, value in value.map { "\"\(name)\":\(number($0))" } }
      return "{" + members.joined(separator: ",") + "}"
    case .randAugment(let ops):
      return "{\"ops\":" + jsonOperations(ops, names: TransformSpec.randAugmentOperationNames) + "}"
    case .augMix(let augMix):
      let weights = augMix.chainWeights.map(number).joined(separator: ",")
      let chains = augMix.chains.map { jsonOperations($0, names: TransformSpec.augMixOperationNames) }
      return "{\"chain_mixing_weights\":[\(weights)],\"weight_sample\":\(number(augMix.inputWeight)),"
        + "\"chains\":[" + chains.joined(separator: ",") + "]}"
    case .mix(let mix):
      var text = "{\"partner\":\(mix.partner),\"mix_weight\":\(number(mix.weight))"
      if let box = mix.box {
        text += ",\"x\":\(box.x),\"y\":\(box.y),\"width\":\(box.width),\"height\":\(box.height)"
      }
      return text + "}"
    }
  }
}

private func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
  var rest = value
  while rest >= 0x80 {
    out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
    rest >>= 7
  }
  out.append(UInt8(rest))
}

private func appendFloat(_ value: Float, to out: inout [UInt8]) {
  let bits = value.bitPattern
  out.append(UInt8(truncatingIfNeeded: bits))
  out.append(UInt8(truncatingIfNeeded: bits >> 8))
  out.append(UInt8(truncatingIfNeeded: bits >> 16))
  out.append(UInt8(truncatingIfNeeded: bits >> 24))
}

extension SampleRecord {
  /// A composite's operation list: varint n, then n operation indices below `names.count`.
  fileprivate static func operationIndices(
    _ reader: inout ByteReader, _ byteCount: Int, names: [String], composite: String
  ) throws(SampleRecordDecodingError) -> [Int] {
    let count = try reader.int()
    guard count <= byteCount - reader.position else { throw reader.fail("operation count exceeds the data") }
    var indices: [Int] = []
    for _ in 0..<count {
      let index = try reader.byte()
      guard index < names.count else { throw reader.fail("unknown \(composite) operation \(index)") }
      indices.append(Int(index))
    }
    return indices
  }

  /// A composite's operations' parameters: varint length, then a record (not original) of exactly
  /// `count` parameters filling that length.
  fileprivate static func nestedParams(
    _ reader: inout ByteReader, _ bytes: UnsafeBufferPointer<UInt8>, count: Int, composite: String
  ) throws(SampleRecordDecodingError) -> [TransformParams] {
    let length = try reader.int()
    guard length <= bytes.count - reader.position else {
      throw reader.fail("\(composite) operations exceed the data")
    }
    var params: [TransformParams] = []
    let (nestedOriginal, end) = try decode(
      UnsafeBufferPointer(rebasing: bytes[..<(reader.position + length)]), from: reader.position
    ) { params.append($0) }
    guard end == reader.position + length, !nestedOriginal, params.count == count else {
      throw reader.fail("\(composite) operations do not match their indices")
    }
    reader.position = end
    return params
  }
}

private struct ByteReader {
  let bytes: UnsafeBufferPointer<UInt8>
  var position: Int

  func fail(_ message: String) -> SampleRecordDecodingError {
    SampleRecordDecodingError(message: "\(message) at byte \(position)")
  }

  mutating func byte() throws(SampleRecordDecodingError) -> UInt8 {
    guard position < bytes.count else { throw fail("truncated record") }
    defer { position += 1 }
    return bytes[position]
  }

  mutating func bool() throws(SampleRecordDecodingError) -> Bool {
    let value = try byte()
    guard value <= 1 else { throw fail("invalid boolean \(value)") }
    return value == 1
  }

  mutating func float() throws(SampleRecordDecodingError) -> Float {
    var bits: UInt32 = 0
    for shift in stride(from: 0, to: 32, by: 8) { bits |= UInt32(try byte()) << shift }
    return Float(bitPattern: bits)
  }

  mutating func varint() throws(SampleRecordDecodingError) -> UInt64 {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      let next = try byte()
      guard shift < 64, shift < 63 || next <= 1 else { throw fail("varint too long") }
      value |= UInt64(next & 0x7F) << shift
      if next & 0x80 == 0 { return value }
      shift += 7
    }
  }

  mutating func int() throws(SampleRecordDecodingError) -> Int {
    let value = try varint()
    guard value <= UInt64(Int.max) else { throw fail("integer out of range") }
    return Int(value)
  }
}
