import NIOCore

/// Rows in PostgreSQL's text `COPY` format, written straight into one buffer for
/// ``PostgresSession/copy(into:columns:data:)``: fields separated by tabs, `\N` for null, integers in
/// decimal, bytea as `\\x` followed by lowercase hex (the backslash doubled, as the format escapes
/// it), a newline after each row.
///
/// Bytea is hex-encoded through a 256-entry table of digit pairs over the raw bytes, two output
/// bytes per input byte and no intermediate strings: recording an epoch of a million samples writes
/// tens of megabytes this way.
package struct PostgresCopyText {
  /// The rows written so far.
  package private(set) var buffer: ByteBuffer
  /// Whether the next field starts a row (no tab before it).
  private var atRowStart = true

  /// Starts an empty text with room for `capacity` bytes.
  package init(capacity: Int) {
    buffer = ByteBufferAllocator().buffer(capacity: capacity)
  }

  /// The bytes `bytea(_:)` writes for `count` bytes.
  package static func byteaLength(_ count: Int) -> Int { 3 + 2 * count }

  /// Appends an integer field.
  package mutating func integer(_ value: Int) {
    separate()
    buffer.writeString(String(value))
  }

  /// Appends a null field.
  package mutating func null() {
    separate()
    buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "N")])
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

  /// Ends the current row.
  package mutating func endRow() {
    buffer.writeInteger(UInt8(ascii: "\n"))
    atRowStart = true
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
