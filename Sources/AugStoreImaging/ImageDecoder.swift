import Foundation

/// How augstore turns an original's bytes into pixels.
///
/// Decoding is part of what a run depends on, like its draw scheme: each run records the version
/// it was created with, and its originals are always decoded with that version, so a run keeps
/// replaying bit for bit after the decoder changes. New runs get ``current``.
public enum DecoderVersion: Int, Sendable, Codable, CaseIterable, Comparable {
  /// PNG only, through libpng's simplified API (runs made before decoder versions existed): it
  /// converts files whose gAMA chunk is far from sRGB towards sRGB, and rounds 16-bit samples to
  /// 8 bits (`round(v * 255 / 65535)`).
  case libpngSimplified = 1
  /// The samples as stored, as Pillow, OpenCV and TensorFlow return them: PNG through augstore's
  /// own decoder (`PNGSampleDecoder`: colour-management chunks ignored, 16-bit samples keep their
  /// high byte), JPEG through libjpeg-turbo (accurate integer IDCT, fancy upsampling).
  case storedSamples = 2

  /// The version new runs record.
  public static let current = DecoderVersion.storedSamples

  /// Orders versions by number.
  public static func < (lhs: DecoderVersion, rhs: DecoderVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The file formats augstore reads originals in, recognised by signature (never by extension).
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
  /// PNG: `89 50 4E 47 0D 0A 1A 0A`.
  case png
  /// JPEG: `FF D8 FF`.
  case jpeg

  /// The format whose signature `bytes` start with, or `nil`.
  public static func of(_ bytes: [UInt8]) -> ImageFormat? {
    if bytes.count >= 8, bytes.prefix(8).elementsEqual(PNGDecoder.signature) { return .png }
    if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
    return nil
  }
}

/// Why an original could not be decoded, whatever its format. One line without the file path.
public enum ImageError: Error, LocalizedError, Equatable, Sendable {
  /// The input holds no bytes.
  case empty
  /// Neither a PNG nor a JPEG signature.
  case unrecognized
  /// A format this decoder version does not read (JPEG under version 1).
  case unsupportedFormat(ImageFormat, version: DecoderVersion)

  /// One line without the file path.
  public var errorDescription: String? {
    switch self {
    case .empty: "empty file"
    case .unrecognized: "not a PNG or JPEG file (unknown signature)"
    case .unsupportedFormat(let format, let version):
      "\(format.rawValue.uppercased()) originals need decoder version 2 or later (this run uses version \(version.rawValue))"
    }
  }
}

/// Decodes originals by signature with a given ``DecoderVersion``.
public enum ImageDecoder {
  /// Decodes `bytes` (PNG or JPEG) into an 8-bit tensor, refusing images over `pixelBudget`
  /// pixels before any pixel memory is allocated.
  ///
  /// - Throws: ``ImageError``, `PNGError` or `JPEGError`.
  ///
  /// - Parameter jpegTarget: decode JPEGs with DCT scaling towards this size (see
  ///   `JPEGDecoder.decode(_:pixelBudget:scaledToAtLeast:)`); PNGs are always decoded in full.
  public static func decode(
    _ bytes: [UInt8], pixelBudget: Int = PNGDecoder.defaultPixelBudget, version: DecoderVersion = .current,
    jpegTarget: (height: Int, width: Int)? = nil
  ) throws -> Tensor {
    guard !bytes.isEmpty else { throw ImageError.empty }
    switch ImageFormat.of(bytes) {
    case .png:
      return try PNGDecoder.decode(bytes, pixelBudget: pixelBudget, version: version)
    case .jpeg:
      guard version >= .storedSamples else { throw ImageError.unsupportedFormat(.jpeg, version: version) }
      if let jpegTarget {
        return try JPEGDecoder.decode(bytes, pixelBudget: pixelBudget, scaledToAtLeast: jpegTarget)
      }
      return try JPEGDecoder.decode(bytes, pixelBudget: pixelBudget)
    case nil:
      throw ImageError.unrecognized
    }
  }
}

extension PNGDecoder {
  /// Decodes `bytes` with the PNG behaviour of `version` (see ``DecoderVersion``). Throws `PNGError`.
  public static func decode(_ bytes: [UInt8], pixelBudget: Int, version: DecoderVersion) throws -> Tensor {
    switch version {
    case .libpngSimplified:
      return try decode(bytes, pixelBudget: pixelBudget)
    case .storedSamples:
      return try bytes.withUnsafeBytes {
        try PNGSampleDecoder.decode($0, pixelBudget: pixelBudget, willAllocate: { _ in })
      }
    }
  }
}
