import AugStoreImaging

/// Decoded originals: reads an object, checks its hash, decodes it.
package struct OriginalImages: Sendable {
  let objects: ObjectStore

  /// The decoded pixels of object `hash`, decoded the way `version` does (a run's decoder).
  package func image(_ hash: String, pixelBudget: Int, version: DecoderVersion) throws -> Tensor {
    let bytes = try objects.read(hash)
    do {
      return try ImageDecoder.decode(bytes, pixelBudget: pixelBudget, version: version)
    } catch {
      throw StoreError.invalidObject(
        hash: hash, path: objects.path(of: hash), reason: error.localizedDescription)
    }
  }
}
