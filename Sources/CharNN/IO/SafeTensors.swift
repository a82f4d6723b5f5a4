/// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length, a JSON header mapping each tensor name to its dtype, shape and byte range,
/// plus a `__metadata__` map of strings, then the raw little-endian data. charnn reads and
/// writes F32 tensors only.
struct SafeTensors {
    /// The format's own limit on the header.
    static let maxHeaderSize = 100_000_000

    var metadata: [(String, String)] = []
    var tensors: [(name: String, tensor: Tensor)] = []

    func metadata(_ key: String) -> String? { metadata.first { $0.0 == key }?.1 }
    func tensor(_ name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }

    /// The file's bytes: tensors in order, header padded with spaces to a multiple of 8 bytes so
    /// the data is aligned.
    func serialized() -> [UInt8] {
        let (headerBytes, dataSize) = header()
        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + dataSize)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for (_, tensor) in tensors {
            for value in tensor.scalars {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    /// `serialized().count`, without writing the data.
    var serializedSize: Int {
        let (headerBytes, dataSize) = header()
        return 8 + headerBytes.count + dataSize
    }

    /// The padded JSON header and the size of the data after it.
    private func header() -> (bytes: [UInt8], dataSize: Int) {
        var header: [(String, JSON)] = [("__metadata__", .object(metadata.map { ($0.0, .string($0.1)) }))]
        var offset = 0
        for (name, tensor) in tensors {
            let size = tensor.shape.count * 4
            header.append(
                (
                    name,
                    .object([
                        ("dtype", .string("F32")),
                        ("shape", .array(tensor.shape.dims.map { .number(Double($0)) })),
                        ("data_offsets", .array([.number(Double(offset)), .number(Double(offset + size))])),
                    ])
                ))
            offset += size
        }
        var headerBytes = Array(JSON.object(header).serialized.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        return (headerBytes, offset)
    }

    /// Parses and validates a whole file: the header, every entry's dtype, shape and range, and
    /// that the ranges cover the data exactly (no gap, no overlap, nothing after). `source`
    /// names the file in error messages.
    static func parse(_ bytes: [UInt8], source: String) throws(CharNNError) -> SafeTensors {
        func fail(_ message: String) -> CharNNError { .checkpoint("'\(source)': \(message)") }
        let (members, dataStart) = try parseHeader(bytes, fail)
        let dataSize = bytes.count - dataStart
        var result = SafeTensors()
        var ranges: [(start: Int, end: Int, name: String)] = []
        for (name, entry) in members {
            if name == "__metadata__" {
                guard let meta = entry.members else { throw fail("__metadata__ is not an object") }
                for (key, value) in meta {
                    guard let s = value.string else { throw fail("metadata '\(key)' is not a string") }
                    result.metadata.append((key, s))
                }
                continue
            }
            let (shape, start, end) = try parseEntry(name, entry, dataSize: dataSize, fail)
            ranges.append((start, end, name))
            result.tensors.append((name, readF32(bytes, from: dataStart + start, shape: shape)))
        }
        try checkCoverage(ranges, dataSize: dataSize, fail)
        return result
    }

    /// The 8-byte length and the JSON header after it: its members, and where the data starts.
    private static func parseHeader(_ bytes: [UInt8], _ fail: (String) -> CharNNError)
        throws(CharNNError) -> (members: [(String, JSON)], dataStart: Int)
    {
        guard bytes.count >= 8 else {
            throw fail("\(bytes.count) bytes is too short for a safetensors file (truncated?)")
        }
        var headerSize64: UInt64 = 0
        for i in 0..<8 { headerSize64 |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerSize64 <= UInt64(maxHeaderSize) else {
            throw fail("header length \(headerSize64) is over the format's limit")
        }
        let headerSize = Int(headerSize64)
        guard headerSize >= 2, 8 + headerSize <= bytes.count else {
            throw fail("header length \(headerSize) does not fit in the file's \(bytes.count) bytes (truncated?)")
        }
        guard bytes[8] == UInt8(ascii: "{") else { throw fail("the header is not a JSON object") }
        let header: JSON
        do { header = try JSON.parse(bytes[8..<(8 + headerSize)]) } catch { throw fail("header: \(error.message)") }
        guard let members = header.members else { throw fail("the header is not a JSON object") }
        return (members, 8 + headerSize)
    }

    /// One tensor's entry: an F32 dtype, a valid shape, and a byte range inside the data that
    /// holds exactly the shape's numbers.
    private static func parseEntry(_ name: String, _ entry: JSON, dataSize: Int, _ fail: (String) -> CharNNError)
        throws(CharNNError) -> (shape: Shape, start: Int, end: Int)
    {
        guard let dtype = entry["dtype"]?.string else { throw fail("tensor '\(name)' has no dtype") }
        guard dtype == "F32" else { throw fail("tensor '\(name)' has dtype \(dtype); charnn reads F32 only") }
        guard let dimsJSON = entry["shape"]?.array else { throw fail("tensor '\(name)' has no shape") }
        var dims: [Int] = []
        for d in dimsJSON {
            guard let n = d.integer else {
                throw fail("tensor '\(name)' has a dimension that is not a non-negative integer")
            }
            dims.append(n)
        }
        let shape: Shape
        do { shape = try Shape(validating: dims) } catch { throw fail("tensor '\(name)': \(error.message)") }
        guard let offsets = entry["data_offsets"]?.array, offsets.count == 2,
            let start = offsets[0].integer, let end = offsets[1].integer
        else {
            throw fail("tensor '\(name)' has no valid data_offsets")
        }
        guard start <= end, end <= dataSize else {
            throw fail("tensor '\(name)' claims bytes \(start)..<\(end) of \(dataSize) (truncated?)")
        }
        guard end - start == shape.count * 4 else {
            throw fail(
                "tensor '\(name)' of shape \(shape) needs \(shape.count * 4) bytes, its range has \(end - start)")
        }
        return (shape, start, end)
    }

    /// `shape.count` little-endian F32 numbers from `bytes[offset...]` (the range was checked).
    private static func readF32(_ bytes: [UInt8], from offset: Int, shape: Shape) -> Tensor {
        var scalars = [Float](repeating: 0, count: shape.count)
        for i in 0..<shape.count {
            let p = offset + 4 * i
            let bits =
                UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
            scalars[i] = Float(bitPattern: bits)
        }
        return try! Tensor(shape: shape, scalars: scalars)
    }

    /// The ranges tile the data: no gap, no overlap, nothing after the last.
    private static func checkCoverage(
        _ ranges: [(start: Int, end: Int, name: String)], dataSize: Int,
        _ fail: (String) -> CharNNError
    ) throws(CharNNError) {
        var covered = 0
        for range in ranges.sorted(by: { $0.start < $1.start }) {
            guard range.start == covered else {
                throw fail(
                    range.start < covered
                        ? "tensor '\(range.name)' overlaps another" : "the data has a gap before tensor '\(range.name)'"
                )
            }
            covered = range.end
        }
        guard covered == dataSize else {
            throw fail("\(dataSize - covered) bytes after the last tensor (not a safetensors file?)")
        }
    }
}
