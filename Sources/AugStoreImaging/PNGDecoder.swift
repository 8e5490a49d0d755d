import CLibPNG

/// What a PNG's header says, read without decoding any pixels.
public struct PNGHeader: Sendable, Equatable {
  /// Columns in the image.
  public let width: Int
  /// Rows in the image.
  public let height: Int
  /// Channels of the tensor `PNGDecoder.decode` returns: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.
  /// Palette images count as RGB (RGBA with a tRNS chunk); a tRNS colour key adds an alpha channel.
  public let channels: Int
  /// Bits per sample (per palette index for palette images) in the file: 1, 2, 4, 8 or 16.
  public let bitDepth: Int
  /// The PNG colour type from IHDR: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA.
  public let colorType: Int
  /// Whether the file is Adam7-interlaced.
  public let interlaced: Bool

  /// `width * height`.
  public var pixelCount: Int { width * height }
}

/// Decodes PNG files into 8-bit `Tensor`s with libpng's simplified API (`png_image_*`).
///
/// Every standard PNG is accepted: all colour types, bit depths 1 to 16, palettes with and without
/// transparency, tRNS colour keys, Adam7 interlacing. The result keeps the image's own channel count
/// (see `PNGHeader.channels`); samples below 8 bits are scaled to 0...255 (`v * 255 / (2^d - 1)`),
/// 16-bit samples are rounded to 8 bits (`round(v * 255 / 65535)`), and alpha is never premultiplied.
///
/// Files must end with an IEND chunk (libpng alone would accept a file cut right after its image
/// data).
///
/// 16-bit Adam7 images (every colour type, with or without a tRNS colour key) are decoded by
/// augstore's own decoder over zlib (`PNGInterlaced16Decoder`), because libpng before 1.6.51
/// corrupts memory when it scales them to 8 bits (CVE-2025-65018). That path takes samples as they
/// are: it ignores gAMA, sRGB and iCCP.
///
/// A limit inherited from libpng's simplified API for every other image: a file whose gAMA chunk is
/// far from sRGB (gamma 1/2.2 counts as sRGB) is converted to sRGB.
public enum PNGDecoder {
  /// The default limit on `width * height`: 64 Mi pixels (8192 x 8192).
  public static let defaultPixelBudget = 1 << 26

  static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

  /// Reads and validates the header of `bytes` (signature, IHDR and the chunks before the first
  /// IDAT) without decoding pixels. Throws `PNGError`.
  public static func header(of bytes: UnsafeRawBufferPointer) throws -> PNGHeader {
    try withImage(bytes) { _, header in header }
  }

  /// Reads and validates the header of `bytes` without decoding pixels. Throws `PNGError`.
  public static func header(of bytes: [UInt8]) throws -> PNGHeader {
    try bytes.withUnsafeBytes { try header(of: $0) }
  }

  /// Decodes `bytes` into a tensor. Throws `PNGError`: `.tooLarge` when `width * height` exceeds
  /// `pixelBudget` (checked before any pixel memory is allocated), `.invalid` with libpng's
  /// message for corrupt or truncated data.
  public static func decode(
    _ bytes: UnsafeRawBufferPointer, pixelBudget: Int = defaultPixelBudget
  ) throws -> Tensor {
    try decode(bytes, pixelBudget: pixelBudget, willAllocate: { _ in })
  }

  /// Decodes `bytes` into a tensor. Throws `PNGError`; see `decode(_:pixelBudget:)`.
  public static func decode(_ bytes: [UInt8], pixelBudget: Int = defaultPixelBudget) throws -> Tensor {
    try bytes.withUnsafeBytes { try decode($0, pixelBudget: pixelBudget, willAllocate: { _ in }) }
  }

  /// The decoder proper; `willAllocate` sees the byte count just before each pixel buffer is
  /// allocated: the output, preceded for 16-bit Adam7 images by the filtered pass data (about
  /// 2 bytes per sample). Tests use it to prove that over-budget images allocate nothing.
  static func decode(
    _ bytes: UnsafeRawBufferPointer, pixelBudget: Int, willAllocate: (Int) -> Void
  ) throws -> Tensor {
    try withImage(bytes) { image, header in
      guard header.pixelCount <= pixelBudget else {
        throw PNGError.tooLarge(width: header.width, height: header.height, budget: pixelBudget)
      }
      let rowStride = header.width * header.channels
      guard rowStride <= Int(Int32.max) else {
        throw PNGError.tooLarge(width: header.width, height: header.height, budget: pixelBudget)
      }
      guard endsWithIEND(bytes) else {
        // libpng's simplified API stops after the last image row and never looks for IEND.
        throw PNGError.invalid(reason: "missing IEND chunk (truncated file)")
      }
      let count = rowStride * header.height
      let pixels: [UInt8]
      if header.bitDepth == 16 && header.interlaced {
        // libpng before 1.6.51 overflows the output buffer when it scales interlaced 16-bit data
        // to 8 bits (CVE-2025-65018): these files never reach png_image_finish_read.
        pixels = try PNGInterlaced16Decoder.decode(bytes, header: header, willAllocate: willAllocate)
      } else {
        // 8-bit, non-colour-mapped output with the image's own channels.
        image.pointee.format = outputFormat(channels: header.channels)
        // The simplified API assumes 16-bit data without gAMA/sRGB is linear and would gamma-encode
        // it to sRGB; declaring it sRGB makes input and output gamma agree, so libpng only rounds
        // (png_set_scale_16).
        image.pointee.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        guard augstore_png_image_size(image) == count else {
          throw PNGError.invalid(reason: "unexpected decoded size")
        }
        willAllocate(count)
        pixels = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
          initialized = 0
          try finishRead(image, into: UnsafeMutableRawPointer(buffer.baseAddress), rowStride: rowStride)
          initialized = count
        }
      }
      return Tensor(height: header.height, width: header.width, channels: header.channels, pixels: pixels)
    }
  }

  /// `png_image_finish_read` into `buffer`; `rowStride` counts samples (bytes or UInt16s).
  private static func finishRead(
    _ image: UnsafeMutablePointer<png_image>, into buffer: UnsafeMutableRawPointer?, rowStride: Int
  ) throws {
    guard png_image_finish_read(image, nil, buffer, Int32(rowStride), nil) != 0,
      augstore_png_image_failed(image) == 0
    else {
      throw PNGError.invalid(reason: message(of: image))
    }
  }

  /// Whether the chunk sequence after the signature reaches a complete IEND chunk inside `bytes`
  /// (walks chunk headers only; CRCs are libpng's job).
  static func endsWithIEND(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = signature.count
    while offset + 12 <= bytes.count {
      let length =
        Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
        | Int(bytes[offset + 3])
      let next = offset + 12 + length
      guard next <= bytes.count else { return false }
      if bytes[offset + 4] == 0x49, bytes[offset + 5] == 0x45, bytes[offset + 6] == 0x4E,
        bytes[offset + 7] == 0x44
      {
        return true
      }
      offset = next
    }
    return false
  }

  /// The name of the first chunk before the image data whose declared length runs past the end of
  /// `bytes` (`"chunk"` when its type is not four letters), or `nil`.
  ///
  /// libpng allocates and zeroes a chunk's declared length before it finds the data missing: a
  /// 146-byte file declaring a 1.8 GB tEXt chunk cost 1.8 GB and tens of seconds. Such a chunk can
  /// never be read, so libpng refuses the file either way; it is refused here before libpng sees it.
  static func chunkPastTheEnd(_ bytes: UnsafeRawBufferPointer) -> String? {
    var offset = signature.count
    while offset + 12 <= bytes.count {
      let length =
        Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
        | Int(bytes[offset + 3])
      let type = bytes[(offset + 4)..<(offset + 8)]
      if type.elementsEqual([0x49, 0x44, 0x41, 0x54]) || type.elementsEqual([0x49, 0x45, 0x4E, 0x44]) {
        return nil  // IDAT or IEND: the rest is checked by `endsWithIEND` before any pixel is read
      }
      guard length <= bytes.count - offset - 12 else {
        let letters = type.allSatisfy { (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
        return letters ? String(decoding: type, as: UTF8.self) : "chunk"
      }
      offset += 12 + length
    }
    return nil
  }

  /// Reads the header of `bytes` into a `png_image` and runs `body` with it; the image is always
  /// released with `png_image_free`.
  ///
  /// libpng keeps the `png_image` address (it is the error pointer of the underlying `png_struct`)
  /// between `begin_read` and `finish_read`, so the struct must stay at one address for the whole
  /// call sequence: it lives in a heap allocation, never in a Swift `inout` temporary.
  private static func withImage<R>(
    _ bytes: UnsafeRawBufferPointer,
    _ body: (UnsafeMutablePointer<png_image>, PNGHeader) throws -> R
  ) throws -> R {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { throw PNGError.empty }
    guard bytes.count >= signature.count, bytes.prefix(signature.count).elementsEqual(signature) else {
      throw PNGError.notPNG
    }
    if let name = chunkPastTheEnd(bytes) {
      throw PNGError.invalid(reason: "\(name): chunk extends past the end of the file")
    }
    let image = UnsafeMutablePointer<png_image>.allocate(capacity: 1)
    image.initialize(to: png_image())
    image.pointee.version = UInt32(PNG_IMAGE_VERSION)
    defer {
      png_image_free(image)
      image.deallocate()
    }
    guard png_image_begin_read_from_memory(image, base, bytes.count) != 0 else {
      throw PNGError.invalid(reason: message(of: image))
    }
    // libpng has validated IHDR (first chunk, CRC, legal values), so its fields sit at fixed offsets.
    let format = image.pointee.format
    let channels = Int(augstore_png_image_channels(format & (PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)))
    let header = PNGHeader(
      width: Int(image.pointee.width), height: Int(image.pointee.height), channels: channels,
      bitDepth: Int(bytes[24]), colorType: Int(bytes[25]), interlaced: bytes[28] != 0)
    return try body(image, header)
  }

  static func outputFormat(channels: Int) -> UInt32 {
    switch channels {
    case 1: return 0
    case 2: return PNG_FORMAT_FLAG_ALPHA
    case 3: return PNG_FORMAT_FLAG_COLOR
    default: return PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA
    }
  }

  /// libpng's message for the last failure on `image`.
  static func message(of image: UnsafeMutablePointer<png_image>) -> String {
    let text = withUnsafeBytes(of: image.pointee.message) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
    return text.isEmpty ? "unknown libpng error" : text
  }
}
