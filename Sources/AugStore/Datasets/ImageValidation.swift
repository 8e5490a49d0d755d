import AugStoreImaging

/// The shape of a decoded original.
package struct ImageShape: Sendable, Equatable {
  package var width: Int
  package var height: Int
  package var channels: Int
}

/// Checks that a file is a PNG augstore can use by decoding it fully.
package enum ImageValidation {
  /// Decodes `bytes` within `pixelBudget` and returns the image's shape, or a one-line reason.
  package static func validate(_ bytes: [UInt8], pixelBudget: Int) -> Result<ImageShape, ImageRejection> {
    do {
      let tensor = try PNGDecoder.decode(bytes, pixelBudget: pixelBudget)
      return .success(ImageShape(width: tensor.width, height: tensor.height, channels: tensor.channels))
    } catch {
      return .failure(ImageRejection(reason: error.localizedDescription))
    }
  }
}

/// Why an image was refused.
package struct ImageRejection: Error, Sendable, Equatable {
  package var reason: String
  /// Set when the image is fine but the store could not take it (a failed write: disk full, file
  /// too large, read-only): the whole command fails with this error, whatever `skipInvalid` says.
  package var storeFailure: StoreError? = nil
}
