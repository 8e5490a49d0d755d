/// A 3×3 projective matrix (its last entry fixed at 1) mapping OUTPUT pixel coordinates to INPUT pixel
/// coordinates, as TensorFlow's `ImageProjectiveTransformV3` takes it.
///
/// For an output pixel at column `x`, row `y` with `k = (c0·x + c1·y) + 1`, the kernel samples the input
/// at `(((a0·x + a1·y) + a2) / k, ((b0·x + b1·y) + b2) / k)`, every step in float32; `k == 0` reads the
/// fill value. Coefficients are float32 values (held as `Float`).
public struct ProjectiveTransform: Sendable, Hashable, CustomStringConvertible {
  /// The eight coefficients `[a0, a1, a2, b0, b1, b2, c0, c1]`.
  public let coefficients: [Float]

  /// Creates a transform from its eight coefficients (missing ones read as 0).
  public init(coefficients: [Float]) {
    var values = Array(coefficients.prefix(8))
    values += [Float](repeating: 0, count: 8 - values.count)
    self.coefficients = values.map { $0.isFinite ? $0 : 0 }
  }

  /// A readable form listing the eight coefficients.
  public var description: String {
    "ProjectiveTransform\(coefficients)"
  }

  /// The homography that maps each of the four `end` points onto its `start` point, as Keras 3's
  /// `compute_homography_matrix` sets it up (`perspective_transform(images, start_points, end_points)`):
  /// the 8×8 linear system of the four correspondences, solved by Gaussian elimination with partial
  /// pivoting. Points are `(x, y)` pixel coordinates; the system is built and solved in double precision
  /// and the solution rounded to float32 (TensorFlow solves it in float32, so its coefficients can differ
  /// in their last bits).
  ///
  /// - Returns: nil when the system is singular (for example an image one pixel high or wide, whose
  ///   start corners coincide; Keras raises an error there).
  public static func homography(
    start: [(x: Float, y: Float)], end: [(x: Float, y: Float)]
  )
    -> ProjectiveTransform?
  {
    guard start.count == 4, end.count == 4 else { return nil }
    var matrix = [Double](repeating: 0, count: 64)
    var rhs = [Double](repeating: 0, count: 8)
    for i in 0..<4 {
      let sx = Double(start[i].x)
      let sy = Double(start[i].y)
      let ex = Double(end[i].x)
      let ey = Double(end[i].y)
      let top = 2 * i * 8
      let bottom = (2 * i + 1) * 8
      matrix[top + 0] = ex
      matrix[top + 1] = ey
      matrix[top + 2] = 1
      matrix[top + 6] = -sx * ex
      matrix[top + 7] = -sx * ey
      matrix[bottom + 3] = ex
      matrix[bottom + 4] = ey
      matrix[bottom + 5] = 1
      matrix[bottom + 6] = -sy * ex
      matrix[bottom + 7] = -sy * ey
      rhs[2 * i] = sx
      rhs[2 * i + 1] = sy
    }
    guard let solution = solve8(matrix, rhs) else { return nil }
    return ProjectiveTransform(coefficients: solution.map { Float($0) })
  }

  /// Solves the 8×8 row-major system by Gaussian elimination with partial pivoting; nil when singular.
  static func solve8(_ input: [Double], _ inputRHS: [Double]) -> [Double]? {
    var a = input
    var b = inputRHS
    let n = 8
    var largest = 0.0
    for value in a { largest = max(largest, abs(value)) }
    let tolerance = largest * 1e-12
    for k in 0..<n {
      var pivot = k
      for row in (k + 1)..<n where abs(a[row * n + k]) > abs(a[pivot * n + k]) { pivot = row }
      guard abs(a[pivot * n + k]) > tolerance else { return nil }
      if pivot != k {
        for column in 0..<n { a.swapAt(k * n + column, pivot * n + column) }
        b.swapAt(k, pivot)
      }
      for row in (k + 1)..<n {
        let factor = a[row * n + k] / a[k * n + k]
        guard factor != 0 else { continue }
        for column in k..<n { a[row * n + column] -= factor * a[k * n + column] }
        b[row] -= factor * b[k]
      }
    }
    var x = [Double](repeating: 0, count: n)
    for row in stride(from: n - 1, through: 0, by: -1) {
      var sum = b[row]
      for column in (row + 1)..<n { sum -= a[row * n + column] * x[column] }
      x[row] = sum / a[row * n + row]
    }
    return x.allSatisfy(\.isFinite) ? x : nil
  }
}
