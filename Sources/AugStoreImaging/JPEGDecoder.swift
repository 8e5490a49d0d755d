import CTurboJPEG
import Synchronization

/// The colour model of a JPEG's samples, as libjpeg decides it from the component count, the JFIF
/// (APP0) and Adobe (APP14) markers and the component identifiers.
public enum JPEGColorSpace: String, Sendable, Equatable {
  /// One component: luminance only. Decodes to one channel.
  case grey
  /// Three components in YCbCr (JFIF, the usual case). Decodes to RGB.
  case yCbCr = "YCbCr"
  /// Three components stored as RGB (an Adobe marker with transform 0, or component identifiers
  /// `R`, `G`, `B`). Decodes to RGB without conversion.
  case rgb = "RGB"
}

/// What a JPEG's header says, read without decoding any pixels.
public struct JPEGHeader: Sendable, Equatable {
  /// Columns in the image.
  public let width: Int
  /// Rows in the image.
  public let height: Int
  /// Channels of the tensor `JPEGDecoder.decode` returns: 1 for greyscale, 3 for colour.
  public let channels: Int
  /// Chroma subsampling from the frame's sampling factors: `"4:4:4"`, `"4:2:2"`, `"4:2:0"`,
  /// `"4:4:0"`, `"4:1:1"` or `"4:1:0"` for colour images, `"4:0:0"` for greyscale, and the raw
  /// factors (`"2x1,1x2,1x1"`, luminance first) for any other combination.
  public let subsampling: String
  /// Whether the frame is progressive (SOF2 or SOF10) rather than sequential.
  public let progressive: Bool
  /// Whether the entropy coding is arithmetic (SOF9 or SOF10) rather than Huffman.
  public let arithmeticCoded: Bool
  /// The samples' colour model.
  public let colorSpace: JPEGColorSpace
  /// The EXIF Orientation tag (1 to 8) from the first APP1 "Exif" segment, or `nil` when there is
  /// none (or it is malformed or out of range). Informational: decoding never applies it.
  public let orientation: Int?

  /// `width * height`.
  public var pixelCount: Int { width * height }
}

/// Decodes JPEG files into 8-bit `Tensor`s with libjpeg-turbo's TurboJPEG API.
///
/// Pixels equal Pillow's `Image.open(f).convert("RGB")` (`"L"` for greyscale files) exactly:
/// libjpeg-turbo's defaults, the accurate integer IDCT (`TJFLAG_ACCURATEDCT`) and fancy (smooth)
/// chroma upsampling. Samples are returned as stored: no colour-profile (ICC) conversion, and the
/// EXIF orientation is reported in `JPEGHeader.orientation` but never applied (Keras' and
/// TensorFlow's loaders do not apply it either).
///
/// Accepted: 8-bit baseline, extended and progressive JPEGs, Huffman or arithmetic coded, greyscale
/// (1 component) or colour (3 components, YCbCr or RGB), any sampling factors, restart markers.
///
/// Refused with `JPEGError.unsupported`: CMYK and YCCK files (4 components; Pillow's naive
/// CMYK-to-RGB conversion ignores the colour profile such files nearly always depend on, so
/// augstore asks for an RGB file instead of guessing), samples of other than 8 bits (12-bit
/// JPEGs, which this libjpeg-turbo build cannot decode), lossless and hierarchical processes
/// (SOF3, SOF5-7, SOF11, SOF13-15), other component counts, and dimensions above libjpeg's limit
/// of 65,500 pixels.
///
/// Refused with `JPEGError.invalid`: anything libjpeg only warns about is an error here
/// (`TJFLAG_STOPONWARNING`), so truncated files ("Premature end of JPEG file") and corrupt entropy
/// data are refused, as Pillow refuses truncated files by default. This is stricter than Pillow
/// for files with harmless glitches such as extraneous bytes before a marker. Progressive files
/// with more than 500 scans are refused too (`TJFLAG_LIMITSCANS`, a defence against scan bombs).
public enum JPEGDecoder {
  /// The largest width or height libjpeg accepts (`JPEG_MAX_DIMENSION`).
  public static let maximumDimension = 65500

  /// The flags every decode uses: accurate integer IDCT, fancy upsampling (the default: no
  /// `TJFLAG_FASTUPSAMPLE`), warnings as errors, at most 500 progressive scans.
  static let flags = TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS

  /// Reads and validates the header of `bytes` (every marker segment up to the first start of
  /// scan) without decoding pixels. Throws `JPEGError`: `.unsupported` for files `decode` refuses
  /// because of their kind; the pixel budget is not checked here.
  public static func header(of bytes: UnsafeRawBufferPointer) throws -> JPEGHeader {
    try JPEGHeaderParser.parse(bytes)
  }

  /// Reads and validates the header of `bytes` without decoding pixels. Throws `JPEGError`; see
  /// `header(of:)`.
  public static func header(of bytes: [UInt8]) throws -> JPEGHeader {
    try bytes.withUnsafeBytes { try header(of: $0) }
  }

  /// Decodes `bytes` into a tensor (1 channel for greyscale files, 3 for colour). Throws
  /// `JPEGError`: `.tooLarge` when `width * height` exceeds `pixelBudget` (checked from the header
  /// before any pixel memory is allocated), `.unsupported` for CMYK, 12-bit, lossless and
  /// hierarchical files, `.invalid` with the parser's or libjpeg-turbo's message for corrupt or
  /// truncated data.
  public static func decode(
    _ bytes: UnsafeRawBufferPointer, pixelBudget: Int = PNGDecoder.defaultPixelBudget
  ) throws -> Tensor {
    try decode(bytes, pixelBudget: pixelBudget, willAllocate: { _ in })
  }

  /// Decodes `bytes` into a tensor. Throws `JPEGError`; see `decode(_:pixelBudget:)`.
  public static func decode(
    _ bytes: [UInt8], pixelBudget: Int = PNGDecoder.defaultPixelBudget
  ) throws -> Tensor {
    try bytes.withUnsafeBytes { try decode($0, pixelBudget: pixelBudget, willAllocate: { _ in }) }
  }

  /// The decoder proper; `willAllocate` sees the byte count just before the output buffer is
  /// allocated (libjpeg's own working memory is allocated after that, inside `tjDecompress2`).
  /// Tests use it to prove that over-budget images allocate nothing.
  /// Decodes `bytes` with libjpeg's DCT scaling: at the smallest of the scales 1/8, 1/4 and 1/2
  /// whose output is at least `target` in both dimensions, or in full. These are the scales with
  /// SIMD reduced IDCTs in libjpeg-turbo (the others, 3/8, 5/8, …, run scalar code and were no
  /// faster than a full decode), and the ones Pillow's `Image.draft` uses, whose pixels these equal.
  /// The pixels differ from a full decode followed by resizing. Throws `JPEGError`.
  public static func decode(
    _ bytes: [UInt8], pixelBudget: Int = PNGDecoder.defaultPixelBudget,
    scaledToAtLeast target: (height: Int, width: Int)
  ) throws -> Tensor {
    try bytes.withUnsafeBytes { raw in
      let header = try JPEGHeaderParser.parse(raw)
      let eighths = scaleEighths(height: header.height, width: header.width, target: target)
      return try decode(raw, pixelBudget: pixelBudget, eighths: eighths, willAllocate: { _ in })
    }
  }

  /// The smallest M in 1, 2, 4, 8 with `ceil(side * M / 8) >= target` for both sides.
  static func scaleEighths(height: Int, width: Int, target: (height: Int, width: Int)) -> Int {
    [1, 2, 4, 8].first { eighths in
      scaled(height, eighths) >= target.height && scaled(width, eighths) >= target.width
    } ?? 8
  }

  /// A side decoded at scale M/8, as libjpeg computes it (`TJSCALED`: rounded up).
  static func scaled(_ side: Int, _ eighths: Int) -> Int {
    (side * eighths + 7) / 8
  }

  static func decode(
    _ bytes: UnsafeRawBufferPointer, pixelBudget: Int, eighths: Int = 8, willAllocate: (Int) -> Void
  ) throws -> Tensor {
    let header = try JPEGHeaderParser.parse(bytes)
    guard header.pixelCount <= pixelBudget else {
      throw JPEGError.tooLarge(width: header.width, height: header.height, budget: pixelBudget)
    }
    guard header.width <= maximumDimension, header.height <= maximumDimension else {
      throw JPEGError.unsupported(
        reason: "\(header.width)x\(header.height) pixels (libjpeg's limit is \(maximumDimension) per side)")
    }
    guard let base = bytes.baseAddress, let handle = Decompressors.take() else {
      throw JPEGError.invalid(reason: "TurboJPEG could not be initialised")
    }
    var decoded = false
    defer {
      if decoded { Decompressors.giveBack(handle) } else { tjDestroy(handle) }
    }
    let width = Self.scaled(header.width, eighths)
    let height = Self.scaled(header.height, eighths)
    let rowStride = width * header.channels
    let count = rowStride * height
    let pixelFormat = header.channels == 1 ? TJPF_GRAY : TJPF_RGB
    willAllocate(count)
    // Not zero-filled first: on success tjDecompress2 has written every one of the `height` rows
    // (it reads scanlines until `output_scanline == output_height`; a premature end of data is a
    // libjpeg warning, which TJFLAG_STOPONWARNING turns into a failure), and on failure the buffer is
    // dropped unread.
    var status: Int32 = -1
    let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      // The header parser and libjpeg read the same SOF, so libjpeg decodes at scale M/8 (it picks
      // the largest scale whose output fits the size asked for) into exactly `height` rows of
      // `rowStride` bytes.
      status = tjDecompress2(
        handle, base.assumingMemoryBound(to: UInt8.self), UInt(bytes.count), buffer.baseAddress,
        Int32(width), Int32(rowStride), Int32(height), Int32(pixelFormat.rawValue), flags)
      initialized = status == 0 ? count : 0
    }
    guard status == 0 else {
      throw JPEGError.invalid(reason: message(of: handle))
    }
    decoded = true
    return Tensor(height: height, width: width, channels: header.channels, pixels: pixels)
  }

  /// TurboJPEG's message for the last failure on `handle`, without its function-name prefix.
  static func message(of handle: tjhandle) -> String {
    guard let raw = tjGetErrorStr2(handle) else { return "unknown libjpeg-turbo error" }
    var text = String(cString: raw)
    if let range = text.range(of: "(): ") {
      text = String(text[range.upperBound...])
    }
    return text.isEmpty ? "unknown libjpeg-turbo error" : text
  }
}

/// Walks a JPEG's marker segments from SOI up to the first SOS, bounds-checking every read.
///
/// It mirrors libjpeg's marker reader (`jdmarker.c`) closely enough to agree with it about the
/// frame (SOF) that will be decoded, and reads what libjpeg does not report: the SOF process
/// (progressive, arithmetic, lossless), the sample precision, and the EXIF orientation.
enum JPEGHeaderParser {
  /// One frame component: identifier and sampling factors.
  struct Component {
    let id: UInt8
    let horizontal: Int
    let vertical: Int
  }

  /// The frame header (SOFn segment).
  struct Frame {
    let marker: UInt8
    let precision: Int
    let height: Int
    let width: Int
    let components: [Component]
  }

  static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JPEGHeader {
    guard !bytes.isEmpty else { throw JPEGError.empty }
    guard bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF else {
      throw JPEGError.notJPEG
    }
    var frame: Frame?
    var sawJFIF = false
    var adobeTransform: Int?
    var orientation: Int?
    var sawExif = false
    var offset = 2
    while true {
      guard offset < bytes.count else { throw truncated }
      guard bytes[offset] == 0xFF else {
        throw JPEGError.invalid(reason: "expected a marker at byte \(offset)")
      }
      // Any number of 0xFF fill bytes may precede a marker code.
      while offset < bytes.count && bytes[offset] == 0xFF { offset += 1 }
      guard offset < bytes.count else { throw truncated }
      let marker = bytes[offset]
      offset += 1
      switch marker {
      case 0x01, 0xD0...0xD7:
        continue  // TEM and RSTn carry no segment; libjpeg skips them here.
      case 0xD8:
        throw JPEGError.invalid(reason: "two SOI markers")
      case 0xD9:
        throw JPEGError.invalid(reason: "no image (end of image before any scan)")
      case 0x00:
        throw JPEGError.invalid(reason: "expected a marker at byte \(offset - 2)")
      default:
        break
      }
      guard offset + 2 <= bytes.count else { throw truncated }
      let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
      guard length >= 2 else {
        throw JPEGError.invalid(reason: "bad length \(length) in marker 0x\(hex(marker))")
      }
      guard offset + length <= bytes.count else { throw truncated }
      let body = UnsafeRawBufferPointer(rebasing: bytes[(offset + 2)..<(offset + length)])
      offset += length
      switch marker {
      case 0xC0...0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
        guard frame == nil else { throw JPEGError.invalid(reason: "two SOF markers") }
        frame = try parseFrame(marker: marker, body)
      case 0xC8:
        throw JPEGError.unsupported(reason: "reserved JPEG process (SOF marker 0xC8)")
      case 0xDA:
        guard let frame else {
          throw JPEGError.invalid(reason: "start of scan before the frame header (SOF)")
        }
        return try makeHeader(
          frame, sawJFIF: sawJFIF, adobeTransform: adobeTransform, orientation: orientation)
      case 0xE0:
        // libjpeg's examine_app0: "JFIF\0" with at least 14 bytes of data.
        if body.count >= 14, body.prefix(5).elementsEqual([0x4A, 0x46, 0x49, 0x46, 0x00]) { sawJFIF = true }
      case 0xE1:
        if !sawExif, body.count >= 6, body.prefix(6).elementsEqual([0x45, 0x78, 0x69, 0x66, 0x00, 0x00]) {
          sawExif = true
          orientation = exifOrientation(UnsafeRawBufferPointer(rebasing: body[6...]))
        }
      case 0xEE:
        // libjpeg's examine_app14: "Adobe" with at least 12 bytes of data; the transform is byte 11.
        if body.count >= 12, body.prefix(5).elementsEqual([0x41, 0x64, 0x6F, 0x62, 0x65]) {
          adobeTransform = Int(body[11])
        }
      case 0xC4, 0xCC, 0xDB, 0xDC, 0xDD, 0xE2...0xED, 0xEF, 0xFE:
        break  // DHT, DAC, DQT, DNL, DRI, other APPn, COM: libjpeg's business.
      default:
        throw JPEGError.invalid(reason: "unknown marker 0x\(hex(marker))")
      }
    }
  }

  static let truncated = JPEGError.invalid(reason: "truncated header (no start of scan)")

  static func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
  }

  /// Parses an SOFn body: precision, height, width, then three bytes per component.
  static func parseFrame(marker: UInt8, _ body: UnsafeRawBufferPointer) throws -> Frame {
    guard body.count >= 6 else { throw JPEGError.invalid(reason: "bad SOF length") }
    let count = Int(body[5])
    guard count > 0, body.count == 6 + 3 * count else { throw JPEGError.invalid(reason: "bad SOF length") }
    var components: [Component] = []
    for index in 0..<count {
      let at = 6 + 3 * index
      let factors = Int(body[at + 1])
      let component = Component(id: body[at], horizontal: factors >> 4, vertical: factors & 0x0F)
      guard (1...4).contains(component.horizontal), (1...4).contains(component.vertical) else {
        throw JPEGError.invalid(reason: "bad sampling factors \(factors >> 4)x\(factors & 0x0F)")
      }
      components.append(component)
    }
    return Frame(
      marker: marker, precision: Int(body[0]), height: Int(body[1]) << 8 | Int(body[2]),
      width: Int(body[3]) << 8 | Int(body[4]), components: components)
  }

  /// Checks the frame is one augstore decodes and describes it.
  static func makeHeader(
    _ frame: Frame, sawJFIF: Bool, adobeTransform: Int?, orientation: Int?
  ) throws
    -> JPEGHeader
  {
    switch frame.marker {
    case 0xC3, 0xC7, 0xCB, 0xCF:
      throw JPEGError.unsupported(reason: "lossless JPEG (SOF marker 0x\(hex(frame.marker)))")
    case 0xC5, 0xC6, 0xCD, 0xCE:
      throw JPEGError.unsupported(reason: "hierarchical JPEG (SOF marker 0x\(hex(frame.marker)))")
    default:
      break
    }
    guard frame.precision == 8 else {
      throw JPEGError.unsupported(reason: "\(frame.precision)-bit samples (only 8-bit JPEGs are supported)")
    }
    guard frame.width > 0 else { throw JPEGError.invalid(reason: "image width is zero") }
    guard frame.height > 0 else {
      throw JPEGError.invalid(reason: "image height is zero (DNL markers are not supported)")
    }
    let colorSpace: JPEGColorSpace
    switch frame.components.count {
    case 1:
      colorSpace = .grey
    case 3:
      // libjpeg's default_decompress_parms: JFIF, then Adobe, then the component identifiers.
      let ids = frame.components.map(\.id)
      if sawJFIF {
        colorSpace = .yCbCr
      } else if let adobeTransform {
        colorSpace = adobeTransform == 0 ? .rgb : .yCbCr
      } else {
        colorSpace = ids == [0x52, 0x47, 0x42] ? .rgb : .yCbCr
      }
    case 4:
      let ycck = adobeTransform.map { $0 != 0 } ?? false
      throw JPEGError.unsupported(reason: "\(ycck ? "YCCK" : "CMYK") colour; convert it to RGB first")
    default:
      throw JPEGError.unsupported(
        reason: "\(frame.components.count) colour components (only greyscale and 3-component colour)")
    }
    return JPEGHeader(
      width: frame.width, height: frame.height, channels: frame.components.count,
      subsampling: subsampling(frame.components),
      progressive: [0xC2, 0xCA].contains(frame.marker), arithmeticCoded: [0xC9, 0xCA].contains(frame.marker),
      colorSpace: colorSpace, orientation: orientation)
  }

  /// The usual name of a frame's chroma subsampling (see `JPEGHeader.subsampling`).
  static func subsampling(_ components: [Component]) -> String {
    guard components.count == 3 else { return "4:0:0" }
    let (luma, cb, cr) = (components[0], components[1], components[2])
    if cb.horizontal == cr.horizontal, cb.vertical == cr.vertical, luma.horizontal % cb.horizontal == 0,
      luma.vertical % cb.vertical == 0
    {
      switch (luma.horizontal / cb.horizontal, luma.vertical / cb.vertical) {
      case (1, 1): return "4:4:4"
      case (2, 1): return "4:2:2"
      case (2, 2): return "4:2:0"
      case (1, 2): return "4:4:0"
      case (4, 1): return "4:1:1"
      case (4, 2): return "4:1:0"
      default: break
      }
    }
    return components.map { "\($0.horizontal)x\($0.vertical)" }.joined(separator: ",")
  }

  /// The Orientation tag (0x0112) of IFD0 in the TIFF structure `tiff` (an APP1 "Exif" payload),
  /// either byte order; `nil` when absent, malformed or outside 1...8.
  static func exifOrientation(_ tiff: UnsafeRawBufferPointer) -> Int? {
    guard tiff.count >= 8 else { return nil }
    let bigEndian: Bool
    switch (tiff[0], tiff[1]) {
    case (0x49, 0x49): bigEndian = false
    case (0x4D, 0x4D): bigEndian = true
    default: return nil
    }
    func u16(_ at: Int) -> Int? {
      guard at >= 0, at + 2 <= tiff.count else { return nil }
      let (a, b) = (Int(tiff[at]), Int(tiff[at + 1]))
      return bigEndian ? a << 8 | b : b << 8 | a
    }
    func u32(_ at: Int) -> Int? {
      guard let high = u16(bigEndian ? at : at + 2), let low = u16(bigEndian ? at + 2 : at) else {
        return nil
      }
      return high << 16 | low
    }
    guard u16(2) == 42, let ifd = u32(4), let entries = u16(ifd) else { return nil }
    for index in 0..<entries {
      let entry = ifd + 2 + 12 * index
      guard let tag = u16(entry), let type = u16(entry + 2), let count = u32(entry + 4) else { return nil }
      guard tag == 0x0112 else { continue }
      guard count >= 1 else { return nil }
      let value: Int?
      switch type {
      case 3: value = u16(entry + 8)  // SHORT, the type the standard prescribes
      case 4: value = u32(entry + 8)  // LONG, written by a few tools
      default: value = nil
      }
      guard let value, (1...8).contains(value) else { return nil }
      return value
    }
    return nil
  }
}

/// TurboJPEG decompressors kept between decodes: creating one allocates libjpeg's whole state, about
/// 3 % of decoding a 500 × 375 photo.
///
/// Invariant: a handle is given back only after a decode that succeeded, so every idle handle sits
/// between images (a failed one is destroyed); at most ``limit`` are kept.
enum Decompressors {
  /// The most idle handles kept (one per decoding thread is enough).
  static let limit = 16

  /// The idle handles' addresses (plain integers, which cross threads as the pointers cannot).
  private static let idle = Mutex<[UInt]>([])

  /// An idle handle, or a new one (`nil` if TurboJPEG cannot allocate one).
  static func take() -> tjhandle? {
    idle.withLock { $0.popLast() }.flatMap { UnsafeMutableRawPointer(bitPattern: $0) } ?? tjInitDecompress()
  }

  /// Keeps `handle` for the next decode, or destroys it when ``limit`` are kept already.
  static func giveBack(_ handle: UnsafeMutableRawPointer) {
    let address = UInt(bitPattern: handle)
    let kept = idle.withLock { handles in
      guard handles.count < limit else { return false }
      handles.append(address)
      return true
    }
    if !kept { tjDestroy(handle) }
  }
}
