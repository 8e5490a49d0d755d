import AugStoreImaging
import CTurboJPEG

/// libFuzzer target: JPEG header parsing and decoding.
///
/// Oracles (a violation traps, which libFuzzer reports as a crash):
/// - parsing and decoding never trap, and a decoded tensor has width × height × channels bytes
///   with 1 or 3 channels, within the pixel budget;
/// - `decode` succeeds only when `header(of:)` does, with the same width, height and channels;
/// - augstore's header parser agrees with libjpeg-turbo's (`tjDecompressHeader3`) whenever both read
///   a header: same width and height, same colour space, and the same subsampling whenever
///   TurboJPEG can name it. (The decode call relies on this agreement for its output size.)
/// - decoding is deterministic (checked for small images).
enum Harness {
  static let budget = 1 << 20

  static let subsamplingNames: [Int32: String] = [
    Int32(TJSAMP_444.rawValue): "4:4:4", Int32(TJSAMP_422.rawValue): "4:2:2",
    Int32(TJSAMP_420.rawValue): "4:2:0", Int32(TJSAMP_GRAY.rawValue): "4:0:0",
    Int32(TJSAMP_440.rawValue): "4:4:0", Int32(TJSAMP_411.rawValue): "4:1:1",
  ]

  static let colorSpaces: [Int32: JPEGColorSpace] = [
    Int32(TJCS_GRAY.rawValue): .grey, Int32(TJCS_YCbCr.rawValue): .yCbCr, Int32(TJCS_RGB.rawValue): .rgb,
  ]

  static func run(_ bytes: [UInt8]) {
    let header = try? JPEGDecoder.header(of: bytes)
    let decoded = try? JPEGDecoder.decode(bytes, pixelBudget: budget)
    if let decoded {
      precondition(decoded.pixels.count == decoded.width * decoded.height * decoded.channels)
      precondition(decoded.channels == 1 || decoded.channels == 3)
      precondition(decoded.width > 0 && decoded.height > 0 && decoded.width * decoded.height <= budget)
      guard let header else { preconditionFailure("decode succeeded but header(of:) failed") }
      precondition(header.width == decoded.width && header.height == decoded.height)
      precondition(header.channels == decoded.channels)
      if decoded.pixels.count <= 1 << 14 {
        precondition(
          (try? JPEGDecoder.decode(bytes, pixelBudget: budget)) == decoded, "non-deterministic decode")
      }
    }
    guard let header, let handle = tjInitDecompress() else { return }
    defer { tjDestroy(handle) }
    var width: Int32 = 0
    var height: Int32 = 0
    var subsampling: Int32 = -1
    var colorSpace: Int32 = -1
    let status = bytes.withUnsafeBufferPointer { buffer in
      tjDecompressHeader3(
        handle, buffer.baseAddress, UInt(buffer.count), &width, &height, &subsampling, &colorSpace)
    }
    guard status == 0 else { return }
    precondition(
      Int(width) == header.width && Int(height) == header.height,
      "header \(header.width)x\(header.height), TurboJPEG \(width)x\(height)")
    if let expected = colorSpaces[colorSpace] {
      precondition(
        expected == header.colorSpace, "colour space \(header.colorSpace), TurboJPEG \(colorSpace)")
    }
    if let name = subsamplingNames[subsampling] {
      precondition(name == header.subsampling, "subsampling \(header.subsampling), TurboJPEG \(name)")
    }
  }
}

/// The libFuzzer entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  Harness.run(Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}
