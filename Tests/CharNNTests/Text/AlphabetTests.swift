import Testing
@testable import CharNN

@Suite struct VocabularyTests {
    @Test func standardVocabularyIndices() {
        let v = Vocabulary.standard
        #expect(v.count == 59)
        #expect(v.index(of: UInt8(ascii: "a")) == 0)
        #expect(v.index(of: UInt8(ascii: "z")) == 25)
        #expect(v.index(of: UInt8(ascii: "A")) == 26)
        #expect(v.index(of: UInt8(ascii: "Z")) == 51)
        #expect(v.index(of: UInt8(ascii: " ")) == 52)
        #expect(v.index(of: UInt8(ascii: "'")) == 58)
        #expect(v.index(of: UInt8(ascii: "1")) == nil)
        #expect(v.index(of: 0xC3) == nil)
        #expect(v.string == "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;-'")
    }

    @Test func encodeTransliteratesThenIndexes() throws {
        let v = Vocabulary.standard
        #expect(try v.encode("Żak").get() == [51, 0, 10])
        #expect(v.encode("Rafaj1") == .failure(.outOfVocabulary(UInt8(ascii: "1"))))
        #expect(v.encode("Пётр") == .failure(.noTransliteration))
    }

    @Test func rejectsBadVocabularies() {
        #expect(throws: CharNNError.self) { try Vocabulary("") }
        #expect(throws: CharNNError.self) { try Vocabulary("abca") }
        #expect(throws: CharNNError.self) { try Vocabulary("ab\u{7}") }
        #expect(throws: CharNNError.self) { try Vocabulary("abé") }
    }
}
