/// Runs the `augstore` command line.
public enum CommandLineTool {
  /// Parses the process arguments, runs the command and exits.
  public static func main() {}
}
