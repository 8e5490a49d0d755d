import ArgumentParser
import AugStore
import Foundation

/// `augstore preview RUN --sample S --epochs 0-7 --out grid.png`.
struct PreviewCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "preview",
    abstract: "Draw a sample's original beside what the model saw in each epoch, as one PNG.",
    discussion:
      "The epochs must be recorded (augstore record RUN --epochs …); tensors come from the cache or are rebuilt."
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("The run's name.", valueName: "run"))
  var runName: String

  @Option(name: .long, help: "The sample: its index in the dataset version or its relative path.")
  var sample: String

  @Option(
    name: .long, help: "Epochs: N, A-B or a list like 0-2,5.",
    transform: { try EpochSelection(parsing: $0) })
  var epochs: EpochSelection

  @Option(name: .long, help: ArgumentHelp("The PNG file to write.", valueName: "file.png"))
  var out: String

  func run() throws {
    let png = try global.openStore().preview(run: runName, sample: sample, epochs: epochs)
    do {
      try Data(png).write(to: URL(fileURLWithPath: out), options: .atomic)
    } catch {
      throw StoreError.io(path: out, message: "cannot write the preview")
    }
    print("wrote \(out): the original and \(epochs.epochs.count) epochs of sample \(sample)")
  }
}
