import AugStore
import AugStoreImaging
import Foundation

/// libFuzzer target: PNG decoding (both decoder versions), then registration of the same bytes as a
/// one-image dataset for a sample of the inputs.
///
/// Each input is checked twice: as given (so refusals by CRC, Adler-32 and zlib header checks stay
/// covered) and with its checksums recomputed by `ChecksumRepair` (so a mutation inside a chunk
/// reaches the chunk readers, the row filters and the sample conversion).
///
/// Oracles (a violation traps, which libFuzzer reports as a crash):
/// - decoding never traps, and a decoded tensor has width × height × channels bytes;
/// - when both decoder versions decode a file they agree on the shape, and on the pixels where
///   their definitions coincide: grey, grey+alpha, RGB and RGBA at 8 bits or less without tRNS,
///   gAMA, sRGB, iCCP, cHRM or sBIT chunks exactly; 16-bit grey and RGB without those chunks within
///   1 (version 1 rounds `v * 255 / 65535`, version 2 keeps the high byte);
/// - `dataset add` accepts the file exactly when decoder version 2 does, and a refused file
///   registers nothing (the dataset's version count does not change). A registration costs a
///   catalog transaction, which, run for every input whose header parses, held the target to some
///   50 inputs per second; it runs for the inputs whose FNV-1a hash is 0 modulo
///   $AUGSTORE_FUZZ_ADD_EVERY (default 64), a sample that is the same on every run, so a crash
///   reproduces from its input alone.
enum Harness {
  /// The store (under $AUGSTORE_FUZZ_DIR, else /dev/shm so fsyncs are cheap) and the one-image
  /// source folder. The run script removes it afterwards.
  static let setup: (store: Store, source: String)? = {
    let base =
      ProcessInfo.processInfo.environment["AUGSTORE_FUZZ_DIR"]
      ?? (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
    let root = "\(base)/augstore-fuzz-png-\(getpid())"
    try? FileManager.default.removeItem(atPath: root)
    let source = root + "/source"
    guard
      (try? FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)) != nil,
      let store = try? Store.initialize(at: root + "/store").store
    else { return nil }
    return (store, source)
  }()

  static let budget = 1 << 22

  static let addEvery: UInt64 = {
    let value = ProcessInfo.processInfo.environment["AUGSTORE_FUZZ_ADD_EVERY"].flatMap { UInt64($0) } ?? 64
    return max(1, value)
  }()

  /// Chunks that make version 1 (libpng's simplified API) convert samples or add alpha.
  static let convertingChunks: Set<String> = ["tRNS", "gAMA", "sRGB", "iCCP", "cHRM", "sBIT"]

  static func run(_ bytes: [UInt8]) {
    check(bytes)
    let repaired = ChecksumRepair.repaired(bytes)
    if repaired != bytes { check(repaired) }
  }

  static func check(_ bytes: [UInt8]) {
    // Decoder version 2 (augstore's own decoder over libdeflate), which `dataset add` uses, and
    // version 1 (libpng's simplified API), which old runs keep: neither may trap, and when both
    // decode a file they agree on its shape (and pixels, see above).
    let decoded = try? PNGDecoder.decode(bytes, pixelBudget: budget, version: .storedSamples)
    let simplified = try? PNGDecoder.decode(bytes, pixelBudget: budget, version: .libpngSimplified)
    for tensor in [decoded, simplified].compactMap({ $0 }) {
      precondition(tensor.pixels.count == tensor.width * tensor.height * tensor.channels)
      precondition(tensor.width > 0 && tensor.height > 0 && tensor.width * tensor.height <= budget)
    }
    if let decoded, let simplified {
      precondition(
        decoded.width == simplified.width && decoded.height == simplified.height
          && decoded.channels == simplified.channels, "the two decoder versions disagree on the shape")
      comparePixels(bytes, decoded, simplified)
    }
    guard fnv1a(bytes) % addEvery == 0 else { return }
    // Garbage is refused by the same header check in both paths: spend registrations on inputs
    // whose header parses.
    guard (try? PNGDecoder.header(of: bytes)) != nil else { return }
    guard let (store, source) = setup else { fatalError("cannot create the fuzzing store") }
    guard (try? Data(bytes).write(to: URL(fileURLWithPath: source + "/image.png"))) != nil else {
      fatalError("cannot write the input")
    }
    let before = (try? store.listDatasets().first?.versions.count) ?? 0
    do {
      _ = try store.addDataset(named: "fuzz", from: source, options: DatasetAddOptions(pixelBudget: budget))
      precondition(decoded != nil, "dataset add registered a file the decoder refuses")
    } catch {
      precondition(decoded == nil, "dataset add refused a file the decoder accepts: \(error)")
      let after = (try? store.listDatasets().first?.versions.count) ?? 0
      precondition(after == before, "a refused file changed the dataset")
    }
  }

  /// Traps when the two versions' pixels differ where both define them the same way.
  static func comparePixels(_ bytes: [UInt8], _ decoded: Tensor, _ simplified: Tensor) {
    let depth = Int(bytes[24])
    let colorType = Int(bytes[25])
    let tolerance: Int
    switch (depth, colorType) {
    case (1...8, 0), (8, 2), (8, 4), (8, 6): tolerance = 0
    case (16, 0), (16, 2): tolerance = 1
    default: return
    }
    let names = ChecksumRepair.walk(bytes).map {
      String(decoding: bytes[($0.offset + 4)..<($0.offset + 8)], as: UTF8.self)
    }
    guard !names.contains(where: convertingChunks.contains) else { return }
    for index in decoded.pixels.indices
    where abs(Int(decoded.pixels[index]) - Int(simplified.pixels[index])) > tolerance {
      let channels = decoded.channels
      let pixel = index / channels
      preconditionFailure(
        "decoder versions differ at y=\(pixel / decoded.width) x=\(pixel % decoded.width) c=\(index % channels): "
          + "\(decoded.pixels[index]) (version 2) vs \(simplified.pixels[index]) (version 1), "
          + "depth \(depth), colour type \(colorType), interlaced \(bytes[28])")
    }
  }

  /// 64-bit FNV-1a of `bytes`.
  static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    return hash
  }
}

/// The libFuzzer entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  Harness.run(Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}
