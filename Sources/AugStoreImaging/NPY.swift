import Foundation

/// Element types augstore reads and writes in `.npy` files.
public enum NPYDType: String, Sendable, Equatable {
  /// Unsigned 8-bit integers, descr `'|u1'`.
  case uint8 = "|u1"
  /// Little-endian IEEE 754 single precision, descr `'<f4'`.
  case float32 = "<f4"
  /// Little-endian signed 64-bit integers, descr `'<i8'` (labels of replayed batches).
  case int64 = "<i8"

  /// Bytes per element.
  public var size: Int {
    switch self {
    case .uint8: return 1
    case .float32: return 4
    case .int64: return 8
    }
  }
}

/// An array read from a `.npy` file: its shape, element type and raw little-endian data (C order).
public struct NPYArray: Sendable, Equatable {
  /// Dimensions, outermost first; empty for a 0-d array (one element).
  public let shape: [Int]
  /// Element type.
  public let dtype: NPYDType
  /// `shape.reduce(1, *) * dtype.size` bytes, C order, little-endian.
  public let data: [UInt8]

  /// Wraps already validated parts; `data.count` must match `shape` and `dtype`.
  public init(shape: [Int], dtype: NPYDType, data: [UInt8]) {
    precondition(shape.allSatisfy { $0 >= 0 })
    precondition(data.count == shape.reduce(1, *) * dtype.size)
    self.shape = shape
    self.dtype = dtype
    self.data = data
  }

  /// Number of elements.
  public var count: Int { shape.reduce(1, *) }

  /// The elements as `Float`s when `dtype` is `.float32`, else nil.
  public var float32Values: [Float]? {
    guard dtype == .float32 else { return nil }
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      for i in 0..<count {
        let o = i * 4
        let bits =
          UInt32(data[o]) | UInt32(data[o + 1]) << 8 | UInt32(data[o + 2]) << 16 | UInt32(data[o + 3]) << 24
        buffer[i] = Float(bitPattern: bits)
      }
      initialized = count
    }
  }

  /// The array as a `Tensor` when it is uint8 of shape (height, width, channels) with 1 to 4
  /// channels and non-zero height and width, else nil.
  public var tensor: Tensor? {
    guard dtype == .uint8, shape.count == 3, shape[0] > 0, shape[1] > 0, (1...4).contains(shape[2]) else {
      return nil
    }
    return Tensor(height: shape[0], width: shape[1], channels: shape[2], pixels: data)
  }
}

/// Why a `.npy` file could not be read. `errorDescription` is one line without the file path.
public enum NPYError: Error, LocalizedError, Equatable, Sendable {
  /// The data does not start with `\x93NUMPY`, or ends before the header does.
  case notNPY
  /// A format version other than 1.0, 2.0 or 3.0.
  case unsupportedVersion(major: Int, minor: Int)
  /// The header dictionary could not be parsed or lacks a required key.
  case malformedHeader(reason: String)
  /// An element type other than `'|u1'` and `'<f4'` (e.g. big-endian or float64).
  case unsupportedDType(String)
  /// The array is stored in Fortran order, which augstore does not read.
  case fortranOrder
  /// The data after the header has the wrong length for the shape and element type.
  case dataSizeMismatch(expected: Int, actual: Int)

  /// One line without the file path.
  public var errorDescription: String? {
    switch self {
    case .notNPY: return "not a NumPy .npy file (bad magic or truncated header)"
    case .unsupportedVersion(let major, let minor): return "unsupported .npy format version \(major).\(minor)"
    case .malformedHeader(let reason): return "malformed .npy header: \(reason)"
    case .unsupportedDType(let descr):
      return "unsupported .npy dtype '\(descr)' (expected '|u1', '<f4' or '<i8')"
    case .fortranOrder: return "Fortran-ordered .npy arrays are not supported"
    case .dataSizeMismatch(let expected, let actual):
      return ".npy data is \(actual) bytes, expected \(expected) for its shape"
    }
  }
}

/// Reads and writes NumPy `.npy` files (format version 1.0 on write; 1.0, 2.0, 3.0 on read).
///
/// Written files are byte-identical to `numpy.save` for the same array: magic `\x93NUMPY`, version
/// 1.0, a little-endian `UInt16` header length, then the header dictionary
/// `{'descr': '|u1', 'fortran_order': False, 'shape': (5, 7, 3), }` padded with spaces and ended by
/// `\n` so that the data starts at a multiple of 64 bytes.
public enum NPY {
  static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
  static let alignment = 64

  /// A `.npy` file holding `uint8` with the given shape; `uint8.count` must equal the product of `shape`.
  public static func encode(shape: [Int], uint8: [UInt8]) -> [UInt8] {
    precondition(uint8.count == shape.reduce(1, *), "NPY.encode: shape does not match the element count")
    var out = header(shape: shape, dtype: .uint8)
    out.append(contentsOf: uint8)
    return out
  }

  /// A `.npy` file holding `float32` (written little-endian) with the given shape; `float32.count`
  /// must equal the product of `shape`.
  public static func encode(shape: [Int], float32: [Float]) -> [UInt8] {
    precondition(float32.count == shape.reduce(1, *), "NPY.encode: shape does not match the element count")
    var out = header(shape: shape, dtype: .float32)
    out.reserveCapacity(out.count + float32.count * 4)
    for value in float32 {
      let bits = value.bitPattern.littleEndian
      withUnsafeBytes(of: bits) { out.append(contentsOf: $0) }
    }
    return out
  }

  /// A `.npy` file holding `int64` (written little-endian) with the given shape.
  public static func encode(shape: [Int], int64: [Int64]) -> [UInt8] {
    precondition(int64.count == shape.reduce(1, *), "NPY.encode: shape does not match the element count")
    var out = header(shape: shape, dtype: .int64)
    out.reserveCapacity(out.count + int64.count * 8)
    for value in int64 {
      withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }
    return out
  }

  /// A `.npy` file whose data are `data` (raw little-endian elements of `dtype`) with the given shape.
  public static func encode(shape: [Int], dtype: NPYDType, data: [UInt8]) -> [UInt8] {
    precondition(data.count == shape.reduce(1, *) * dtype.size, "NPY.encode: shape does not match the data")
    return header(shape: shape, dtype: dtype) + data
  }

  /// A `.npy` file holding `tensor` as uint8 with shape (height, width, channels).
  public static func encode(_ tensor: Tensor) -> [UInt8] {
    encode(shape: [tensor.height, tensor.width, tensor.channels], uint8: tensor.pixels)
  }

  /// Magic, version 1.0, header length and the padded header dictionary.
  static func header(shape: [Int], dtype: NPYDType) -> [UInt8] {
    precondition(shape.allSatisfy { $0 >= 0 }, "NPY: negative dimension")
    let shapeText: String
    switch shape.count {
    case 0: shapeText = "()"
    case 1: shapeText = "(\(shape[0]),)"
    default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
    var dict = Array("{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }".utf8)
    let unpadded = magic.count + 2 + 2 + dict.count + 1
    let padding = (alignment - unpadded % alignment) % alignment
    dict.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
    dict.append(UInt8(ascii: "\n"))
    precondition(dict.count <= Int(UInt16.max), "NPY: header too long for format 1.0")
    var out = magic + [1, 0, UInt8(dict.count & 0xFF), UInt8(dict.count >> 8)]
    out.append(contentsOf: dict)
    return out
  }

  /// What a `.npy` header says: the array's shape and element type, and where its data starts.
  public struct Header: Sendable, Equatable {
    /// The array's shape.
    public var shape: [Int]
    /// The element type.
    public var dtype: NPYDType
    /// The offset of the first data byte.
    public var dataOffset: Int
  }

  /// Parses a `.npy` file's header and checks that the data after it has the size it declares.
  /// Throws `NPYError`.
  public static func header(of bytes: [UInt8]) throws -> Header {
    guard bytes.count >= 10, bytes.prefix(6).elementsEqual(magic) else { throw NPYError.notNPY }
    let major = Int(bytes[6])
    let minor = Int(bytes[7])
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      headerStart = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw NPYError.notNPY }
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
      headerStart = 12
    default:
      throw NPYError.unsupportedVersion(major: major, minor: minor)
    }
    guard minor == 0 else { throw NPYError.unsupportedVersion(major: major, minor: minor) }
    let dataStart = headerStart + headerLength
    guard bytes.count >= dataStart else { throw NPYError.notNPY }
    guard let text = String(validating: bytes[headerStart..<dataStart], as: UTF8.self) else {
      throw NPYError.malformedHeader(reason: "header is not UTF-8")
    }
    var parser = HeaderParser(text: text)
    let fields = try parser.parseDictionary()

    guard case .string(let descr)? = fields["descr"] else {
      throw NPYError.malformedHeader(reason: "missing 'descr'")
    }
    let dtype: NPYDType
    switch descr {
    case "|u1", "<u1", "u1": dtype = .uint8
    case "<f4": dtype = .float32
    case "<i8": dtype = .int64
    default: throw NPYError.unsupportedDType(descr)
    }
    guard case .bool(let fortran)? = fields["fortran_order"] else {
      throw NPYError.malformedHeader(reason: "missing 'fortran_order'")
    }
    guard case .tuple(let shape)? = fields["shape"] else {
      throw NPYError.malformedHeader(reason: "missing 'shape'")
    }
    // Reject a shape whose byte size overflows before comparing it with the data.
    var expected = dtype.size
    for dimension in shape {
      let (product, overflow) = expected.multipliedReportingOverflow(by: dimension)
      guard !overflow else { throw NPYError.malformedHeader(reason: "shape too large") }
      expected = product
    }
    if fortran && shape.filter({ $0 > 1 }).count > 1 { throw NPYError.fortranOrder }
    let actual = bytes.count - dataStart
    guard actual == expected else { throw NPYError.dataSizeMismatch(expected: expected, actual: actual) }
    return Header(shape: shape, dtype: dtype, dataOffset: dataStart)
  }

  /// Parses a `.npy` file. Throws `NPYError`.
  public static func decode(_ bytes: [UInt8]) throws -> NPYArray {
    let header = try header(of: bytes)
    return NPYArray(shape: header.shape, dtype: header.dtype, data: Array(bytes[header.dataOffset...]))
  }
}

/// A parser for the Python literal dictionary in a `.npy` header: string keys, and values that are
/// strings, `True`/`False` or tuples of non-negative integers.
private struct HeaderParser {
  enum Value {
    case string(String)
    case bool(Bool)
    case tuple([Int])
  }

  let chars: [Character]
  var index = 0

  init(text: String) { chars = Array(text) }

  mutating func fail(_ reason: String) -> NPYError { .malformedHeader(reason: reason) }

  mutating func skipSpace() {
    while index < chars.count, chars[index].isWhitespace { index += 1 }
  }

  mutating func expect(_ c: Character) throws {
    skipSpace()
    guard index < chars.count, chars[index] == c else { throw fail("expected '\(c)'") }
    index += 1
  }

  mutating func peek() -> Character? {
    skipSpace()
    return index < chars.count ? chars[index] : nil
  }

  mutating func parseDictionary() throws -> [String: Value] {
    try expect("{")
    var result: [String: Value] = [:]
    while peek() != "}" {
      let key = try parseString()
      try expect(":")
      result[key] = try parseValue()
      if peek() == "," { index += 1 } else { break }
    }
    try expect("}")
    skipSpace()
    guard index == chars.count else { throw fail("trailing characters after the dictionary") }
    return result
  }

  mutating func parseString() throws -> String {
    guard let quote = peek(), quote == "'" || quote == "\"" else { throw fail("expected a string") }
    index += 1
    let start = index
    while index < chars.count, chars[index] != quote { index += 1 }
    guard index < chars.count else { throw fail("unterminated string") }
    defer { index += 1 }
    return String(chars[start..<index])
  }

  mutating func parseValue() throws -> Value {
    switch peek() {
    case "'", "\"": return .string(try parseString())
    case "(": return .tuple(try parseTuple())
    case "T", "F":
      for (word, value) in [("True", true), ("False", false)] where chars[index...].starts(with: word) {
        index += word.count
        return .bool(value)
      }
      throw fail("unknown literal")
    default: throw fail("unsupported value")
    }
  }

  mutating func parseTuple() throws -> [Int] {
    try expect("(")
    var values: [Int] = []
    while let c = peek(), c != ")" {
      let start = index
      while index < chars.count, chars[index].isASCII, chars[index].isNumber { index += 1 }
      // A trailing "L" appears in headers written by Python 2.
      if index < chars.count, chars[index] == "L" { index += 1 }
      guard let value = Int(String(chars[start..<index]).filter { $0 != "L" }) else {
        throw fail("bad dimension in shape")
      }
      values.append(value)
      if peek() == "," { index += 1 } else { break }
    }
    try expect(")")
    return values
  }
}
