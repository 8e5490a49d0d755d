import AugStore
import AugStoreImaging
import Foundation

/// libFuzzer target: PNG decoding (both decoder versions), then registration of the same bytes as a
/// one-image dataset.
///
/// Oracles (a violation traps, which libFuzzer reports as a crash):
/// - decoding never traps, and a decoded tensor has width × height × channels bytes;
/// - `dataset add` accepts the file exactly when the decoder does, and a refused file registers
///   nothing (the dataset's version count does not change); checked for every input whose PNG
///   header parses.
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

  static func run(_ bytes: [UInt8]) {
    // Decoder version 2 (augstore's own decoder over libdeflate), which `dataset add` uses, and
    // version 1 (libpng's simplified API), which old runs keep: neither may trap, and when both
    // decode a file they agree on its shape.
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
    }
    // Registration costs a catalog transaction: spend it on inputs whose header parses (garbage is
    // refused by the same header check in both paths).
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
}

/// The libFuzzer entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  Harness.run(Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}
