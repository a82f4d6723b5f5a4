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

/// A PyTorch fixture: tensors stored as {"shape", "data"}, plus plain numbers and lists.
struct TorchFixture {
    let object: [String: Any]

    init(_ name: String) throws {
        object = try #require(try TestSupport.loadJSON("torch_\(name).json") as? [String: Any])
    }

    /// A part of a fixture (a nested object) read the same way.
    init(object: [String: Any]) { self.object = object }

    func tensor(_ key: String) throws -> Tensor {
        let entry = try #require(object[key] as? [String: Any], "fixture has no tensor '\(key)'")
        let shape = try #require(entry["shape"] as? [Int])
        let data = try #require(entry["data"] as? [Double])
        return Tensor(shape, data.map(Float.init))
    }

    func ints(_ key: String) throws -> [Int] { try #require(object[key] as? [Int]) }
    func int(_ key: String) throws -> Int { try #require(object[key] as? Int) }
    func double(_ key: String) throws -> Double { try #require(object[key] as? Double) }
}

import Testing

/// Asserts two tensors have the same shape and agree elementwise to `tolerance`.
func expectClose(
    _ actual: Tensor?, _ expected: Tensor, tolerance: Float = 1e-5, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let actual else {
        Issue.record("\(what): no tensor", sourceLocation: sourceLocation)
        return
    }
    #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    var worst: Float = 0, at = 0
    for i in 0..<expected.scalars.count {
        let d = abs(actual.scalars[i] - expected.scalars[i])
        if !(d <= worst) { worst = d; at = i }
    }
    #expect(
        worst <= tolerance,
        "\(what): element \(at) is \(actual.scalars[at]), expected \(expected.scalars[at]) (difference \(worst))",
        sourceLocation: sourceLocation)
}
