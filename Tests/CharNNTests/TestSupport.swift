import Foundation
@testable import CharNN

/// Paths and scratch space shared by the test suites.
enum TestSupport {
    /// The package root, found from this file's location.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func fixture(_ name: String) -> String { packageRoot + "/Tests/CharNNTests/Fixtures/" + name }

    static func loadJSON(_ name: String) throws -> Any {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture(name)))
        return try JSONSerialization.jsonObject(with: data)
    }

    /// The tutorial's names data when present (`make data`, or CHARNN_DATA), else nil: tests on
    /// the real data run where it is and say so where it is not.
    static let realDataDirectory: String? = {
        let candidates = [ProcessInfo.processInfo.environment["CHARNN_DATA"], packageRoot + "/data/names"]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0 + "/English.txt") }
    }()

    /// A fresh empty directory, removed by the caller through `removeDirectory`.
    static func makeTemporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "charnn-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func removeDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func write(bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

extension TestSupport {
    static func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
}
