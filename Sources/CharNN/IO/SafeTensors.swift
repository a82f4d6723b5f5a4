/// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length, a JSON header mapping each tensor name to its dtype, shape and byte range,
/// plus a `__metadata__` map of strings, then the raw little-endian data. charnn reads and
/// writes F32 tensors, and I8 ones for quantized models (written after every F32 tensor, so the
/// F32 data stays 4-byte aligned).
struct SafeTensors {
    /// The format's own limit on the header.
    static let maxHeaderSize = 100_000_000

    var metadata: [(String, String)] = []
    var tensors: [(name: String, tensor: Tensor)] = []
    /// I8 tensors: a quantized model's weights (`QuantizedMatrix`), row-major.
    var int8Tensors: [(name: String, shape: Shape, values: [Int8])] = []

    func metadata(_ key: String) -> String? { metadata.first { $0.0 == key }?.1 }
    func tensor(_ name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }
    func int8Tensor(_ name: String) -> (shape: Shape, values: [Int8])? {
        int8Tensors.first { $0.name == name }.map { ($0.shape, $0.values) }
    }
    var tensorCount: Int { tensors.count + int8Tensors.count }

    /// The metadata keys of the integrity check (written since 0.4): the algorithm, and the
    /// checksums of the data section and of the header.
    static let integrityKeys = ["integrity", "data_crc32c", "header_crc32c"]
    /// The one algorithm this charnn writes and checks.
    static let integrityAlgorithm = "crc32c"
    /// `header_crc32c`'s value while its checksum is computed.
    static let headerChecksumPlaceholder = Array("00000000".utf8)
    /// What precedes `header_crc32c`'s value in the header. A JSON string cannot hold it (its
    /// quotes would be escaped), so it occurs once, as the key.
    static let headerChecksumKey = Array("\"header_crc32c\":\"".utf8)

    /// The file's bytes: tensors in order, header padded with spaces to a multiple of 8 bytes so
    /// the data is aligned. With `integrity` (always, but for tests that forge headers by hand)
    /// the metadata ends with `integrity`: `crc32c`, `data_crc32c`: the CRC-32C of the data
    /// section, and `header_crc32c`: the CRC-32C of the 8-byte length and the padded header with
    /// this value read as `00000000`. Every byte of the file is covered by one of the two.
    func serialized(integrity: Bool = true) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(
            tensors.reduce(0) { $0 + $1.tensor.shape.count * 4 } + int8Tensors.reduce(0) { $0 + $1.values.count })
        for (_, tensor) in tensors {
            for value in tensor.scalars {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            }
        }
        for (_, _, values) in int8Tensors { data.append(contentsOf: values.lazy.map { UInt8(bitPattern: $0) }) }
        let dataCRC = integrity ? CRC32C.hex(CRC32C.checksum(data)) : nil
        let (headerBytes, _) = header(dataCRC: dataCRC)
        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + data.count)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        if integrity, let at = SafeTensors.headerChecksumValueOffset(out, headerEnd: out.count) {
            let crc = Array(CRC32C.hex(CRC32C.checksum(out)).utf8)
            out.replaceSubrange(at..<(at + 8), with: crc)
        }
        out.append(contentsOf: data)
        return out
    }

    /// `serialized().count`, without writing the data.
    var serializedSize: Int {
        let (headerBytes, dataSize) = header(dataCRC: CRC32C.hex(0))
        return 8 + headerBytes.count + dataSize
    }

    /// The padded JSON header and the size of the data after it; with `dataCRC`, the integrity
    /// fields end the metadata (`header_crc32c` as its placeholder).
    private func header(dataCRC: String?) -> (bytes: [UInt8], dataSize: Int) {
        var metadata = self.metadata.filter { !SafeTensors.integrityKeys.contains($0.0) }
        if let dataCRC {
            metadata += [
                ("integrity", SafeTensors.integrityAlgorithm), ("data_crc32c", dataCRC),
                ("header_crc32c", String(decoding: SafeTensors.headerChecksumPlaceholder, as: UTF8.self)),
            ]
        }
        var header: [(String, JSON)] = [("__metadata__", .object(metadata.map { ($0.0, .string($0.1)) }))]
        var offset = 0
        func entry(_ name: String, _ dtype: DType, _ shape: Shape) {
            let size = shape.count * dtype.bytes
            header.append(
                (
                    name,
                    .object([
                        ("dtype", .string(dtype.rawValue)),
                        ("shape", .array(shape.dims.map { .number(Double($0)) })),
                        ("data_offsets", .array([.number(Double(offset)), .number(Double(offset + size))])),
                    ])
                ))
            offset += size
        }
        for (name, tensor) in tensors { entry(name, .f32, tensor.shape) }
        for (name, shape, _) in int8Tensors { entry(name, .i8, shape) }
        var headerBytes = Array(JSON.object(header).serialized.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        return (headerBytes, offset)
    }

    /// Where the 8 hex digits of `header_crc32c` start in `bytes[8..<headerEnd]`, when the key
    /// occurs exactly once and is followed by 8 bytes and a closing quote; nil when it does not
    /// occur. `-1` when it occurs more than once or is malformed (a damaged header).
    static func headerChecksumValueOffset(_ bytes: [UInt8], headerEnd: Int) -> Int? {
        let key = headerChecksumKey
        var found: Int? = nil
        var i = 8
        while i + key.count <= headerEnd {
            if bytes[i] == key[0] && bytes[i..<(i + key.count)].elementsEqual(key) {
                guard found == nil else { return -1 }
                found = i + key.count
                i += key.count
            } else {
                i += 1
            }
        }
        guard let at = found else { return nil }
        guard at + 9 <= headerEnd, bytes[at + 8] == UInt8(ascii: "\"") else { return -1 }
        return at
    }

    /// Checks `header_crc32c` against the length and header bytes `bytes[0..<headerEnd]`, when
    /// the header has one; returns its value (nil for a file without one).
    private static func checkHeaderChecksum(_ bytes: [UInt8], headerEnd: Int, _ fail: (String) -> CharNNError)
        throws(CharNNError) -> String?
    {
        guard let at = headerChecksumValueOffset(bytes, headerEnd: headerEnd) else { return nil }
        guard at >= 0 else { throw fail("the header is damaged ('header_crc32c' is malformed or repeated)") }
        let stored = Array(bytes[at..<(at + 8)])
        var crc = CRC32C.checksum(bytes[0..<at])
        crc = CRC32C.checksum(headerChecksumPlaceholder, continuing: crc)
        crc = CRC32C.checksum(bytes[(at + 8)..<headerEnd], continuing: crc)
        guard stored.elementsEqual(CRC32C.hex(crc).utf8) else {
            throw fail(
                "the header is damaged (CRC-32C mismatch: stored \(String(decoding: stored, as: UTF8.self)), "
                    + "computed \(CRC32C.hex(crc)))")
        }
        return String(decoding: stored, as: UTF8.self)
    }

    /// The integrity fields of `metadata`, when there are any: all three, a known algorithm and
    /// `header_crc32c` the value already checked. Removes them; returns `data_crc32c` (nil for a
    /// file written before 0.4).
    private static func integrityFields(
        _ metadata: inout [(String, String)], headerCRC: String?, _ fail: (String) -> CharNNError
    ) throws(CharNNError) -> String? {
        let fields = integrityKeys.map { key in metadata.first { $0.0 == key }?.1 }
        guard fields.contains(where: { $0 != nil }) || headerCRC != nil else { return nil }  // before 0.4
        guard let algorithm = fields[0], let dataCRC = fields[1], let storedHeaderCRC = fields[2] else {
            let missing = zip(integrityKeys, fields).filter { $0.1 == nil }.map { "'\($0.0)'" }
            throw fail("the header is damaged (integrity fields incomplete: no \(missing.joined(separator: ", ")))")
        }
        guard algorithm == integrityAlgorithm else {
            throw fail("unknown integrity algorithm '\(algorithm)'; this charnn checks '\(integrityAlgorithm)'")
        }
        guard storedHeaderCRC == headerCRC else { throw fail("the header is damaged ('header_crc32c' is malformed)") }
        metadata.removeAll { integrityKeys.contains($0.0) }
        return dataCRC
    }

    /// Parses and validates a whole file: the header, every entry's dtype, shape and range, and
    /// that the ranges cover the data exactly (no gap, no overlap, nothing after). `source`
    /// names the file in error messages.
    static func parse(_ bytes: [UInt8], source: String) throws(CharNNError) -> SafeTensors {
        func fail(_ message: String) -> CharNNError { .checkpoint("'\(source)': \(message)") }
        let (members, dataStart, headerCRC) = try parseHeader(bytes, fail)
        let dataSize = bytes.count - dataStart
        var result = SafeTensors()
        for (name, entry) in members where name == "__metadata__" {
            guard let meta = entry.members else { throw fail("__metadata__ is not an object") }
            for (key, value) in meta {
                guard let s = value.string else { throw fail("metadata '\(key)' is not a string") }
                result.metadata.append((key, s))
            }
        }
        let dataCRC = try integrityFields(&result.metadata, headerCRC: headerCRC, fail)
        var ranges: [(start: Int, end: Int, name: String)] = []
        for (name, entry) in members {
            if name == "__metadata__" { continue }
            let (dtype, shape, start, end) = try parseEntry(name, entry, dataSize: dataSize, fail)
            ranges.append((start, end, name))
            switch dtype {
            case .f32: result.tensors.append((name, readF32(bytes, from: dataStart + start, shape: shape)))
            case .i8:
                let values = bytes[(dataStart + start)..<(dataStart + end)].map { Int8(bitPattern: $0) }
                result.int8Tensors.append((name, shape, values))
            }
        }
        try checkCoverage(ranges, dataSize: dataSize, fail)
        // After the ranges: a file cut short is reported as truncated, not as damaged.
        if let dataCRC {
            let computed = CRC32C.hex(CRC32C.checksum(bytes[dataStart...]))
            guard dataCRC == computed else {
                throw fail(
                    "the weights are damaged (CRC-32C mismatch over the data: stored \(dataCRC), computed \(computed))")
            }
        }
        return result
    }

    /// The 8-byte length and the JSON header after it: its members, where the data starts, and
    /// `header_crc32c` (checked against the bytes before the JSON is parsed), if it has one.
    private static func parseHeader(_ bytes: [UInt8], _ fail: (String) -> CharNNError)
        throws(CharNNError) -> (members: [(String, JSON)], dataStart: Int, headerCRC: String?)
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
        let headerCRC = try checkHeaderChecksum(bytes, headerEnd: 8 + headerSize, fail)
        guard bytes[8] == UInt8(ascii: "{") else { throw fail("the header is not a JSON object") }
        let header: JSON
        do { header = try JSON.parse(bytes[8..<(8 + headerSize)]) } catch { throw fail("header: \(error.message)") }
        guard let members = header.members else { throw fail("the header is not a JSON object") }
        return (members, 8 + headerSize, headerCRC)
    }

    /// The element types charnn reads and writes.
    enum DType: String {
        case f32 = "F32"
        case i8 = "I8"
        var bytes: Int { self == .f32 ? 4 : 1 }
    }

    /// One tensor's entry: an F32 or I8 dtype, a valid shape, and a byte range inside the data
    /// that holds exactly the shape's numbers.
    private static func parseEntry(_ name: String, _ entry: JSON, dataSize: Int, _ fail: (String) -> CharNNError)
        throws(CharNNError) -> (dtype: DType, shape: Shape, start: Int, end: Int)
    {
        guard let dtypeName = entry["dtype"]?.string else { throw fail("tensor '\(name)' has no dtype") }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw fail("tensor '\(name)' has dtype \(dtypeName); charnn reads F32 and I8")
        }
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
        guard end - start == shape.count * dtype.bytes else {
            throw fail(
                "tensor '\(name)' of shape \(shape) needs \(shape.count * dtype.bytes) bytes, its range has \(end - start)"
            )
        }
        return (dtype, shape, start, end)
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
