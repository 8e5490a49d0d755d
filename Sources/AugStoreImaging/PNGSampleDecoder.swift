import CLibDeflate

/// augstore's own PNG decoder: the samples as stored, whatever colour-management chunks a file has.
///
/// Pillow, OpenCV and TensorFlow's `decode_png` return a PNG's samples as they are in the file; so
/// does this decoder, and Keras parity therefore starts at decoding. It walks the chunks itself
/// (every length checked against the buffer; CRCs of IHDR, PLTE, tRNS and IDAT verified), inflates
/// the whole IDAT stream in one call with libdeflate into a buffer of exactly the size the image
/// needs, undoes the row filters and converts each row to 8-bit samples:
///
/// - 8-bit samples are copied; 16-bit samples keep their high byte (`v >> 8`), as OpenCV,
///   TensorFlow and Pillow's RGB modes do;
/// - grey samples below 8 bits are scaled to 0...255 (`v * 255 / (2^d - 1)`: ×255, ×85, ×17);
/// - palette indexes become RGB, or RGBA when the file has a tRNS chunk (entries past the tRNS
///   list are opaque; indexes past the palette are black, as Pillow pads its palettes);
/// - a tRNS colour key on a grey or RGB image adds an alpha channel: 0 where every sample equals the
///   key (compared at the file's bit depth), else 255;
/// - gAMA, cHRM, sRGB, iCCP and every other ancillary chunk are ignored; alpha is never
///   premultiplied; Adam7 interlacing is undone.
///
/// Output channels are `PNGHeader.channels`. Hostile input is refused with `PNGError`: the pixel
/// budget is checked from IHDR before any pixel memory is allocated, and every size computation
/// checks for overflow.
enum PNGSampleDecoder {
  /// What the chunk walk found.
  struct Layout {
    var width = 0
    var height = 0
    var depth = 0
    var colorType = 0
    var interlaced = false
    /// Samples per pixel in the file: 1 grey or palette, 2 grey+alpha, 3 RGB, 4 RGBA.
    var fileChannels = 0
    /// RGB triples of the palette.
    var palette: [UInt8] = []
    /// Alpha of the first palette entries (from tRNS), or `nil` without tRNS.
    var paletteAlpha: [UInt8]?
    /// The tRNS colour key (1 sample for grey, 3 for RGB) at the file's bit depth, if any.
    var key: [UInt16]?
    /// Offsets of the first IDAT chunk and of the chunk after the last consecutive IDAT.
    var idatStart = 0
    var idatEnd = 0
    var idatCount = 0
    var idatBytes = 0

    /// Channels of the decoded tensor.
    var outputChannels: Int {
      if colorType == 3 { return paletteAlpha == nil ? 3 : 4 }
      return fileChannels + (key == nil ? 0 : 1)
    }

    /// Bytes per complete pixel for filtering (at least 1).
    var filterStride: Int { max(1, fileChannels * depth / 8) }

    /// Bytes of one filtered row of `columns` pixels, without its filter byte.
    func rowBytes(columns: Int) throws -> Int {
      let bits = try PNGSampleDecoder.product(PNGSampleDecoder.product(columns, fileChannels), depth)
      return (bits + 7) / 8
    }
  }

  /// The header, from a walk over every chunk (no pixel is decoded). Throws `PNGError`.
  static func header(of bytes: UnsafeRawBufferPointer) throws -> PNGHeader {
    let layout = try walkChunks(bytes)
    return PNGHeader(
      width: layout.width, height: layout.height, channels: layout.outputChannels, bitDepth: layout.depth,
      colorType: layout.colorType, interlaced: layout.interlaced)
  }

  /// Decodes `bytes` into a tensor of 8-bit samples. `willAllocate` sees each byte count just
  /// before that buffer is allocated. Throws `PNGError`.
  static func decode(
    _ bytes: UnsafeRawBufferPointer, pixelBudget: Int, willAllocate: (Int) -> Void
  ) throws -> Tensor {
    let layout = try walkChunks(bytes)
    // IHDR caps each side at 2^31 - 1, so the product cannot overflow.
    guard layout.width * layout.height <= pixelBudget else {
      throw PNGError.tooLarge(width: layout.width, height: layout.height, budget: pixelBudget)
    }
    let rawSize = try rawByteCount(layout)
    let channels = layout.outputChannels
    let count = try product(product(layout.width, layout.height), channels)

    willAllocate(rawSize)
    let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: rawSize + 1, alignment: 16)
    defer { raw.deallocate() }
    try inflate(bytes, layout: layout, into: raw, expected: rawSize)

    willAllocate(count)
    let pixels = try [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
      initialized = 0
      try unfilterAndConvert(raw, layout: layout, into: out)
      initialized = count
    }
    return Tensor(height: layout.height, width: layout.width, channels: channels, pixels: pixels)
  }

  // MARK: Chunks

  /// Walks the chunks from the signature to IEND: checks every length against the buffer and every
  /// chunk type, verifies the CRCs of IHDR, PLTE, tRNS and IDAT, reads IHDR, PLTE and tRNS and finds
  /// the IDAT run.
  static func walkChunks(_ bytes: UnsafeRawBufferPointer) throws -> Layout {
    guard !bytes.isEmpty else { throw PNGError.empty }
    guard bytes.count >= PNGDecoder.signature.count,
      bytes.prefix(PNGDecoder.signature.count).elementsEqual(PNGDecoder.signature)
    else { throw PNGError.notPNG }
    var layout = Layout()
    var offset = PNGDecoder.signature.count
    var sawIHDR = false
    var sawPLTE = false
    var sawTRNS = false
    var idatDone = false
    while true {
      guard bytes.count - offset >= 12 else {
        throw PNGError.invalid(reason: sawIHDR ? "missing IEND chunk (truncated file)" : "truncated header")
      }
      let length = Int(PNGInterlaced16Decoder.readUInt32(bytes, offset))
      let type = (bytes[offset + 4], bytes[offset + 5], bytes[offset + 6], bytes[offset + 7])
      let letters = [type.0, type.1, type.2, type.3]
      guard letters.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
        throw PNGError.invalid(reason: "invalid chunk type")
      }
      let name = String(decoding: letters, as: UTF8.self)
      guard length <= 0x7FFF_FFFF else {
        throw PNGError.invalid(reason: "\(name): PNG unsigned integer out of range")
      }
      guard length <= bytes.count - offset - 12 else {
        throw PNGError.invalid(
          reason: name == "IDAT" || name == "IEND" || sawIHDR
            ? "\(name): chunk extends past the end of the file (truncated file)"
            : "\(name): chunk extends past the end of the file")
      }
      let data = offset + 8
      let next = data + length + 4
      guard sawIHDR || name == "IHDR" else { throw PNGError.invalid(reason: "missing IHDR before \(name)") }
      if name == "IHDR" || name == "PLTE" || name == "tRNS" || name == "IDAT" {
        try PNGInterlaced16Decoder.verifyCRC(bytes, offset: offset, length: length, name: name)
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
      case "PLTE":
        guard !sawPLTE, layout.idatStart == 0 else { throw PNGError.invalid(reason: "PLTE: out of place") }
        sawPLTE = true
        if layout.colorType == 3 {
          guard length > 0, length % 3 == 0, length / 3 <= 1 << layout.depth else {
            throw PNGError.invalid(reason: "PLTE: invalid palette length \(length)")
          }
          layout.palette = (0..<length).map { bytes[data + $0] }
        }
      case "tRNS":
        // Like libpng: only the first tRNS before IDAT counts; one of the wrong size, or on an image
        // that has alpha already, is ignored.
        if !sawTRNS && layout.idatStart == 0 {
          sawTRNS = true
          switch layout.colorType {
          case 3:
            guard sawPLTE else { throw PNGError.invalid(reason: "tRNS: before PLTE") }
            if length > 0 && length <= layout.palette.count / 3 {
              layout.paletteAlpha = (0..<length).map { bytes[data + $0] }
            }
          case 0 where length == 2, 2 where length == 6:
            let mask = UInt16(truncatingIfNeeded: (1 << layout.depth) - 1)
            layout.key = (0..<(length / 2)).map {
              PNGInterlaced16Decoder.readUInt16(bytes, data + 2 * $0) & mask
            }
          default:
            break
          }
        }
      case "IDAT":
        guard !idatDone else { throw PNGError.invalid(reason: "IDAT: not consecutive (too many IDATs)") }
        if layout.idatStart == 0 {
          guard layout.colorType != 3 || sawPLTE else { throw PNGError.invalid(reason: "missing PLTE") }
          layout.idatStart = offset
        }
        layout.idatCount += 1
        layout.idatBytes = try sum(layout.idatBytes, length)
      case "IEND":
        guard layout.idatStart != 0 else { throw PNGError.invalid(reason: "no image data (IDAT) in file") }
        if !idatDone { layout.idatEnd = offset }
        return layout
      default:
        guard type.0 & 0x20 != 0 else { throw PNGError.invalid(reason: "\(name): unknown critical chunk") }
      }
      offset = next
    }
  }

  static func readIHDR(
    _ bytes: UnsafeRawBufferPointer, data: Int, length: Int, into layout: inout Layout
  ) throws {
    guard length == 13 else { throw PNGError.invalid(reason: "IHDR: invalid length") }
    let width = Int(PNGInterlaced16Decoder.readUInt32(bytes, data))
    let height = Int(PNGInterlaced16Decoder.readUInt32(bytes, data + 4))
    guard width > 0, width <= 0x7FFF_FFFF, height > 0, height <= 0x7FFF_FFFF else {
      throw PNGError.invalid(reason: "invalid image size in IHDR (\(width) × \(height))")
    }
    let depth = Int(bytes[data + 8])
    let colorType = Int(bytes[data + 9])
    let channels: Int
    let depths: Set<Int>
    switch colorType {
    case 0: (channels, depths) = (1, [1, 2, 4, 8, 16])
    case 2: (channels, depths) = (3, [8, 16])
    case 3: (channels, depths) = (1, [1, 2, 4, 8])
    case 4: (channels, depths) = (2, [8, 16])
    case 6: (channels, depths) = (4, [8, 16])
    default: throw PNGError.invalid(reason: "invalid color type \(colorType) in IHDR")
    }
    guard depths.contains(depth) else {
      throw PNGError.invalid(reason: "invalid bit depth \(depth) for color type \(colorType) in IHDR")
    }
    guard bytes[data + 10] == 0 else { throw PNGError.invalid(reason: "unknown compression method in IHDR") }
    guard bytes[data + 11] == 0 else { throw PNGError.invalid(reason: "unknown filter method in IHDR") }
    guard bytes[data + 12] <= 1 else { throw PNGError.invalid(reason: "unknown interlace method in IHDR") }
    layout.width = width
    layout.height = height
    layout.depth = depth
    layout.colorType = colorType
    layout.fileChannels = channels
    layout.interlaced = bytes[data + 12] == 1
  }

  // MARK: Sizes

  /// The passes of the image: one covering everything, or the seven Adam7 passes.
  static func passes(_ layout: Layout) -> [PNGInterlaced16Decoder.Pass] {
    layout.interlaced ? PNGInterlaced16Decoder.passes : [.init(x0: 0, y0: 0, dx: 1, dy: 1)]
  }

  /// Bytes of filtered image data: one filter byte per row of every non-empty pass plus its
  /// packed samples. Throws on arithmetic overflow.
  static func rawByteCount(_ layout: Layout) throws -> Int {
    var total = 0
    for pass in passes(layout) {
      let columns = PNGInterlaced16Decoder.passExtent(layout.width, start: pass.x0, step: pass.dx)
      let rows = PNGInterlaced16Decoder.passExtent(layout.height, start: pass.y0, step: pass.dy)
      guard columns > 0, rows > 0 else { continue }
      total = try sum(total, product(sum(layout.rowBytes(columns: columns), 1), rows))
    }
    return total
  }

  static func product(_ a: Int, _ b: Int) throws -> Int {
    try PNGInterlaced16Decoder.product(a, b)
  }

  static func sum(_ a: Int, _ b: Int) throws -> Int {
    try PNGInterlaced16Decoder.sum(a, b)
  }

  // MARK: Inflate

  /// Inflates the IDAT run into `raw` (`expected` bytes plus one spare), which must end up holding
  /// exactly `expected` bytes. Bytes after the end of the zlib stream are ignored, as by libpng.
  static func inflate(
    _ bytes: UnsafeRawBufferPointer, layout: Layout, into raw: UnsafeMutableRawBufferPointer, expected: Int
  ) throws {
    guard let base = bytes.baseAddress, let output = raw.baseAddress else { throw PNGError.empty }
    guard let decompressor = libdeflate_alloc_decompressor() else {
      throw PNGError.invalid(reason: "out of memory for the inflater")
    }
    defer { libdeflate_free_decompressor(decompressor) }
    var produced = 0
    var consumed = 0
    let result: libdeflate_result
    if layout.idatCount == 1 {
      let length = Int(PNGInterlaced16Decoder.readUInt32(bytes, layout.idatStart))
      result = libdeflate_zlib_decompress_ex(
        decompressor, base + layout.idatStart + 8, length, output, expected + 1, &consumed, &produced)
    } else {
      // libdeflate inflates one contiguous buffer: gather the IDAT data.
      let stream = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, layout.idatBytes), alignment: 1)
      defer { stream.deallocate() }
      var offset = layout.idatStart
      var filled = 0
      while offset < layout.idatEnd {
        let length = Int(PNGInterlaced16Decoder.readUInt32(bytes, offset))
        if length > 0 {
          UnsafeMutableRawBufferPointer(rebasing: stream[filled..<(filled + length)])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[(offset + 8)..<(offset + 8 + length)]))
        }
        filled += length
        offset += 12 + length
      }
      result = libdeflate_zlib_decompress_ex(
        decompressor, stream.baseAddress, filled, output, expected + 1, &consumed, &produced)
    }
    switch result {
    case LIBDEFLATE_SUCCESS:
      guard produced <= expected else { throw PNGError.invalid(reason: "IDAT: too much image data") }
      guard produced == expected else { throw PNGError.invalid(reason: "IDAT: not enough image data") }
    case LIBDEFLATE_INSUFFICIENT_SPACE:
      throw PNGError.invalid(reason: "IDAT: too much image data")
    default:
      throw PNGError.invalid(reason: "IDAT: invalid or truncated zlib stream")
    }
  }

  // MARK: Filters and samples

  /// Undoes each pass's row filters in `raw` and writes its pixels, converted to 8-bit samples,
  /// at their image positions in `out`. Together the passes write every byte of `out` once.
  static func unfilterAndConvert(
    _ raw: UnsafeMutableRawBufferPointer, layout: Layout, into out: UnsafeMutableBufferPointer<UInt8>
  ) throws {
    guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), let dst = out.baseAddress else {
      return
    }
    let converter = RowConverter(layout: layout)
    let outRow = layout.width * converter.outputChannels
    let stride = layout.filterStride
    var start = 0
    for pass in passes(layout) {
      let columns = PNGInterlaced16Decoder.passExtent(layout.width, start: pass.x0, step: pass.dx)
      let rows = PNGInterlaced16Decoder.passExtent(layout.height, start: pass.y0, step: pass.dy)
      guard columns > 0, rows > 0 else { continue }
      let rowBytes = try layout.rowBytes(columns: columns)
      // Two Paeth rows in a row (most rows of a photograph) are undone together.
      let pairs = (stride == 3 || stride == 4) && rowBytes == columns * stride && columns >= 2
      var row = 0
      while row < rows {
        let line = base + start + 1
        let prior: UnsafeMutablePointer<UInt8>? = row == 0 ? nil : line - (rowBytes + 1)
        let together: Int
        if pairs, let prior, row + 1 < rows, base[start] == 4, base[start + rowBytes + 1] == 4 {
          PNGFilters.paethRowPair(line, prior: prior, count: rowBytes, bpp: stride)
          together = 2
        } else {
          try PNGFilters.unfilterRow(
            line, prior: prior, count: rowBytes, bpp: stride, filter: base[start])
          together = 1
        }
        for done in 0..<together {
          let y = pass.y0 + (row + done) * pass.dy
          converter.convert(
            line + done * (rowBytes + 1), columns: columns,
            into: dst + y * outRow + pass.x0 * converter.outputChannels,
            step: pass.dx * converter.outputChannels)
        }
        start += together * (rowBytes + 1)
        row += together
      }
    }
  }

  /// Turns one unfiltered row of file samples into 8-bit output pixels.
  struct RowConverter {
    let layout: Layout
    let outputChannels: Int
    /// Palette as RGBA quadruples (256 entries; missing entries black and opaque).
    let palette: [UInt8]

    init(layout: Layout) {
      self.layout = layout
      outputChannels = layout.outputChannels
      var palette = [UInt8](repeating: 0, count: 256 * 4)
      if layout.colorType == 3 {
        for entry in 0..<256 {
          if entry * 3 + 2 < layout.palette.count {
            palette[entry * 4] = layout.palette[entry * 3]
            palette[entry * 4 + 1] = layout.palette[entry * 3 + 1]
            palette[entry * 4 + 2] = layout.palette[entry * 3 + 2]
          }
          palette[entry * 4 + 3] = layout.paletteAlpha.flatMap { entry < $0.count ? $0[entry] : nil } ?? 255
        }
      }
      self.palette = palette
    }

    /// Writes `columns` pixels of `line` to `target`, `step` bytes apart.
    func convert(
      _ line: UnsafePointer<UInt8>, columns: Int, into target: UnsafeMutablePointer<UInt8>, step: Int
    ) {
      let channels = layout.fileChannels
      switch (layout.depth, layout.colorType) {
      case (8, 3):
        palette.withUnsafeBufferPointer { table in
          for column in 0..<columns {
            let entry = Int(line[column]) * 4
            let pixel = target + column * step
            for c in 0..<outputChannels { pixel[c] = table[entry + c] }
          }
        }
      case (8, _) where layout.key == nil:
        if step == channels {
          target.update(from: line, count: columns * channels)
        } else {
          for column in 0..<columns {
            (target + column * step).update(from: line + column * channels, count: channels)
          }
        }
      case (8, _):
        let key = layout.key ?? []
        for column in 0..<columns {
          let source = line + column * channels
          let pixel = target + column * step
          var matches = true
          for c in 0..<channels {
            pixel[c] = source[c]
            if UInt16(source[c]) != key[c] { matches = false }
          }
          pixel[channels] = matches ? 0 : 255
        }
      case (16, _):
        let key = layout.key
        for column in 0..<columns {
          let source = line + column * channels * 2
          let pixel = target + column * step
          var matches = true
          for c in 0..<channels {
            pixel[c] = source[2 * c]
            if let key, UInt16(source[2 * c]) << 8 | UInt16(source[2 * c + 1]) != key[c] { matches = false }
          }
          if key != nil { pixel[channels] = matches ? 0 : 255 }
        }
      default:  // 1, 2 or 4 bits: grey or palette, one sample per pixel
        let depth = layout.depth
        let mask = (1 << depth) - 1
        let scale = 255 / mask
        let perByte = 8 / depth
        let key = layout.key?.first
        palette.withUnsafeBufferPointer { table in
          for column in 0..<columns {
            let byte = Int(line[column / perByte])
            let shift = 8 - depth * (column % perByte + 1)
            let value = (byte >> shift) & mask
            let pixel = target + column * step
            if layout.colorType == 3 {
              for c in 0..<outputChannels { pixel[c] = table[value * 4 + c] }
            } else {
              pixel[0] = UInt8(value * scale)
              if let key { pixel[1] = UInt16(value) == key ? 0 : 255 }
            }
          }
        }
      }
    }
  }
}
