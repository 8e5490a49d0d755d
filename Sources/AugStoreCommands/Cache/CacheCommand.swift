import ArgumentParser
import AugStore

/// `augstore cache …`: inspect and trim the tensor cache.
struct CacheCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cache",
    abstract: "Inspect and trim the cache of materialized tensors.",
    discussion: """
      The cache holds each materialized tensor once, as a .npy file named by the SHA-256 of what \
      determines it. Removing entries loses nothing: records keep their digests, and replay \
      rebuilds any missing tensor and checks it against its digest.
      """,
    subcommands: [CacheStatsCommand.self, CacheGCCommand.self, CacheClearCommand.self]
  )
}

/// `augstore cache stats`.
struct CacheStatsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stats", abstract: "Entries, bytes, and hit, miss and rebuild counts.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: OutputOptions

  func run() throws {
    let totals = try global.openStore().cacheStats()
    if output.json {
      try Terminal.printJSON(totals)
      return
    }
    print("entries  \(totals.entries)")
    print("bytes    \(totals.bytes) (\(ByteSize(bytes: totals.bytes)))")
    print("hits     \(totals.hits)")
    print("misses   \(totals.misses)")
    print("rebuilt  \(totals.rebuilt)")
  }
}

/// `augstore cache gc --max-size SIZE`.
struct CacheGCCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gc", abstract: "Remove least recently used tensors until the cache fits in SIZE.")

  @OptionGroup var global: GlobalOptions

  @Option(name: .long, help: ArgumentHelp("The size to shrink to, e.g. 500MB, 2GiB, 0.", valueName: "size"))
  var maxSize: String

  @OptionGroup var output: OutputOptions

  func validate() throws {
    guard ByteSize(parsing: maxSize) != nil else {
      throw ValidationError("--max-size: \"\(maxSize)\" is not a size (e.g. 500MB, 2GiB, 1048576)")
    }
  }

  func run() throws {
    let limit = ByteSize(parsing: maxSize)?.bytes ?? 0
    let cleanup = try global.openStore().collectCacheGarbage(maxBytes: limit)
    if output.json {
      try Terminal.printJSON(cleanup)
    } else {
      print(
        "removed \(cleanup.removedEntries) entries (\(ByteSize(bytes: cleanup.freedBytes))); "
          + "\(cleanup.remainingEntries) left (\(ByteSize(bytes: cleanup.remainingBytes)))")
    }
  }
}

/// `augstore cache clear`.
struct CacheClearCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "clear", abstract: "Remove every cached tensor.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: OutputOptions

  func run() throws {
    let cleanup = try global.openStore().clearCache()
    if output.json {
      try Terminal.printJSON(cleanup)
    } else {
      print("removed \(cleanup.removedEntries) entries (\(ByteSize(bytes: cleanup.freedBytes)))")
    }
  }
}
