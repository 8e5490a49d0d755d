/// A set of epochs as the command line names them: `N`, `A-B` (inclusive) or a comma-separated
/// list of both, e.g. `0-2,5,7-9`.
///
/// Every command that takes `--epochs` or `--epoch` parses it with this one type.
public struct EpochSelection: Sendable, Equatable, CustomStringConvertible {
  /// The largest epoch number accepted.
  public static let maximumEpoch = 1_000_000
  /// The most epochs one selection may name.
  public static let maximumCount = 100_000

  /// The selected epochs, ascending, without duplicates.
  public let epochs: [Int]

  /// Selects exactly `epochs` (sorted and deduplicated).
  ///
  /// - Throws: `StoreError.invalidEpochs` for an empty list or an epoch out of range.
  public init(_ epochs: [Int]) throws(StoreError) {
    let sorted = Array(Set(epochs)).sorted()
    guard !sorted.isEmpty else { throw .invalidEpochs(text: "", reason: "no epoch given") }
    if let bad = sorted.first(where: { $0 < 0 || $0 > Self.maximumEpoch }) {
      throw .invalidEpochs(text: "\(bad)", reason: "epochs are 0 to \(Self.maximumEpoch)")
    }
    self.epochs = sorted
  }

  /// Parses `N`, `A-B` or a comma-separated list of those (`0-2,5,7-9`); spaces are ignored.
  ///
  /// - Throws: `StoreError.invalidEpochs` naming the text and what is wrong with it.
  public init(parsing text: String) throws(StoreError) {
    let compact = text.filter { !$0.isWhitespace }
    guard !compact.isEmpty else { throw .invalidEpochs(text: text, reason: "no epoch given") }
    var selected = Set<Int>()
    for part in compact.split(separator: ",", omittingEmptySubsequences: false) {
      guard !part.isEmpty else { throw .invalidEpochs(text: text, reason: "empty item in the list") }
      let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
      guard bounds.count <= 2 else {
        throw .invalidEpochs(text: text, reason: "\"\(part)\" is not N or A-B (epochs are not negative)")
      }
      var numbers: [Int] = []
      for bound in bounds {
        guard !bound.isEmpty, bound.allSatisfy(\.isASCII), bound.allSatisfy(\.isNumber),
          let value = Int(bound)
        else {
          throw .invalidEpochs(text: text, reason: "\"\(part)\" is not N or A-B (epochs are not negative)")
        }
        guard value <= Self.maximumEpoch else {
          throw .invalidEpochs(text: text, reason: "epoch \(bound) is larger than \(Self.maximumEpoch)")
        }
        numbers.append(value)
      }
      let lower = numbers[0]
      let upper = numbers.count == 2 ? numbers[1] : lower
      guard lower <= upper else {
        throw .invalidEpochs(text: text, reason: "range \"\(part)\" ends before it starts")
      }
      guard upper - lower < Self.maximumCount, selected.count + (upper - lower + 1) <= Self.maximumCount
      else {
        throw .invalidEpochs(text: text, reason: "more than \(Self.maximumCount) epochs")
      }
      selected.formUnion(lower...upper)
    }
    epochs = selected.sorted()
  }

  /// The selection in its shortest form, e.g. `0-2,5,7-9`.
  public var description: String {
    var parts: [String] = []
    var index = 0
    while index < epochs.count {
      var end = index
      while end + 1 < epochs.count, epochs[end + 1] == epochs[end] + 1 { end += 1 }
      parts.append(end == index ? "\(epochs[index])" : "\(epochs[index])-\(epochs[end])")
      index = end + 1
    }
    return parts.joined(separator: ",")
  }
}
