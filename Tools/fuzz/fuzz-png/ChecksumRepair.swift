import CLibDeflate

/// Recomputes the checksums of a mutated PNG, so that a mutation inside a chunk reaches the code
/// behind the checksum checks instead of being refused by them.
///
/// Almost every byte a fuzzer changes in a PNG is covered by a chunk CRC-32, and every byte of the
/// compressed image data also by the zlib stream's Adler-32: without repair, mutated inputs stop at
/// the first check and coverage of the chunk readers, the inflate result handling, the row filters
/// and the sample conversion stays that of the seeds. The harness decodes each input both as given
/// (so the refusals stay covered) and repaired.
enum ChecksumRepair {
  /// `bytes` with the zlib header check bits, the Adler-32 of the IDAT stream (when the stream
  /// inflates) and every complete chunk's CRC recomputed; chunks are walked from the signature as
  /// far as their lengths fit in the buffer. Returns `bytes` unchanged when there is nothing to walk.
  static func repaired(_ bytes: [UInt8]) -> [UInt8] {
    guard bytes.count >= 8 + 12 else { return bytes }
    var out = bytes
    let chunks = walk(out)
    repairZlibStream(&out, idat: idatRun(out, chunks))
    for chunk in chunks {
      let crc = out.withUnsafeBytes { raw in
        UInt32(libdeflate_crc32(0, raw.baseAddress.map { $0 + chunk.offset + 4 }, 4 + chunk.length))
      }
      store(crc, in: &out, at: chunk.offset + 8 + chunk.length)
    }
    return out
  }

  /// A chunk whose length, type, data and CRC lie inside the buffer.
  struct Chunk {
    let offset: Int
    let length: Int
    var dataOffset: Int { offset + 8 }
  }

  static func walk(_ bytes: [UInt8]) -> [Chunk] {
    var chunks: [Chunk] = []
    var offset = 8
    while offset + 12 <= bytes.count {
      let length = Int(load(bytes, at: offset))
      guard length <= bytes.count - offset - 12 else { break }
      chunks.append(Chunk(offset: offset, length: length))
      offset += 12 + length
    }
    return chunks
  }

  /// The first run of consecutive IDAT chunks.
  static func idatRun(_ bytes: [UInt8], _ chunks: [Chunk]) -> [Chunk] {
    let isIDAT = { (chunk: Chunk) in
      bytes[(chunk.offset + 4)..<(chunk.offset + 8)].elementsEqual([0x49, 0x44, 0x41, 0x54])
    }
    guard let first = chunks.firstIndex(where: isIDAT) else { return [] }
    return Array(chunks[first...].prefix(while: isIDAT))
  }

  /// Fixes the FCHECK bits of the zlib header and, when the deflate data inflates, the Adler-32
  /// after it (the stream may span several IDAT chunks).
  static func repairZlibStream(_ bytes: inout [UInt8], idat: [Chunk]) {
    // Positions in the file of the stream's bytes, in stream order.
    var positions: [Int] = []
    for chunk in idat { positions += chunk.dataOffset..<(chunk.dataOffset + chunk.length) }
    guard positions.count >= 6 else { return }
    let cmf = Int(bytes[positions[0]])
    var flg = Int(bytes[positions[1]])
    if (cmf << 8 | flg) % 31 != 0 {
      flg &= 0xE0
      flg += 31 - (cmf << 8 | flg) % 31
      bytes[positions[1]] = UInt8(flg)
    }
    guard flg & 0x20 == 0 else { return }  // a preset dictionary: left to the decoder to refuse
    let stream = positions.map { bytes[$0] }
    // Deflate expands at most 1032:1; the decoders' pixel budget bounds the rest.
    let capacity = min(stream.count * 1032 + 1024, 1 << 24)
    guard let decompressor = libdeflate_alloc_decompressor() else { return }
    defer { libdeflate_free_decompressor(decompressor) }
    let output = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    defer { output.deallocate() }
    var consumed = 0
    var produced = 0
    let result = stream.withUnsafeBytes { input in
      libdeflate_deflate_decompress_ex(
        decompressor, input.baseAddress.map { $0 + 2 }, input.count - 2, output.baseAddress, capacity,
        &consumed, &produced)
    }
    guard result == LIBDEFLATE_SUCCESS else { return }
    let end = 2 + consumed
    guard end + 4 <= positions.count else { return }
    let adler = UInt32(libdeflate_adler32(1, output.baseAddress, produced))
    for index in 0..<4 {
      bytes[positions[end + index]] = UInt8(truncatingIfNeeded: adler >> (24 - 8 * UInt32(index)))
    }
  }

  static func load(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
      | UInt32(bytes[offset + 3])
  }

  static func store(_ value: UInt32, in bytes: inout [UInt8], at offset: Int) {
    for index in 0..<4 {
      bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(index)))
    }
  }
}
