import AugStoreCommands

/// The `augstore` executable: all parsing and work lives in `AugStoreCommands`.
@main
enum Entrypoint {
  static func main() {
    CommandLineTool.main()
  }
}
