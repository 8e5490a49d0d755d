public enum PNGDecoder {
  public static func decode(_ bytes: [UInt8], pixelBudget: Int) throws -> Tensor {
    Tensor(height: 1, width: 1, channels: 1)
  }
}
