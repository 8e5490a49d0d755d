import Foundation
import Testing

@testable import AugStoreImaging

/// Builds 16-bit Adam7 PNGs by hand: every filter type, chosen per row, and stored (uncompressed)
/// deflate blocks, so the tests control every byte of the image data without a compressor.
enum HandPNG {
  static let passes: [(x0: Int, y0: Int, dx: Int, dy: Int)] = [
    (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
  ]

  static func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0xEDB8_8320) }
    }
    return ~crc
  }

  static func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
  }

  static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
  }

  /// A zlib stream of stored blocks holding `data`.
  static func zlibStored(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x78, 0x01]
    var start = 0
    repeat {
      let n = min(65535, data.count - start)
      let final: UInt8 = start + n == data.count ? 1 : 0
      out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
      out += data[start..<start + n]
      start += n
    } while start < data.count
    var a: UInt32 = 1
    var b: UInt32 = 0
    for byte in data {
      a = (a + UInt32(byte)) % 65521
      b = (b + a) % 65521
    }
    return out + bigEndian(b << 16 | a)
  }

  static func ihdr(width: Int, height: Int, colorType: UInt8) -> [UInt8] {
    chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [16, colorType, 0, 0, 1])
  }

  /// A whole file: IHDR, the optional tRNS, `idat` split into chunks of `idatChunkSize`, IEND.
  static func file(
    width: Int, height: Int, colorType: UInt8, trns: [UInt8]? = nil, zlib: [UInt8],
    idatChunkSize: Int = 1 << 20
  ) -> [UInt8] {
    var out = PNGDecoder.signature + ihdr(width: width, height: height, colorType: colorType)
    if let trns { out += chunk("tRNS", trns) }
    var start = 0
    repeat {
      let end = min(zlib.count, start + idatChunkSize)
      out += chunk("IDAT", Array(zlib[start..<end]))
      start = end
    } while start < zlib.count
    return out + chunk("IEND", [])
  }

  /// The filtered Adam7 data of `samples` (row-major, `channels` 16-bit samples per pixel); row
  /// `r` of pass `p` uses filter `(3 * p + r) % 5`, so every pass sees every filter type.
  static func adam7Filtered(samples: [UInt16], width: Int, height: Int, channels: Int) -> [UInt8] {
    let bpp = channels * 2
    var out: [UInt8] = []
    for (p, pass) in passes.enumerated() {
      let columns = width > pass.x0 ? (width - pass.x0 + pass.dx - 1) / pass.dx : 0
      let rows = height > pass.y0 ? (height - pass.y0 + pass.dy - 1) / pass.dy : 0
      guard columns > 0, rows > 0 else { continue }
      var prior = [UInt8](repeating: 0, count: columns * bpp)
      for r in 0..<rows {
        var line: [UInt8] = []
        let y = pass.y0 + r * pass.dy
        for c in 0..<columns {
          let x = pass.x0 + c * pass.dx
          for s in 0..<channels {
            let v = samples[(y * width + x) * channels + s]
            line += [UInt8(v >> 8), UInt8(v & 0xFF)]
          }
        }
        let filter = UInt8((3 * p + r) % 5)
        out.append(filter)
        for i in 0..<line.count {
          let a = i >= bpp ? Int(line[i - bpp]) : 0
          let b = Int(prior[i])
          let c = i >= bpp ? Int(prior[i - bpp]) : 0
          let predicted: Int
          switch filter {
          case 1: predicted = a
          case 2: predicted = b
          case 3: predicted = (a + b) / 2
          case 4:
            let q = a + b - c
            let (pa, pb, pc) = (abs(q - a), abs(q - b), abs(q - c))
            predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
          default: predicted = 0
          }
          out.append(UInt8((Int(line[i]) - predicted) & 0xFF))
        }
        prior = line
      }
    }
    return out
  }

  /// Deterministic pseudo-random 16-bit samples (a 64-bit LCG's high bits).
  static func samples(count: Int, seed: UInt64) -> [UInt16] {
    var state = seed
    return (0..<count).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return UInt16(truncatingIfNeeded: state >> 48)
    }
  }
}

@Suite("PNG decoder: 16-bit Adam7 path")
struct PNGInterlaced16DecoderTests {
  static let sizes = [(1, 1), (2, 3), (3, 2), (5, 1), (1, 9), (8, 8), (9, 9), (17, 5), (13, 11), (33, 20)]

  static func round8(_ v: UInt16) -> UInt8 { UInt8((UInt32(v) * 255 + 32767) / 65535) }

  @Test(
    "every colour type, size and filter type decodes exactly",
    arguments: [(0, false), (2, false), (4, false), (6, false), (0, true), (2, true)] as [(UInt8, Bool)])
  func handMade(colorType: UInt8, keyed: Bool) throws {
    // keyed: grey or RGB with a tRNS colour key.
    let channels = [0: 1, 2: 3, 4: 2, 6: 4][Int(colorType)] ?? 0
    for (width, height) in Self.sizes {
      var samples = HandPNG.samples(
        count: width * height * channels,
        seed: UInt64(Int(colorType) * 1000 + (keyed ? 500 : 0) + width * 37 + height))
      var trns: [UInt8]?
      var key: [UInt16] = []
      if keyed {
        key = Array(samples[0..<channels])
        if width * height > 2 {
          // The last pixel matches the key; the second differs from it in one low bit only.
          for s in 0..<channels { samples[(width * height - 1) * channels + s] = key[s] }
          samples[channels] = key[0] ^ 1
          for s in 1..<channels { samples[channels + s] = key[s] }
        }
        trns = key.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
      }
      let raw = HandPNG.adam7Filtered(samples: samples, width: width, height: height, channels: channels)
      let file = HandPNG.file(
        width: width, height: height, colorType: colorType, trns: trns, zlib: HandPNG.zlibStored(raw),
        idatChunkSize: 7)
      let outChannels = channels + (keyed ? 1 : 0)
      var expected: [UInt8] = []
      for pixel in 0..<width * height {
        let values = samples[pixel * channels..<(pixel + 1) * channels]
        expected += values.map(Self.round8)
        if keyed { expected.append(Array(values) == key ? 0 : 255) }
      }
      let tensor = try PNGDecoder.decode(file)
      #expect(tensor.width == width && tensor.height == height && tensor.channels == outChannels)
      let differing = zip(tensor.pixels, expected).filter { $0 != $1 }.count
      #expect(
        tensor.pixels.count == expected.count && differing == 0,
        "colour type \(colorType) keyed \(keyed) \(width)x\(height): \(differing) samples differ")
      if keyed && width * height > 2 {
        #expect(tensor.pixels[outChannels - 1] == 0 && tensor.pixels[2 * outChannels - 1] == 255)
      }
    }
  }

  /// A 4x3 RGBA16 image (filtered, uncompressed) to corrupt.
  static func rgbaRaw() -> [UInt8] {
    HandPNG.adam7Filtered(
      samples: HandPNG.samples(count: 4 * 3 * 4, seed: 7), width: 4, height: 3, channels: 4)
  }

  static func expectInvalid(_ file: [UInt8], containing fragment: String) {
    let error = #expect(throws: PNGError.self) { try PNGDecoder.decode(file) }
    guard case .invalid(let reason)? = error else {
      Issue.record("expected .invalid(\(fragment)), got \(String(describing: error))")
      return
    }
    #expect(reason.contains(fragment), "\(reason)")
  }

  @Test("image data longer or shorter than the passes need is refused")
  func wrongLength() {
    let raw = Self.rgbaRaw()
    #expect(throws: Never.self) {
      try PNGDecoder.decode(HandPNG.file(width: 4, height: 3, colorType: 6, zlib: HandPNG.zlibStored(raw)))
    }
    Self.expectInvalid(
      HandPNG.file(width: 4, height: 3, colorType: 6, zlib: HandPNG.zlibStored(raw + [0])),
      containing: "Too much image data")
    Self.expectInvalid(
      HandPNG.file(width: 4, height: 3, colorType: 6, zlib: HandPNG.zlibStored(Array(raw.dropLast()))),
      containing: "Not enough image data")
    // A zlib stream cut before its end (no final block, no checksum).
    let cut = Array(HandPNG.zlibStored(raw).prefix(40))
    Self.expectInvalid(
      HandPNG.file(width: 4, height: 3, colorType: 6, zlib: cut), containing: "Not enough image data")
    // All the pixels, but the stream's checksum is missing.
    let noChecksum = Array(HandPNG.zlibStored(raw).dropLast(4))
    Self.expectInvalid(HandPNG.file(width: 4, height: 3, colorType: 6, zlib: noChecksum), containing: "zlib")
  }

  @Test("a filter type above 4 is refused")
  func badFilter() {
    var raw = Self.rgbaRaw()
    raw[0] = 5
    Self.expectInvalid(
      HandPNG.file(width: 4, height: 3, colorType: 6, zlib: HandPNG.zlibStored(raw)),
      containing: "bad adaptive filter value")
  }

  @Test("a corrupt deflate stream with a valid CRC is refused")
  func corruptIDAT() throws {
    var file = try Fixtures.bytes("png", "rgba16_13x11_adam7.png")
    let idat = try #require(Self.chunkOffset(file, "IDAT"))
    let length = Self.length(file, at: idat)
    file[idat + 8 + 2] = 0xFF  // first deflate block: BTYPE 11 (reserved)
    let crc = HandPNG.crc32(Array(file[idat + 4..<idat + 8 + length]))
    file.replaceSubrange(idat + 8 + length..<idat + 12 + length, with: HandPNG.bigEndian(crc))
    Self.expectInvalid(file, containing: "IDAT: invalid block type")
  }

  @Test("a bad CRC on IDAT or tRNS is refused", arguments: ["IDAT", "tRNS"])
  func badCRC(type: String) throws {
    var file = try Fixtures.bytes("png", "grey16_trns_13x11_adam7.png")
    let offset = try #require(Self.chunkOffset(file, type))
    file[offset + 8 + Self.length(file, at: offset)] ^= 0x01
    Self.expectInvalid(file, containing: "\(type): CRC error")
  }

  @Test("an IDAT after another chunk that follows the IDATs is refused")
  func idatsNotConsecutive() {
    let zlib = HandPNG.zlibStored(Self.rgbaRaw())
    var file = PNGDecoder.signature + HandPNG.ihdr(width: 4, height: 3, colorType: 6)
    file += HandPNG.chunk("IDAT", Array(zlib.prefix(10))) + HandPNG.chunk("tEXt", Array("a\0b".utf8))
    file += HandPNG.chunk("IDAT", Array(zlib.dropFirst(10))) + HandPNG.chunk("IEND", [])
    Self.expectInvalid(file, containing: "Too many IDATs found")
  }

  @Test("every single-byte change inside the image data throws or decodes, never crashes")
  func everyIDATByte() throws {
    let original = try Fixtures.bytes("png", "rgb16_13x11_adam7.png")
    let idat = try #require(Self.chunkOffset(original, "IDAT"))
    let length = Self.length(original, at: idat)
    for i in 0..<length {
      for flip: UInt8 in [0x01, 0x80, 0xFF] {
        var file = original
        file[idat + 8 + i] ^= flip
        let crc = HandPNG.crc32(Array(file[idat + 4..<idat + 8 + length]))
        file.replaceSubrange(idat + 8 + length..<idat + 12 + length, with: HandPNG.bigEndian(crc))
        do {
          let t = try PNGDecoder.decode(file)
          #expect(t.pixels.count == 13 * 11 * 3)
        } catch let error as PNGError {
          guard case .invalid = error else {
            Issue.record("byte \(i): \(error)")
            continue
          }
        }
      }
    }
  }

  @Test("the pixel budget is checked before anything is allocated", arguments: [0, 1, 142])
  func budget(budget: Int) throws {
    let bytes = try Fixtures.bytes("png", "rgba16_13x11_adam7.png")
    var allocated: [Int] = []
    #expect(throws: PNGError.tooLarge(width: 13, height: 11, budget: budget)) {
      try bytes.withUnsafeBytes { raw in
        _ = try PNGDecoder.decode(raw, pixelBudget: budget) { allocated.append($0) }
      }
    }
    #expect(allocated.isEmpty)
    // At the budget: the filtered pass data (8 bytes a pixel plus one filter byte for each of the
    // 22 pass rows), then the 8-bit image.
    let t = try bytes.withUnsafeBytes { raw in
      try PNGDecoder.decode(raw, pixelBudget: 143) { allocated.append($0) }
    }
    #expect(allocated == [13 * 11 * 8 + 22, 13 * 11 * 4] && t.pixels.count == 13 * 11 * 4)
  }

  @Test("pass sizes and the filtered data size", arguments: [(1, 1, 1), (8, 8, 64), (13, 11, 143)])
  func rawSize(width: Int, height: Int, pixels: Int) throws {
    let passPixels = PNGInterlaced16Decoder.passes.map {
      PNGInterlaced16Decoder.passExtent(width, start: $0.x0, step: $0.dx)
        * PNGInterlaced16Decoder.passExtent(height, start: $0.y0, step: $0.dy)
    }
    #expect(passPixels.reduce(0, +) == pixels)
    let size = try PNGInterlaced16Decoder.rawByteCount(width: width, height: height, bytesPerPixel: 2)
    #expect(size > pixels * 2 && size <= pixels * 2 + height * 2)
    // Header values at the PNG limit never overflow silently.
    #expect(throws: PNGError.self) {
      try PNGInterlaced16Decoder.rawByteCount(width: Int.max / 2, height: Int.max / 2, bytesPerPixel: 8)
    }
  }

  static func length(_ file: [UInt8], at offset: Int) -> Int {
    file[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
  }

  /// Offset of the first chunk of `type` in `file`.
  static func chunkOffset(_ file: [UInt8], _ type: String) -> Int? {
    var offset = 8
    while offset + 12 <= file.count {
      if Array(file[offset + 4..<offset + 8]) == Array(type.utf8) { return offset }
      offset += 12 + length(file, at: offset)
    }
    return nil
  }
}
