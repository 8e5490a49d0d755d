import CLibPNG

/// Encodes 8-bit `Tensor`s as PNG files with libpng's simplified API (`png_image_write_to_memory`).
///
/// Channels map to colour types: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA, all 8 bits per sample,
/// non-interlaced, with an sRGB chunk. Alpha is stored as given (not premultiplied), so
/// `PNGDecoder.decode(PNGEncoder.encode(t)) == t` for every tensor.
public enum PNGEncoder {
  /// The PNG bytes of `tensor`. `fast` trades file size for encoding speed (libpng's
  /// `PNG_IMAGE_FLAG_FAST`). Throws `PNGError.encodingFailed` with libpng's message.
  public static func encode(_ tensor: Tensor, fast: Bool = false) throws -> [UInt8] {
    guard let width = UInt32(exactly: tensor.width), let height = UInt32(exactly: tensor.height),
      let rowStride = Int32(exactly: tensor.width * tensor.channels)
    else {
      throw PNGError.encodingFailed(reason: "image dimensions exceed PNG limits")
    }
    // The png_image is referenced by libpng during the call; keep it at one address.
    let image = UnsafeMutablePointer<png_image>.allocate(capacity: 1)
    image.initialize(to: png_image())
    defer {
      png_image_free(image)
      image.deallocate()
    }
    image.pointee.version = UInt32(PNG_IMAGE_VERSION)
    image.pointee.width = width
    image.pointee.height = height
    image.pointee.format = PNGDecoder.outputFormat(channels: tensor.channels)
    if fast { image.pointee.flags |= UInt32(PNG_IMAGE_FLAG_FAST) }

    let capacity = augstore_png_image_png_size_max(image)
    return try tensor.pixels.withUnsafeBytes { pixels in
      try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
        initialized = 0
        var size = png_alloc_size_t(capacity)
        guard
          png_image_write_to_memory(image, buffer.baseAddress, &size, 0, pixels.baseAddress, rowStride, nil)
            != 0,
          augstore_png_image_failed(image) == 0
        else {
          throw PNGError.encodingFailed(reason: PNGDecoder.message(of: image))
        }
        initialized = Int(size)
      }
    }
  }
}
