/// How raw text becomes what an alphabet reads: a Unicode normal form, case folding and
/// transliteration to ASCII, applied in that order. Stored with the model, so text is always
/// read the way the model was trained.
public struct TextNormalization: Sendable, Equatable, Hashable {
    /// The Unicode normal form applied first.
    public enum Form: String, Sendable, CaseIterable {
        /// The text as given.
        case none
        /// Canonical composition: composed and decomposed input read the same.
        case nfc
        /// Compatibility composition: ligatures, full-width forms and superscripts to plain letters.
        case nfkc
    }

    /// The normal form, applied first.
    public var form: Form
    /// Unicode full case folding (Python's `str.casefold`).
    public var caseFold: Bool
    /// To ASCII, as Python's `unidecode` spells it.
    public var transliterate: Bool

    /// A normalisation; by default none at all.
    /// - Parameters:
    ///   - form: The Unicode normal form, applied first.
    ///   - caseFold: Whether to apply Unicode full case folding next.
    ///   - transliterate: Whether to transliterate to ASCII last.
    public init(form: Form = .none, caseFold: Bool = false, transliterate: Bool = false) {
        self.form = form
        self.caseFold = caseFold
        self.transliterate = transliterate
    }

    /// The article's path (0.1.0): transliteration only.
    public static let article = TextNormalization(form: .none, caseFold: false, transliterate: true)

    /// `text` normalised and folded (transliteration is left to the encoder: it works per scalar).
    func prepared(_ text: String) -> String {
        var text = text
        switch form {
        case .none: break
        case .nfc: text = UnicodeNormalization.nfc(text)
        case .nfkc: text = UnicodeNormalization.nfkc(text)
        }
        if caseFold {
            text = UnicodeNormalization.caseFold(text)
            // Folding can leave a text outside its normal form (ǰ folds to j + combining caron).
            switch form {
            case .none: break
            case .nfc: text = UnicodeNormalization.nfc(text)
            case .nfkc: text = UnicodeNormalization.nfkc(text)
            }
        }
        return text
    }
}

/// What a data set or model is asked to read with: which alphabet (built how) and the text
/// normalisation. `Alphabet` is what it becomes once built.
public struct TextConfig: Sendable, Equatable {
    /// Which alphabet, and for a learned one how it is learned.
    public enum AlphabetChoice: Sendable, Equatable {
        /// The article's 59 ASCII symbols, no `<unk>`.
        case article
        /// Every scalar seen at least `minCount` times in the training data, the most frequent
        /// first (ties by code point), at most `maxSymbols` of them (nil: no cap), then `<unk>`.
        case learned(minCount: Int = 1, maxSymbols: Int? = nil)
        /// The scalars of a string, in its order, then `<unk>`.
        case explicit(String)
    }

    /// The alphabet, or how to learn it.
    public var alphabet: AlphabetChoice
    /// How raw text is normalised before the alphabet reads it.
    public var normalization: TextNormalization

    /// A configuration; the defaults are the article's (its 59 ASCII symbols, transliteration).
    /// `form` and `transliterate` default by alphabet: the article's path is transliteration
    /// without normalisation (0.1.0); other alphabets read Unicode in NFC.
    /// - Parameters:
    ///   - alphabet: Which alphabet.
    ///   - form: The Unicode normal form (nil: NFC, or none for the article's alphabet).
    ///   - caseFold: Whether to apply Unicode full case folding.
    ///   - transliterate: Whether to transliterate to ASCII (nil: only for the article's alphabet).
    public init(
        alphabet: AlphabetChoice = .article, form: TextNormalization.Form? = nil, caseFold: Bool = false,
        transliterate: Bool? = nil
    ) {
        self.alphabet = alphabet
        let isArticle = alphabet == .article
        normalization = TextNormalization(
            form: form ?? (isArticle ? .none : .nfc), caseFold: caseFold,
            transliterate: transliterate ?? isArticle)
    }

    /// The article's path: its 59 ASCII symbols after transliteration.
    public static let article = TextConfig()

    /// Whether the alphabet is learned from the training data.
    public var isLearned: Bool { if case .learned = alphabet { return true } else { return false } }

    /// Checks the choice before any data is read.
    /// - Throws: `.invalidArgument` for an explicit alphabet that is empty, repeats a character or
    ///   holds a NUL, or a learned one with `minCount` < 1 or `maxSymbols` outside 1..<`Alphabet.maxSize`.
    public func validate() throws(CharNNError) {
        if case .explicit(let symbols) = alphabet {
            // Checked before any data is read: a bad alphabet is the caller's argument.
            do { _ = try Alphabet(explicit: symbols, normalization: normalization) } catch {
                throw .invalidArgument("symbols: \(error.message)")
            }
        }
        if case .learned(let minCount, let maxSymbols) = alphabet {
            guard minCount >= 1 else { throw .invalidArgument("min_count is \(minCount); it must be at least 1") }
            if let maxSymbols, maxSymbols < 1 || maxSymbols >= Alphabet.maxSize {
                throw .invalidArgument(
                    "max_symbols is \(maxSymbols); it must be in 1...\(Alphabet.maxSize - 1) (or 0 for no cap)")
            }
        }
    }

    /// The alphabet this configuration describes.
    /// - Parameter texts: The texts a learned alphabet is learned from (ignored by the others).
    /// - Throws: What `validate()` throws.
    /// - Complexity: O(total size of `texts`) for a learned alphabet; O(1) otherwise.
    public func makeAlphabet<Texts: Sequence>(learningFrom texts: Texts) throws(CharNNError) -> Alphabet
    where Texts.Element == String {
        try validate()
        switch alphabet {
        case .article: return Alphabet.article(normalization: normalization)
        case .explicit(let symbols): return try Alphabet(explicit: symbols, normalization: normalization)
        case .learned(let minCount, let maxSymbols):
            return Alphabet(
                learningFrom: texts, minCount: minCount, maxSymbols: maxSymbols, normalization: normalization)
        }
    }
}
