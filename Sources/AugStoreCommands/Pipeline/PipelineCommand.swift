import ArgumentParser
import AugStore
import AugStoreCatalog
import Foundation

/// `augstore pipeline …`: store and show augmentation pipelines.
struct PipelineCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pipeline",
    abstract: "Store and show augmentation pipelines (Keras 3 layer names and arguments, as JSON).",
    discussion: """
      A pipeline spec is JSON: {"transforms": [{"type": "RandomFlip", "mode": "horizontal"}, …], \
      "original_probability": 0.0, "output": {"dtype": "uint8", "layout": "channels_last"}}. It is \
      stored in canonical form (defaults filled in, keys sorted) and identified by the SHA-256 of \
      that form; a changed spec under the same name becomes its next version (NAME@v2).
      """,
    subcommands: [PipelineAddCommand.self, PipelineShowCommand.self, PipelineListCommand.self]
  )
}

/// `augstore pipeline add NAME --spec FILE.json`.
struct PipelineAddCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Validate a pipeline spec and store it under a name.",
    discussion: """
      The spec is a JSON file (--spec) or the image preprocessing layers of a saved Keras 3 model \
      (--from-keras model.keras): its config.json is read (never the weights), nested Sequential and \
      Pipeline blocks are opened, and the model's leading preprocessing layers are converted with their \
      arguments. Every layer that cannot be converted is named with its reason, and nothing is stored.
      """
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: "The pipeline's name (letters, digits, '.', '_', '-').")
  var name: String

  @Option(name: .long, help: ArgumentHelp("The JSON spec file.", valueName: "file.json"))
  var spec: String?

  @Option(
    name: .customLong("from-keras"),
    help: ArgumentHelp(
      "A saved Keras 3 model whose leading preprocessing layers become the pipeline.",
      valueName: "model.keras"))
  var kerasModel: String?

  @OptionGroup var output: OutputOptions

  func validate() throws {
    if (spec == nil) == (kerasModel == nil) {
      throw ValidationError("give exactly one of --spec FILE.json and --from-keras MODEL.keras")
    }
  }

  func run() throws {
    let store = try global.openStore()
    let bytes: [UInt8]
    let source: String
    if let kerasModel {
      bytes = Array(try KerasModelImport.load(path: kerasModel).specJSON.utf8)
      source = kerasModel
    } else {
      let spec = spec ?? ""
      do {
        bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: spec)))
      } catch {
        throw StoreError.io(path: spec, message: "cannot read the spec file")
      }
      source = spec
    }
    let commit = try store.addPipeline(named: name, specJSON: bytes, source: source)
    let (pipeline, created): (Pipeline, Bool) =
      switch commit {
      case .created(let pipeline): (pipeline, true)
      case .unchanged(let pipeline): (pipeline, false)
      }
    if output.json {
      try Terminal.printJSON(
        PipelineReport(
          name: pipeline.name, version: pipeline.version, fingerprint: pipeline.fingerprint, created: created)
      )
    } else if created {
      print("\(pipeline.name)@v\(pipeline.version): stored, fingerprint \(pipeline.fingerprint.prefix(16))")
    } else {
      print("\(pipeline.name): unchanged, same spec as v\(pipeline.version)")
    }
  }

  private struct PipelineReport: Encodable {
    var name: String
    var version: Int
    var fingerprint: String
    var created: Bool
  }
}

/// `augstore pipeline show NAME[@vN]`.
struct PipelineShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show a pipeline's canonical spec and fingerprint."
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: "NAME (latest version) or NAME@vN.")
  var reference: String

  @OptionGroup var output: OutputOptions

  func run() throws {
    let (pipeline, spec) = try global.openStore().pipeline(PipelineReference(parsing: reference))
    if output.json {
      let specObject = try JSONSerialization.jsonObject(with: Data(pipeline.spec.utf8))
      let document: [String: Any] = [
        "name": pipeline.name, "version": pipeline.version, "fingerprint": pipeline.fingerprint,
        "created_at": pipeline.createdAt, "spec": specObject,
      ]
      let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
      print(String(decoding: data, as: UTF8.self))
      return
    }
    print("\(pipeline.name)@v\(pipeline.version)  fingerprint \(pipeline.fingerprint)")
    print("  created               \(pipeline.createdAt)")
    print("  original_probability  \(spec.originalProbability)")
    print("  output                \(spec.output.dtype.rawValue), \(spec.output.layout.rawValue)")
    let transforms =
      (try JSONSerialization.jsonObject(with: Data(pipeline.spec.utf8)) as? [String: Any])?[
        "transforms"] as? [Any] ?? []
    for (index, transform) in transforms.enumerated() {
      let data = try JSONSerialization.data(withJSONObject: transform, options: [.sortedKeys])
      print("  [\(index)] \(String(decoding: data, as: UTF8.self))")
    }
  }
}

/// `augstore pipeline list`.
struct PipelineListCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List pipelines and their versions."
  )

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: OutputOptions

  func run() throws {
    let pipelines = try global.openStore().catalog.pipelines()
    if output.json {
      try Terminal.printJSON([
        "pipelines": pipelines.map {
          ListedPipeline(
            name: $0.name, version: $0.version, fingerprint: $0.fingerprint, createdAt: $0.createdAt)
        }
      ])
      return
    }
    if pipelines.isEmpty {
      print("no pipelines (add one with `augstore pipeline add NAME --spec FILE.json`)")
    }
    for pipeline in pipelines {
      print(
        "\(pipeline.name)@v\(pipeline.version)  \(pipeline.fingerprint.prefix(16))  \(pipeline.createdAt)")
    }
  }

  private struct ListedPipeline: Encodable {
    var name: String
    var version: Int
    var fingerprint: String
    var createdAt: String
    enum CodingKeys: String, CodingKey {
      case name, version, fingerprint
      case createdAt = "created_at"
    }
  }
}
