import AugStoreCatalog
import AugStoreImaging
import Foundation

extension Store {
  /// A PNG showing one sample's original beside what the run fed the model in each of `epochs`,
  /// each captioned with its epoch ("orig" marks an epoch in which the sample was an original).
  ///
  /// Tensors come from the cache or are rebuilt from the records, like `replay`; float tensors are
  /// stretched to 0–255 for display and channels-first tensors are shown channels-last.
  ///
  /// - Throws: `CatalogError.epochNotRecorded` for an epoch without records.
  public func preview(run name: String, sample text: String, epochs: EpochSelection) throws -> [UInt8] {
    let details = try runDetails(named: name)
    let sample = try self.sample(of: details, matching: text)
    let renderer = try Renderer(store: self, details: details)
    var cells = [
      PreviewGrid.Cell(
        caption: "original",
        image: try originals.image(
          sample.objectHash, pixelBudget: Self.defaultPixelBudget, version: renderer.decoder))
    ]
    for epoch in epochs.epochs {
      let records = try catalog.records(run: details.run, epoch: epoch, samples: [sample.position])
      let rendered = try render(
        records, with: renderer, jobs: 1, progress: nil, phase: "preview", keepBytes: true)
      for (record, tensor) in zip(records, rendered) {
        if let recorded = record.digest, recorded != tensor.digest {
          throw StoreError.digestMismatch(run: name, epoch: epoch, sample: sample.position, path: sample.path)
        }
      }
      // The cache files rendering wrote (tensor, decoded original) are indexed, and a first rendering
      // records its digest, as replay does.
      try commit(
        rendered.map {
          var light = $0
          light.bytes = []
          return light
        }, run: details.run, epoch: epoch)
      for (record, tensor) in zip(records, rendered) {
        let caption = record.record.original ? "e\(epoch) orig" : "epoch \(epoch)"
        cells.append(
          PreviewGrid.Cell(
            caption: caption,
            image: try Self.displayable(
              tensor.bytes, channelsFirst: details.pipeline.spec.contains("channels_first"))))
      }
    }
    return try PNGEncoder.encode(PreviewGrid.render(cells))
  }

  /// A uint8 HWC image of a tensor file, for people to look at.
  static func displayable(_ npy: [UInt8], channelsFirst: Bool) throws -> Tensor {
    let array = try NPY.decode(npy)
    guard array.shape.count == 3 else {
      throw StoreError.unsupportedOutput(reason: "preview shows 3-dimensional tensors only")
    }
    let (channels, height, width) =
      channelsFirst
      ? (array.shape[0], array.shape[1], array.shape[2]) : (array.shape[2], array.shape[0], array.shape[1])
    guard (1...4).contains(channels), height > 0, width > 0 else {
      throw StoreError.unsupportedOutput(reason: "preview shows images with 1 to 4 channels")
    }
    var values: [Float]
    switch array.dtype {
    case .uint8: values = array.data.map(Float.init)
    case .float32:
      values = array.float32Values ?? []
      let low = values.min() ?? 0
      let high = values.max() ?? 1
      let scale = high > low ? 255 / (high - low) : 0
      values = values.map { ($0 - low) * scale }
    case .int64:
      throw StoreError.unsupportedOutput(reason: "preview shows uint8 or float32 tensors")
    }
    var pixels = [UInt8](repeating: 0, count: height * width * channels)
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<channels {
          let source = channelsFirst ? (c * height + y) * width + x : (y * width + x) * channels + c
          pixels[(y * width + x) * channels + c] = Kernels.toUInt8(values[source])
        }
      }
    }
    return Tensor(height: height, width: width, channels: channels, pixels: pixels)
  }
}
