import AugStore
import AugStoreCatalog
import Foundation
import Hummingbird

/// A request the server refuses or cannot answer: a status and a one-line message naming what is
/// wrong (the path, run, sample or epoch).
struct RequestFailure: Error, Equatable {
  var status: HTTPResponse.Status
  var message: String

  static func badRequest(_ message: String) -> Self { Self(status: .badRequest, message: message) }
  static func notFound(_ message: String) -> Self { Self(status: .notFound, message: message) }

  /// The failure for an error the library threw: lookups of things that do not exist are 404s,
  /// malformed names and epochs 400s, anything else a 500 with the library's message.
  init(_ error: any Error) {
    if let failure = error as? RequestFailure {
      self = failure
      return
    }
    let message = (error as? any LocalizedError)?.errorDescription ?? "\(error)"
    status = .internalServerError
    self.message = message
    if let error = error as? CatalogError {
      switch error {
      case .datasetNotFound, .versionNotFound, .tagNotFound, .pipelineNotFound, .runNotFound,
        .epochNotRecorded,
        .sampleOutOfRange:
        status = .notFound
      default: break
      }
    } else if let error = error as? StoreError {
      switch error {
      case .sampleNotFound, .noRecordedEpochs: status = .notFound
      case .invalidName, .invalidReference, .invalidEpochs: status = .badRequest
      default: break
      }
    }
  }

  init(status: HTTPResponse.Status, message: String) {
    self.status = status
    // One line, whatever the library's message held.
    self.message = message.split(whereSeparator: \.isNewline).joined(separator: " ")
  }
}
