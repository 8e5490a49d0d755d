// swift-tools-version: 6.1
import Foundation
import PackageDescription

let package = Package(
  name: "augstore",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "augstore", targets: ["augstore"]),
    .library(name: "AugStore", targets: ["AugStore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
  ],
  targets: [
    // libpng through a [system] module map; shim.h wraps the simplified API's macros.
    .systemLibrary(
      name: "CLibPNG",
      pkgConfig: "libpng",
      providers: [.apt(["libpng-dev"])]
    ),
    // zlib through a [system] module map: inflate and crc32 for the 16-bit Adam7 PNG decoder.
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    // libdeflate through a [system] module map: whole-buffer inflate for the PNG decoder.
    .systemLibrary(
      name: "CLibDeflate",
      pkgConfig: "libdeflate",
      providers: [.apt(["libdeflate-dev"])]
    ),
    // libjpeg-turbo's TurboJPEG API through a [system] module map (errors by return code, no setjmp).
    .systemLibrary(
      name: "CTurboJPEG",
      pkgConfig: "libturbojpeg",
      providers: [.apt(["libturbojpeg0-dev"])]
    ),
    // A few x86-64 kernels compiled for SSSE3 and AVX2 through function target attributes (no
    // compiler flags), which the baseline build picks at run time when the processor has them.
    .target(name: "CKernels"),
    .target(
      name: "AugStoreImaging",
      dependencies: ["CLibPNG", "CZlib", "CLibDeflate", "CTurboJPEG", "CKernels"]
    ),
    .target(
      name: "AugStoreTransforms",
      dependencies: [
        "AugStoreImaging",
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    // The numbered schema files under Migrations/, compiled into the binary.
    .target(
      name: "AugStoreMigrations",
      path: "Migrations",
      resources: [.embedInCode("SQL"), .embedInCode("PostgreSQL")]
    ),
    .target(
      name: "AugStoreCatalog",
      dependencies: [
        "AugStoreMigrations",
        "AugStoreTransforms",
        .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
    // The catalog on PostgreSQL (postgres-nio), for stores shared by many hosts.
    .target(
      name: "AugStorePostgres",
      dependencies: [
        "AugStoreMigrations",
        "AugStoreCatalog",
        "AugStoreTransforms",
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .target(
      name: "AugStore",
      dependencies: [
        "CLibDeflate",
        "AugStoreImaging",
        "AugStoreTransforms",
        "AugStoreCatalog",
        "AugStorePostgres",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    // `augstore serve`: the read-only web pages, their JSON twins and thumbnails (Hummingbird).
    .target(
      name: "AugStoreServer",
      dependencies: [
        "AugStore",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .target(
      name: "AugStoreCommands",
      dependencies: [
        "AugStore",
        "AugStoreServer",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(
      name: "augstore",
      dependencies: ["AugStoreCommands"]
    ),
    // Developer tool: applies kernels to .npy cases (Keras parity) and times them (benchmarks).
    .executableTarget(
      name: "kernel-probe", dependencies: ["AugStoreImaging", "AugStoreTransforms"],
      path: "Tools/kernel-probe"),
    // Developer tool: decodes PNG/JPEG files (by signature) into .npy files (Tools/jpeg-parity).
    .executableTarget(name: "image-probe", dependencies: ["AugStoreImaging"], path: "Tools/image-probe"),
    // The catalog benchmark (Tools/bench/catalog): records, bytes per record, history latency.
    .executableTarget(
      name: "catalog-bench",
      dependencies: ["AugStore", "AugStoreCatalog", "AugStorePostgres", "AugStoreTransforms"],
      path: "Tools/catalog-bench"
    ),
    // Shared by the test targets: temporary folders, PNG folders, running the built CLI.
    .target(
      name: "AugStoreTestSupport",
      dependencies: [
        "AugStoreImaging", "AugStoreCatalog", "AugStorePostgres",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
      ],
      path: "Tests/AugStoreTestSupport"
    ),
    .testTarget(
      name: "AugStoreImagingTests",
      dependencies: ["AugStoreImaging", "AugStoreTransforms"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "AugStoreTransformsTests",
      dependencies: ["AugStoreTransforms"]
    ),
    .testTarget(
      name: "AugStoreCatalogTests",
      dependencies: [
        "AugStoreCatalog", "AugStorePostgres", "AugStoreTestSupport",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
      ]
    ),
    .testTarget(
      name: "AugStorePostgresTests",
      dependencies: [
        "AugStorePostgres", "AugStoreCatalog", "AugStoreMigrations", "AugStoreTestSupport",
        .product(name: "PostgresNIO", package: "postgres-nio"),
      ]
    ),
    .testTarget(
      name: "AugStoreTests",
      dependencies: ["AugStore", "AugStorePostgres", "AugStoreTestSupport"]
    ),
    .testTarget(
      name: "AugStoreCommandsTests",
      dependencies: [
        "AugStoreTestSupport", "AugStoreCatalog", "AugStore", "AugStoreCommands", "AugStoreImaging", "AugStoreTransforms",
        "AugStorePostgres",
        "augstore",
        .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
  ]
)

// libFuzzer targets (Tools/fuzz), only when AUGSTORE_FUZZ is set, so a plain `swift build` never sees
// them. Built by Tools/fuzz/run with `--sanitize=fuzzer --sanitize=address`.
//
// swift-driver passes `-sanitize=fuzzer` to the link step only: its compile jobs get no coverage
// instrumentation (only the C targets, compiled by clang, do), so libFuzzer would not see augstore's
// Swift code. The instrumentation `-sanitize=fuzzer` stands for is requested explicitly for augstore's
// own modules and the fuzz targets.
if ProcessInfo.processInfo.environment["AUGSTORE_FUZZ"] != nil {
  let coverage = "-sanitize-coverage=edge,indirect-calls,trace-cmp,inline-8bit-counters,pc-table"
  for target in package.targets
  where ["AugStoreImaging", "AugStoreTransforms", "AugStoreCatalog", "AugStore"].contains(target.name) {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags([coverage])]
  }
  package.targets += [
    .executableTarget(
      name: "fuzz-png", dependencies: ["AugStore", "AugStoreImaging", "CLibDeflate"],
      path: "Tools/fuzz/fuzz-png", swiftSettings: [.unsafeFlags(["-parse-as-library", coverage])]),
    .executableTarget(
      name: "fuzz-pipeline", dependencies: ["AugStoreImaging", "AugStoreTransforms"],
      path: "Tools/fuzz/fuzz-pipeline", swiftSettings: [.unsafeFlags(["-parse-as-library", coverage])]),
    .executableTarget(
      name: "fuzz-jpeg", dependencies: ["AugStoreImaging", "CTurboJPEG"], path: "Tools/fuzz/fuzz-jpeg",
      swiftSettings: [.unsafeFlags(["-parse-as-library", coverage])]),
  ]
  package.products += [
    .executable(name: "fuzz-png", targets: ["fuzz-png"]),
    .executable(name: "fuzz-pipeline", targets: ["fuzz-pipeline"]),
    .executable(name: "fuzz-jpeg", targets: ["fuzz-jpeg"]),
  ]
}
