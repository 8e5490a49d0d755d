import ArgumentParser
import AugStore

/// `augstore dataset tag NAME@vN TAG`.
struct DatasetTagCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tag",
    abstract: "Give a version a name, usable as NAME@TAG.",
    discussion: "A tag points at one version for good; tagging the same version again changes nothing."
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: "The version to tag, e.g. cats@v2.")
  var reference: DatasetReference

  @Argument(help: "The tag's name (letters, digits, '.', '_', '-'; not of the form vN).")
  var tag: String

  func run() throws {
    let version = try global.openStore().tag(reference, as: tag)
    print("\(reference.name)@\(tag) → v\(version.number)")
  }
}
