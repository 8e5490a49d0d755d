import AugStoreImaging

/// Decoded originals: reads an object, checks its hash, decodes it.
package struct OriginalImages: Sendable {
  let objects: ObjectStore

  /// The decoded pixels of object `hash`.
  package func image(_ hash: String, pixelBudget: Int) throws -> Tensor {
    let bytes = try objects.read(hash)
    do {
      return try PNGDecoder.decode(bytes, pixelBudget: pixelBudget)
    } catch {
      throw StoreError.invalidObject(
        hash: hash, path: objects.path(of: hash), reason: error.localizedDescription)
    }
  }
}
