import AugStore

/// `augstore history RUN --sample S [--epochs E] [--json] [--store PATH]` recognised without
/// ArgumentParser, for the plainest spelling of the command only.
///
/// `history` is the command scripts and the Python loader call per sample, so its process start
/// counts. ArgumentParser builds the argument sets of the command tree by reflection on every run
/// (its completion-script check, the root command, each option group): about a sixth of a
/// `history --json` process's CPU time. This recogniser accepts only arguments whose meaning is
/// unambiguous: `history` first, one run name, `--sample`, `--epochs` and `--store` each at most
/// once with a value that does not start with `-`, `--json` at most once, nothing else. Anything
/// other (help and version flags, `--name=value`, repeated or unknown options, a value that looks
/// like an option, a missing argument, an `--epochs` value that does not parse) returns `nil` and
/// goes through ArgumentParser, so usage errors, help texts and exit codes come from there as before.
/// What it accepts, ArgumentParser parses to the same values; the command's work is shared
/// (``HistoryCommand/show(store:runName:sample:epochs:json:)``).
package struct HistoryInvocation: Equatable {
  package var store: String?
  package var runName: String
  package var sample: String
  package var epochs: EpochSelection?
  package var json: Bool

  /// The invocation `arguments` (without the program name) spell, or `nil` when ArgumentParser is
  /// to parse them.
  package init?(_ arguments: [String]) {
    guard arguments.first == "history" else { return nil }
    var runName: String?
    var sample: String?
    var epochs: String?
    var store: String?
    var json = false
    var index = 1
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      guard argument.hasPrefix("-") else {
        guard runName == nil else { return nil }
        runName = argument
        continue
      }
      if argument == "--json" {
        guard !json else { return nil }
        json = true
        continue
      }
      guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
      let value = arguments[index]
      index += 1
      switch argument {
      case "--sample" where sample == nil: sample = value
      case "--epochs" where epochs == nil: epochs = value
      case "--store" where store == nil: store = value
      default: return nil
      }
    }
    guard let runName, let sample else { return nil }
    if let epochs {
      guard let selection = try? EpochSelection(parsing: epochs) else { return nil }
      self.epochs = selection
    }
    self.runName = runName
    self.sample = sample
    self.json = json
    self.store = store
  }

  /// Runs the command.
  func run() throws {
    try HistoryCommand.show(
      store: Store(opening: GlobalOptions.storePath(store), readOnly: true), runName: runName, sample: sample,
      epochs: epochs, json: json)
  }
}
