import AugStoreImaging

/// The shape of a decoded original.
package struct ImageShape: Sendable, Equatable {
  package var width: Int
  package var height: Int
  package var channels: Int
  /// The file format its signature names.
  package var format: ImageFormat = .png
  /// A JPEG's EXIF Orientation tag (1 to 8), kept as recorded; pixels are never rotated.
  package var orientation: Int? = nil
}

/// Checks that a file is a PNG or JPEG augstore can use by decoding it fully with the current
/// decoder version (the one new runs record).
package enum ImageValidation {
  /// Decodes `bytes` within `pixelBudget` and returns the image's shape, or a one-line reason.
  package static func validate(_ bytes: [UInt8], pixelBudget: Int) -> Result<ImageShape, ImageRejection> {
    do {
      let tensor = try ImageDecoder.decode(bytes, pixelBudget: pixelBudget, version: .current)
      let format = ImageFormat.of(bytes) ?? .png
      let orientation = format == .jpeg ? try JPEGDecoder.header(of: bytes).orientation : nil
      return .success(
        ImageShape(
          width: tensor.width, height: tensor.height, channels: tensor.channels, format: format,
          orientation: orientation))
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
