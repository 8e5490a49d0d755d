import Foundation
import Testing

@testable import AugStoreImaging

@Suite("NPY")
struct NPYTests {
  @Test("our uint8 files are byte-identical to numpy.save")
  func uint8MatchesNumpy() throws {
    for name in ["u8_5x7x3.npy", "u8_scalar.npy", "u8_vector10.npy", "u8_empty_0x3.npy"] {
      let numpy = try Fixtures.bytes("npy", name)
      let array = try NPY.decode(numpy)
      #expect(array.dtype == .uint8)
      #expect(NPY.encode(shape: array.shape, uint8: array.data) == numpy, "\(name)")
    }
    let scalar = try NPY.decode(Fixtures.bytes("npy", "u8_scalar.npy"))
    #expect(scalar.shape == [] && scalar.data == [42])
    let vector = try NPY.decode(Fixtures.bytes("npy", "u8_vector10.npy"))
    #expect(vector.shape == [10] && vector.data == Array(0..<10))
    let empty = try NPY.decode(Fixtures.bytes("npy", "u8_empty_0x3.npy"))
    #expect(empty.shape == [0, 3] && empty.data.isEmpty && empty.tensor == nil)
  }

  @Test("our float32 files are byte-identical to numpy.save")
  func float32MatchesNumpy() throws {
    for name in ["f32_4x3x2.npy", "f32_long_shape.npy"] {
      let numpy = try Fixtures.bytes("npy", name)
      let array = try NPY.decode(numpy)
      #expect(array.dtype == .float32)
      let values = try #require(array.float32Values)
      #expect(NPY.encode(shape: array.shape, float32: values) == numpy, "\(name)")
    }
    let array = try NPY.decode(Fixtures.bytes("npy", "f32_4x3x2.npy"))
    let values = try #require(array.float32Values)
    #expect(array.shape == [4, 3, 2])
    #expect(values[0] == 0 && values[0].sign == .minus)
    #expect(values[1] == .infinity)
  }

  @Test("data starts at a multiple of 64 bytes for every rank", arguments: 0...12)
  func alignment(rank: Int) throws {
    let shape = (0..<rank).map { $0 % 3 + 1 }
    let count = shape.reduce(1, *)
    let file = NPY.encode(shape: shape, uint8: [UInt8](repeating: 9, count: count))
    #expect((file.count - count) % 64 == 0)
    #expect(file[file.count - count - 1] == UInt8(ascii: "\n"))
    let back = try NPY.decode(file)
    #expect(back.shape == shape && back.data == [UInt8](repeating: 9, count: count))
  }

  @Test("tensor round trip")
  func tensorRoundTrip() throws {
    let tensor = Tensor(height: 3, width: 5, channels: 2, pixels: (0..<30).map { UInt8($0 * 7) })
    let file = NPY.encode(tensor)
    #expect(try NPY.decode(file).tensor == tensor)
    let header = String(decoding: file[10..<80], as: UTF8.self)
    #expect(header.hasPrefix("{'descr': '|u1', 'fortran_order': False, 'shape': (3, 5, 2), }"))
  }

  @Test(
    "malformed files throw the documented error",
    arguments: [
      ("empty", [UInt8](), NPYError.notNPY),
      ("bad magic", Array("\u{93}NUMPZ\u{01}\u{00}\u{00}\u{00}".utf8), .notNPY),
      (
        "version 4", [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 4, 0, 0, 0], .unsupportedVersion(major: 4, minor: 0)
      ),
    ])
  func malformedPrefix(label: String, bytes: [UInt8], expected: NPYError) {
    #expect(throws: expected, "\(label)") { try NPY.decode(bytes) }
  }

  /// A v1.0 file with the given header text and data.
  static func file(header: String, data: [UInt8]) -> [UInt8] {
    let text = Array(header.utf8)
    return NPY.magic + [1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text + data
  }

  @Test("header contents are validated")
  func headerValidation() throws {
    let good = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }\n"
    #expect(try NPY.decode(Self.file(header: good, data: [1, 2, 3, 4])).shape == [2, 2])
    #expect(throws: NPYError.dataSizeMismatch(expected: 4, actual: 3)) {
      try NPY.decode(Self.file(header: good, data: [1, 2, 3]))
    }
    #expect(throws: NPYError.unsupportedDType("<f8")) {
      try NPY.decode(Self.file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", data: []))
    }
    #expect(throws: NPYError.unsupportedDType(">f4")) {
      try NPY.decode(Self.file(header: "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", data: []))
    }
    #expect(throws: NPYError.fortranOrder) {
      try NPY.decode(
        Self.file(header: "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2), }", data: [1, 2, 3, 4]))
    }
    #expect(throws: NPYError.malformedHeader(reason: "missing 'shape'")) {
      try NPY.decode(Self.file(header: "{'descr': '|u1', 'fortran_order': False}", data: []))
    }
    #expect(throws: NPYError.self) {
      try NPY.decode(
        Self.file(header: "{'descr': '|u1', 'fortran_order': False, 'shape': (2, -2), }", data: []))
    }
    #expect(throws: NPYError.self) {
      try NPY.decode(Self.file(header: "{'descr': '|u1', 'shape': (2, 2)", data: [1, 2, 3, 4]))
    }
    #expect(throws: NPYError.malformedHeader(reason: "shape too large")) {
      try NPY.decode(
        Self.file(
          header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", data: []))
    }
    // Header length pointing past the end of the file.
    #expect(throws: NPYError.notNPY) { try NPY.decode(NPY.magic + [1, 0, 0xFF, 0x00, 0x7B]) }
  }
}
