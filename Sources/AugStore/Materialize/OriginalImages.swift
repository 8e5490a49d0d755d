import AugStoreImaging
import AugStoreTransforms

/// Decoded originals: reads an object, checks its hash, decodes it.
package struct OriginalImages: Sendable {
  let objects: ObjectStore

  /// The decoded pixels of object `hash`, decoded the way `version` does (a run's decoder); JPEGs
  /// towards `jpegTarget` with DCT scaling when given (a pipeline's `jpeg_dct_scaling`).
  package func image(
    _ hash: String, pixelBudget: Int, version: DecoderVersion, jpegTarget: ImageSize? = nil
  ) throws -> Tensor {
    try decoded(hash, pixelBudget: pixelBudget, version: version, jpegTarget: jpegTarget).image
  }

  /// The decoded pixels of object `hash` and the format its signature names.
  package func decoded(
    _ hash: String, pixelBudget: Int, version: DecoderVersion, jpegTarget: ImageSize? = nil
  ) throws -> (image: Tensor, format: ImageFormat?) {
    let bytes = try objects.read(hash)
    do {
      let image = try ImageDecoder.decode(
        bytes, pixelBudget: pixelBudget, version: version,
        jpegTarget: jpegTarget.map { ($0.height, $0.width) })
      return (image, ImageFormat.of(bytes))
    } catch {
      throw StoreError.invalidObject(
        hash: hash, path: objects.path(of: hash), reason: error.localizedDescription)
    }
  }
}
