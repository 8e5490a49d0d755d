import CLibDeflate

/// A read-only view of a zip archive held in memory: enough of the format to read a `.keras` file.
///
/// Reads the end-of-central-directory record, then the central directory; members are found by name and
/// read through their local headers. Stored (method 0) and deflated (method 8) members are supported,
/// each checked against its CRC-32. ZIP64 archives, encrypted members and other compression methods are
/// refused with a message. Invariant: every offset read is checked against `bytes.count` first.
struct ZipArchive {
  struct Entry {
    var name: String
    var method: UInt16
    var flags: UInt16
    var crc: UInt32
    var compressedSize: Int
    var size: Int
    var localHeaderOffset: Int
  }

  let path: String
  let bytes: [UInt8]
  private(set) var entries: [Entry] = []

  init(bytes: [UInt8], path: String) throws(KerasImportError) {
    self.bytes = bytes
    self.path = path
    // The end-of-central-directory record: 22 bytes plus a comment of at most 65,535 bytes.
    guard bytes.count >= 22 else { throw .notAZip(path: path) }
    var end = -1
    var position = bytes.count - 22
    let lowest = max(0, bytes.count - 22 - 65_535)
    while position >= lowest {
      if u32(position) == 0x0605_4b50 {
        end = position
        break
      }
      position -= 1
    }
    guard end >= 0 else { throw .notAZip(path: path) }
    let count = Int(u16(end + 10))
    let directorySize = Int(u32(end + 12))
    let directoryOffset = Int(u32(end + 16))
    if count == 0xFFFF || directoryOffset == 0xFFFF_FFFF {
      throw .unsupportedArchive(path: path, reason: "ZIP64 archives are not supported")
    }
    guard directoryOffset + directorySize <= end else { throw .notAZip(path: path) }
    var cursor = directoryOffset
    for _ in 0..<count {
      guard cursor + 46 <= end, u32(cursor) == 0x0201_4b50 else { throw .notAZip(path: path) }
      let nameLength = Int(u16(cursor + 28))
      let extraLength = Int(u16(cursor + 30))
      let commentLength = Int(u16(cursor + 32))
      guard cursor + 46 + nameLength <= end else { throw .notAZip(path: path) }
      let name = String(decoding: bytes[(cursor + 46)..<(cursor + 46 + nameLength)], as: UTF8.self)
      entries.append(
        Entry(
          name: name, method: u16(cursor + 10), flags: u16(cursor + 8), crc: u32(cursor + 16),
          compressedSize: Int(u32(cursor + 20)), size: Int(u32(cursor + 24)),
          localHeaderOffset: Int(u32(cursor + 42))))
      cursor += 46 + nameLength + extraLength + commentLength
    }
  }

  /// The bytes of the member called `name`, or nil when the archive has none.
  func member(named name: String) throws(KerasImportError) -> [UInt8]? {
    guard let entry = entries.first(where: { $0.name == name }) else { return nil }
    if entry.flags & 1 != 0 {
      throw .unsupportedArchive(path: path, reason: "\(name) is encrypted")
    }
    if entry.size == 0xFFFF_FFFF || entry.compressedSize == 0xFFFF_FFFF
      || entry.localHeaderOffset == 0xFFFF_FFFF
    {
      throw .unsupportedArchive(path: path, reason: "ZIP64 archives are not supported")
    }
    let header = entry.localHeaderOffset
    guard header + 30 <= bytes.count, u32(header) == 0x0403_4b50 else {
      throw .corruptMember(path: path, member: name)
    }
    let start = header + 30 + Int(u16(header + 26)) + Int(u16(header + 28))
    guard start + entry.compressedSize <= bytes.count else { throw .corruptMember(path: path, member: name) }
    let data: [UInt8]
    switch entry.method {
    case 0:
      guard entry.compressedSize == entry.size else { throw .corruptMember(path: path, member: name) }
      data = Array(bytes[start..<(start + entry.size)])
    case 8:
      data = try inflate(from: start, entry: entry)
    default:
      throw .unsupportedArchive(
        path: path,
        reason: "\(name) uses zip compression method \(entry.method) (only stored and deflate are read)")
    }
    let crc = data.withUnsafeBytes { UInt32(libdeflate_crc32(0, $0.baseAddress, $0.count)) }
    guard crc == entry.crc else { throw .corruptMember(path: path, member: name) }
    return data
  }

  private func inflate(from start: Int, entry: Entry) throws(KerasImportError) -> [UInt8] {
    guard let decompressor = libdeflate_alloc_decompressor() else {
      throw .unsupportedArchive(path: path, reason: "out of memory")
    }
    defer { libdeflate_free_decompressor(decompressor) }
    var output = [UInt8](repeating: 0, count: entry.size)
    var produced = 0
    let result = bytes.withUnsafeBytes { input in
      output.withUnsafeMutableBytes { out in
        libdeflate_deflate_decompress(
          decompressor, input.baseAddress.map { $0 + start }, entry.compressedSize, out.baseAddress,
          out.count,
          &produced)
      }
    }
    guard result == LIBDEFLATE_SUCCESS, produced == entry.size else {
      throw .corruptMember(path: path, member: entry.name)
    }
    return output
  }

  private func u16(_ offset: Int) -> UInt16 {
    UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
  }

  private func u32(_ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
      | UInt32(bytes[offset + 3]) << 24
  }
}
