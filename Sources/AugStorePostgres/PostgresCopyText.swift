import NIOCore

/// Rows in PostgreSQL's text `COPY` format, written straight into one buffer for
/// ``PostgresSession/copy(into:columns:data:)``: fields separated by tabs, `\N` for null, integers in
/// decimal, backslash, tab, newline and carriage return inside text escaped as `\\`, `\t`, `\n` and
/// `\r`, bytea as `\\x` followed by lowercase hex (the backslash doubled, as the format escapes it),
/// a newline after each row.
///
/// Bytea is hex-encoded through a 256-entry table of digit pairs over the raw bytes, two output
/// bytes per input byte and no intermediate strings: recording an epoch of a million samples writes
/// tens of megabytes this way.
package struct PostgresCopyText {
  /// One field of a row.
  package enum Field {
    case null
    case integer(Int64)
    case text(String)
    case bytea([UInt8])

    /// Text, or null for `nil`.
    package static func optional(_ text: String?) -> Field { text.map { .text($0) } ?? .null }
    /// An integer, or null for `nil`.
    package static func optional(_ number: Int?) -> Field { number.map { .integer(Int64($0)) } ?? .null }
  }

  /// The rows written so far.
  package private(set) var buffer: ByteBuffer
  /// Whether the next field starts a row (no tab before it).
  private var atRowStart = true

  /// Starts an empty text with room for `capacity` bytes.
  package init(capacity: Int = 1 << 16) {
    buffer = ByteBufferAllocator().buffer(capacity: capacity)
  }

  /// Whether nothing has been written.
  package var isEmpty: Bool { buffer.readableBytes == 0 }

  /// The bytes `bytea(_:)` writes for `count` bytes.
  package static func byteaLength(_ count: Int) -> Int { 3 + 2 * count }

  /// Appends an integer field.
  package mutating func integer(_ value: Int) {
    separate()
    buffer.writeString(String(value))
  }

  /// Appends an integer field.
  package mutating func integer(_ value: Int64) {
    separate()
    buffer.writeString(String(value))
  }

  /// Appends a null field.
  package mutating func null() {
    separate()
    buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "N")])
  }

  /// Appends a text field, escaped.
  package mutating func text(_ text: String) {
    separate()
    var text = text
    text.withUTF8 { bytes in
      for byte in bytes {
        switch byte {
        case UInt8(ascii: "\\"): buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case UInt8(ascii: "\t"): buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case UInt8(ascii: "\n"): buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case UInt8(ascii: "\r"): buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "r")])
        default: buffer.writeInteger(byte)
        }
      }
    }
  }

  /// Appends a bytea field holding `bytes`.
  package mutating func bytea(_ bytes: [UInt8]) {
    separate()
    buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
    guard !bytes.isEmpty else { return }
    let length = 2 * bytes.count
    buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { output in
      bytes.withUnsafeBufferPointer { input in
        Self.hexPairs.withUnsafeBufferPointer { pairs in
          // Each pair holds the two ASCII digits of one byte value, high digit first in memory.
          for index in 0..<input.count {
            output.storeBytes(of: pairs[Int(input[index])], toByteOffset: 2 * index, as: UInt16.self)
          }
        }
      }
      return length
    }
  }

  /// Appends one field.
  package mutating func field(_ field: Field) {
    switch field {
    case .null: null()
    case .integer(let value): integer(value)
    case .text(let value): text(value)
    case .bytea(let value): bytea(value)
    }
  }

  /// Appends one row of `fields`.
  package mutating func row(_ fields: [Field]) {
    for field in fields { self.field(field) }
    endRow()
  }

  /// Ends the current row.
  package mutating func endRow() {
    buffer.writeInteger(UInt8(ascii: "\n"))
    atRowStart = true
  }

  /// Takes the rows written so far, leaving the text empty.
  package mutating func take() -> ByteBuffer {
    let rows = buffer
    buffer = ByteBufferAllocator().buffer(capacity: rows.capacity)
    atRowStart = true
    return rows
  }

  private mutating func separate() {
    if atRowStart {
      atRowStart = false
    } else {
      buffer.writeInteger(UInt8(ascii: "\t"))
    }
  }

  /// Byte value → its two lowercase hex digits as they lie in memory (a native-endian `UInt16`).
  private static let hexPairs: [UInt16] = (0..<256).map { value in
    let digits = Array("0123456789abcdef".utf8)
    let high = digits[value >> 4]
    let low = digits[value & 0x0F]
    return withUnsafeBytes(of: (high, low)) { $0.loadUnaligned(as: UInt16.self) }
  }
}
