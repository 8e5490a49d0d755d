import CLibDeflate
import CZlib

/// augstore's own decoder for 16-bit Adam7-interlaced PNGs.
///
/// libpng before 1.6.51 overflows its output buffer and scrambles rows when its simplified API
/// scales interlaced 16-bit data to 8 bits (CVE-2025-65018), and its 16-bit output premultiplies
/// alpha. This decoder avoids libpng for these files: it walks the chunks itself (lengths checked
/// against the buffer, CRCs of IHDR, PLTE, tRNS and IDAT verified with libdeflate's `crc32`), inflates
/// the IDAT stream with zlib into a buffer of exactly the size the seven Adam7 passes need,
/// undoes the row filters, scatters the pass pixels into the image and rounds every sample to
/// 8 bits (`(v * 255 + 32767) / 65535`). Alpha is never premultiplied; a tRNS colour key adds an
/// alpha channel (0 where all samples equal the key, else 255). Colour-space chunks (gAMA, sRGB,
/// iCCP, ...) are ignored: samples are taken as they are.
///
/// The caller (`PNGDecoder`) has already validated the header with libpng, checked
/// `width * height` against the pixel budget and found a complete IEND chunk.
enum PNGInterlaced16Decoder {
  /// One Adam7 pass: the first column and row it covers and its steps.
  struct Pass {
    let x0: Int
    let y0: Int
    let dx: Int
    let dy: Int
  }

  static let passes: [Pass] = [
    Pass(x0: 0, y0: 0, dx: 8, dy: 8), Pass(x0: 4, y0: 0, dx: 8, dy: 8),
    Pass(x0: 0, y0: 4, dx: 4, dy: 8), Pass(x0: 2, y0: 0, dx: 4, dy: 4),
    Pass(x0: 0, y0: 2, dx: 2, dy: 4), Pass(x0: 1, y0: 0, dx: 2, dy: 2),
    Pass(x0: 0, y0: 1, dx: 1, dy: 2),
  ]

  /// What the chunk walk found.
  struct Layout {
    var width = 0
    var height = 0
    var colorType = 0
    /// Samples per pixel in the file: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.
    var fileChannels = 0
    /// The tRNS colour key (1 sample for grey, 3 for RGB), if any.
    var key: [UInt16]?
    /// Byte offsets of the first IDAT chunk and of the chunk after the last consecutive IDAT.
    var idatStart = 0
    var idatEnd = 0
  }

  /// Decodes `bytes` (a whole PNG file whose header libpng read as `header`) into `header.height`
  /// rows of `header.width * header.channels` bytes. `willAllocate` sees each byte count just
  /// before that buffer is allocated. Throws `PNGError.invalid`.
  static func decode(
    _ bytes: UnsafeRawBufferPointer, header: PNGHeader, willAllocate: (Int) -> Void
  ) throws -> [UInt8] {
    let layout = try walkChunks(bytes)
    let outChannels = layout.fileChannels + (layout.key == nil ? 0 : 1)
    guard layout.width == header.width, layout.height == header.height, outChannels == header.channels
    else {
      throw PNGError.invalid(reason: "IHDR: header does not match")
    }
    let bpp = layout.fileChannels * 2
    let rawSize = try rawByteCount(width: layout.width, height: layout.height, bytesPerPixel: bpp)
    let count = try product(product(layout.width, layout.height), outChannels)

    willAllocate(rawSize)
    let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: rawSize, alignment: 1)
    defer { raw.deallocate() }
    try inflate(bytes, layout: layout, into: raw)
    try unfilter(raw, width: layout.width, height: layout.height, bytesPerPixel: bpp)

    willAllocate(count)
    return [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
      scatter(UnsafeRawBufferPointer(raw), layout: layout, into: out)
      initialized = count
    }
  }

  // MARK: Chunks

  /// Walks the chunks from the signature to IEND: checks every length against the buffer and
  /// every chunk type, verifies the CRCs of IHDR, PLTE, tRNS and IDAT, reads IHDR and tRNS and
  /// finds the IDAT run.
  static func walkChunks(_ bytes: UnsafeRawBufferPointer) throws -> Layout {
    var layout = Layout()
    var offset = PNGDecoder.signature.count
    var sawIHDR = false
    var sawTRNS = false
    var idatDone = false
    while true {
      guard bytes.count - offset >= 12 else {
        throw PNGError.invalid(reason: "truncated chunk header")
      }
      let length = Int(readUInt32(bytes, offset))
      let type = (0..<4).map { bytes[offset + 4 + $0] }
      guard type.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
        throw PNGError.invalid(reason: "invalid chunk type")
      }
      let name = String(decoding: type, as: UTF8.self)
      guard length <= 0x7FFF_FFFF else {
        throw PNGError.invalid(reason: "\(name): PNG unsigned integer out of range")
      }
      guard length <= bytes.count - offset - 12 else {
        throw PNGError.invalid(reason: "\(name): chunk extends past the end of the file")
      }
      let data = offset + 8
      let next = data + length + 4
      guard sawIHDR || name == "IHDR" else { throw PNGError.invalid(reason: "Missing IHDR before \(name)") }
      if name == "IHDR" || name == "PLTE" || name == "tRNS" || name == "IDAT" {
        try verifyCRC(bytes, offset: offset, length: length, name: name)
      }
      if layout.idatStart != 0 && !idatDone && name != "IDAT" {
        idatDone = true
        layout.idatEnd = offset
      }
      switch name {
      case "IHDR":
        guard !sawIHDR else { throw PNGError.invalid(reason: "IHDR: out of place") }
        sawIHDR = true
        try readIHDR(bytes, data: data, length: length, into: &layout)
      case "tRNS":
        // Like libpng: only the first tRNS before IDAT counts; a key of the wrong size, or a
        // tRNS chunk on an image that already has alpha, is ignored.
        if !sawTRNS && layout.idatStart == 0 {
          sawTRNS = true
          let samples = layout.colorType == 0 ? 1 : layout.colorType == 2 ? 3 : 0
          if samples > 0 && length == samples * 2 {
            layout.key = (0..<samples).map { readUInt16(bytes, data + 2 * $0) }
          }
        }
      case "IDAT":
        guard !idatDone else { throw PNGError.invalid(reason: "Too many IDATs found") }
        if layout.idatStart == 0 { layout.idatStart = offset }
      case "IEND":
        guard layout.idatStart != 0 else { throw PNGError.invalid(reason: "No image in file") }
        return layout
      case "PLTE":
        break
      default:
        guard type[0] & 0x20 != 0 else { throw PNGError.invalid(reason: "\(name): unknown critical chunk") }
      }
      offset = next
    }
  }

  static func readIHDR(
    _ bytes: UnsafeRawBufferPointer, data: Int, length: Int, into layout: inout Layout
  ) throws {
    guard length == 13 else { throw PNGError.invalid(reason: "IHDR: invalid") }
    let width = Int(readUInt32(bytes, data))
    let height = Int(readUInt32(bytes, data + 4))
    guard width > 0, width <= 0x7FFF_FFFF, height > 0, height <= 0x7FFF_FFFF else {
      throw PNGError.invalid(reason: "Invalid image size in IHDR")
    }
    let depth = bytes[data + 8]
    let colorType = Int(bytes[data + 9])
    let channels: Int
    switch colorType {
    case 0: channels = 1
    case 2: channels = 3
    case 4: channels = 2
    case 6: channels = 4
    default: throw PNGError.invalid(reason: "Invalid color type in IHDR")
    }
    guard depth == 16 else { throw PNGError.invalid(reason: "Invalid bit depth in IHDR") }
    guard bytes[data + 10] == 0 else { throw PNGError.invalid(reason: "Unknown compression method in IHDR") }
    guard bytes[data + 11] == 0 else { throw PNGError.invalid(reason: "Unknown filter method in IHDR") }
    guard bytes[data + 12] == 1 else { throw PNGError.invalid(reason: "Unknown interlace method in IHDR") }
    layout.width = width
    layout.height = height
    layout.colorType = colorType
    layout.fileChannels = channels
  }

  /// Checks the CRC of the chunk at `offset` (over its type and data) with libdeflate's `crc32`
  /// (the same CRC as zlib's, computed with carry-less multiplication where the CPU has it).
  static func verifyCRC(_ bytes: UnsafeRawBufferPointer, offset: Int, length: Int, name: String) throws {
    guard let base = bytes.baseAddress else { throw PNGError.empty }
    let typeAndData = base.advanced(by: offset + 4).assumingMemoryBound(to: UInt8.self)
    let computed = libdeflate_crc32(0, typeAndData, length + 4)
    guard UInt32(truncatingIfNeeded: computed) == readUInt32(bytes, offset + 8 + length) else {
      throw PNGError.invalid(reason: "\(name): CRC error")
    }
  }

  // MARK: Sizes

  /// Columns (or rows) an Adam7 pass covers in an image `size` pixels wide (or high).
  static func passExtent(_ size: Int, start: Int, step: Int) -> Int {
    size > start ? (size - start + step - 1) / step : 0
  }

  /// Bytes of filtered image data the seven passes hold: one filter byte per row of every
  /// non-empty pass plus `bytesPerPixel` per pixel. Throws on arithmetic overflow.
  static func rawByteCount(width: Int, height: Int, bytesPerPixel: Int) throws -> Int {
    var total = 0
    for pass in passes {
      let columns = passExtent(width, start: pass.x0, step: pass.dx)
      let rows = passExtent(height, start: pass.y0, step: pass.dy)
      guard columns > 0, rows > 0 else { continue }
      let rowBytes = try sum(product(columns, bytesPerPixel), 1)
      total = try sum(total, product(rowBytes, rows))
    }
    return total
  }

  static func product(_ a: Int, _ b: Int) throws -> Int {
    let (value, overflow) = a.multipliedReportingOverflow(by: b)
    guard !overflow else { throw PNGError.invalid(reason: "image size overflows") }
    return value
  }

  static func sum(_ a: Int, _ b: Int) throws -> Int {
    let (value, overflow) = a.addingReportingOverflow(b)
    guard !overflow else { throw PNGError.invalid(reason: "image size overflows") }
    return value
  }

  // MARK: Inflate

  /// Inflates the IDAT run into `raw`, which must end up exactly full when the zlib stream ends.
  static func inflate(
    _ bytes: UnsafeRawBufferPointer, layout: Layout, into raw: UnsafeMutableRawBufferPointer
  )
    throws
  {
    guard let base = bytes.baseAddress else { throw PNGError.empty }
    // zlib keeps the stream's address in its state, so the z_stream must not move: heap, not a
    // Swift `var` passed inout.
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    guard augstore_inflate_init(stream) == Z_OK else {
      throw PNGError.invalid(reason: "zlib initialization failed")
    }
    defer { inflateEnd(stream) }

    // One spare byte: once `raw` is full, output goes here, and any byte in it is too much data.
    var spare: UInt8 = 0
    try withUnsafeMutablePointer(to: &spare) { sparePointer in
      stream.pointee.next_out = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
      stream.pointee.avail_out = 0
      var outputLeft = raw.count
      var usingSpare = false
      var ended = false

      /// Refills `avail_out` from `outputLeft` (zlib counts in UInt32), then from the spare byte.
      func refillOutput() throws {
        guard stream.pointee.avail_out == 0 else { return }
        if outputLeft > 0 {
          let chunk = min(outputLeft, Int(UInt32.max))
          stream.pointee.avail_out = UInt32(chunk)
          outputLeft -= chunk
        } else if !usingSpare {
          usingSpare = true
          stream.pointee.next_out = sparePointer
          stream.pointee.avail_out = 1
        } else {
          throw PNGError.invalid(reason: "Too much image data")
        }
      }

      var offset = layout.idatStart
      while !ended {
        // Feed the next IDAT chunk once zlib has taken all of the current one.
        while stream.pointee.avail_in == 0 && offset < layout.idatEnd {
          let length = Int(readUInt32(bytes, offset))
          stream.pointee.next_in = UnsafeMutablePointer(
            mutating: base.advanced(by: offset + 8).assumingMemoryBound(to: UInt8.self))
          stream.pointee.avail_in = UInt32(length)
          offset += 12 + length
        }
        try refillOutput()
        let inBefore = stream.pointee.avail_in
        let outBefore = stream.pointee.avail_out
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        if usingSpare && stream.pointee.avail_out == 0 {
          throw PNGError.invalid(reason: "Too much image data")
        }
        if status == Z_STREAM_END {
          ended = true  // Like libpng, bytes after the end of the zlib stream are ignored.
        } else if status != Z_OK && status != Z_BUF_ERROR {
          throw PNGError.invalid(reason: zlibMessage(stream, status: status))
        } else if stream.pointee.avail_in == inBefore && stream.pointee.avail_out == outBefore {
          break  // No progress: the input is used up and zlib holds nothing more.
        }
      }
      let filled = usingSpare || (outputLeft == 0 && stream.pointee.avail_out == 0)
      guard filled else { throw PNGError.invalid(reason: "Not enough image data") }
      guard ended else { throw PNGError.invalid(reason: "IDAT: incomplete zlib stream") }
    }
  }

  static func zlibMessage(_ stream: UnsafeMutablePointer<z_stream>, status: Int32) -> String {
    if let message = stream.pointee.msg {
      return "IDAT: " + String(cString: message)
    }
    switch status {
    case Z_NEED_DICT: return "IDAT: zlib stream needs a preset dictionary"
    case Z_MEM_ERROR: return "IDAT: zlib out of memory"
    default: return "IDAT: zlib error \(status)"
    }
  }

  // MARK: Filters

  /// Undoes the row filters of every pass in place. Throws on a filter type above 4.
  static func unfilter(
    _ raw: UnsafeMutableRawBufferPointer, width: Int, height: Int, bytesPerPixel bpp: Int
  )
    throws
  {
    guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
    var start = 0
    for pass in passes {
      let columns = passExtent(width, start: pass.x0, step: pass.dx)
      let rows = passExtent(height, start: pass.y0, step: pass.dy)
      guard columns > 0, rows > 0 else { continue }
      let rowBytes = columns * bpp
      for row in 0..<rows {
        let filter = base[start]
        let line = base + start + 1
        // The row above in this pass; the first row has none (zeros).
        let prior: UnsafeMutablePointer<UInt8>? = row == 0 ? nil : line - (rowBytes + 1)
        try PNGFilters.unfilterRow(line, prior: prior, count: rowBytes, bpp: bpp, filter: filter)
        start += rowBytes + 1
      }
    }
  }

  // MARK: Output

  /// Places every pass pixel of the unfiltered `raw` data at its image position, rounding the
  /// big-endian 16-bit samples to 8 bits and appending the tRNS alpha when there is a key.
  /// Together the seven passes write every byte of `out` exactly once.
  static func scatter(
    _ raw: UnsafeRawBufferPointer, layout: Layout, into out: UnsafeMutableBufferPointer<UInt8>
  ) {
    guard let src = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), let dst = out.baseAddress else {
      return
    }
    let channels = layout.fileChannels
    let outChannels = channels + (layout.key == nil ? 0 : 1)
    let bpp = channels * 2
    let outRow = layout.width * outChannels
    // The key as up to 3 samples; unused slots are never compared.
    let key = layout.key ?? []
    var start = 0
    for pass in passes {
      let columns = passExtent(layout.width, start: pass.x0, step: pass.dx)
      let rows = passExtent(layout.height, start: pass.y0, step: pass.dy)
      guard columns > 0, rows > 0 else { continue }
      let rowBytes = columns * bpp
      for row in 0..<rows {
        let line = src + start + 1
        let y = pass.y0 + row * pass.dy
        let rowStart = dst + y * outRow
        for column in 0..<columns {
          let pixel = line + column * bpp
          let target = rowStart + (pass.x0 + column * pass.dx) * outChannels
          var matches = true
          for c in 0..<channels {
            let v = UInt32(pixel[2 * c]) << 8 | UInt32(pixel[2 * c + 1])
            target[c] = UInt8((v * 255 + 32767) / 65535)
            if !key.isEmpty && UInt16(v) != key[c] { matches = false }
          }
          if !key.isEmpty { target[channels] = matches ? 0 : 255 }
        }
        start += rowBytes + 1
      }
    }
  }

  // MARK: Bytes

  @inline(__always)
  static func readUInt32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
      | UInt32(bytes[offset + 3])
  }

  @inline(__always)
  static func readUInt16(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
    UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
  }
}
