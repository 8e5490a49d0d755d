import AugStoreImaging
import AugStoreTransforms
import Foundation

/// libFuzzer target: pipeline spec JSON.
///
/// Oracles (a violation traps, which libFuzzer reports as a crash):
/// - parsing never traps; a refused spec throws `PipelineSpecError`;
/// - an accepted spec's canonical JSON parses to the same spec with the same canonical JSON;
/// - drawing a record for a 24×32 image either works or throws, and a drawn record survives its
///   binary encoding; applying it to a small image (when the output stays small) never traps.
enum Harness {
  static let image: Tensor = {
    var pixels = [UInt8](repeating: 0, count: 24 * 32 * 3)
    for index in pixels.indices { pixels[index] = UInt8(truncatingIfNeeded: index &* 37) }
    return Tensor(height: 24, width: 32, channels: 3, pixels: pixels)
  }()

  static func run(_ bytes: [UInt8]) {
    guard let spec = try? PipelineSpec(jsonBytes: bytes) else { return }
    let canonical = spec.canonicalJSON
    guard let again = try? PipelineSpec(json: canonical) else {
      fatalError("canonical JSON of an accepted spec is refused: \(canonical)")
    }
    precondition(again.canonicalJSON == canonical, "canonical JSON is not a fixed point: \(canonical)")
    let size = ImageSize(height: image.height, width: image.width)
    guard let output = try? spec.outputSize(input: size), output.height * output.width <= 1 << 16 else {
      return
    }
    for epoch in 0..<2 {
      guard
        let record = try? spec.drawRecord(
          seed: 42, sampleKey: SampleKey(path: "fuzz.png"), epoch: epoch, imageSize: size)
      else { return }
      guard let decoded = try? SampleRecord(encoded: record.encoded()) else {
        fatalError("a drawn record does not decode: \(canonical)")
      }
      precondition(decoded == record, "a drawn record changes through its encoding: \(canonical)")
      _ = try? spec.apply(record, to: image)
    }
  }
}

/// The libFuzzer entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipeline(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  Harness.run(Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}
