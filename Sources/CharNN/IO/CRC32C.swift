/// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF),
/// the checksum of iSCSI, ext4 and Btrfs. A checkpoint stores it over its header and its data
/// (`SafeTensors.serialized()`), so any single damaged byte is detected: a CRC catches every
/// error burst of up to 32 bits.
enum CRC32C {
    /// The byte-at-a-time table, 256 entries.
    static let table: [UInt32] = (0..<256).map { (n: Int) -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    /// The checksum of `bytes`, continuing from `crc` (the checksum of what came before them;
    /// 0 to start).
    static func checksum<C: Collection>(_ bytes: C, continuing crc: UInt32 = 0) -> UInt32 where C.Element == UInt8 {
        var c = ~crc
        table.withUnsafeBufferPointer { t in
            for byte in bytes { c = t[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        }
        return ~c
    }

    /// `checksum` as the 8 lowercase hex digits the checkpoint stores.
    static func hex(_ value: UInt32) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: (0..<8).map { digits[Int((value >> (28 - 4 * UInt32($0))) & 0xF)] }, as: UTF8.self)
    }
}
