import AugStoreCatalog
import AugStoreTransforms

/// The mixed one-hot labels of a batch whose pipeline mixes samples (MixUp, CutMix), as Keras'
/// `transform_labels` computes them: `w · onehot(label) + (1 − w) · onehot(partner's label)`.
///
/// A sample that was not mixed (an original that epoch) keeps its one-hot row; an unlabelled sample or
/// partner (class index -1) adds nothing to its row.
package enum SoftLabels {
  /// Rows of `float32 [records.count, classes]`, flattened in C order; `classIndex` maps a sample index
  /// to its class (-1 for none).
  package static func rows(
    _ records: [StoredRecord], layer: Int, classes: Int, classIndex: (Int) -> Int64
  ) -> [Float] {
    var rows = [Float](repeating: 0, count: records.count * classes)
    func add(_ row: Int, _ sample: Int, _ weight: Float) {
      let index = Int(classIndex(sample))
      guard index >= 0, index < classes else { return }
      rows[row * classes + index] += weight
    }
    for (row, stored) in records.enumerated() {
      let params = stored.record.params
      if !stored.record.original, layer < params.count, case .mix(let mix) = params[layer] {
        add(row, stored.sample, mix.weight)
        add(row, mix.partner, 1 - mix.weight)
      } else {
        add(row, stored.sample, 1)
      }
    }
    return rows
  }
}
