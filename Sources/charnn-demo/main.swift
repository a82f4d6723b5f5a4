import CharNN

// For now the demo shows the data pipeline: load, transliterate, encode, split.
let directory = CommandLine.arguments.dropFirst().first ?? "data/names"
do {
    let data = try NameDataset.load(directory: directory)
    print("\(data.count) names in \(data.labelCount) languages from \(directory)")
    print("skipped \(data.skipped.count):", data.skipped.map(\.description).joined(separator: "; "))
    let (train, test) = try data.stratifiedSplit(testFraction: 0.1, seed: 0)
    print("stratified split: \(train.count) train, \(test.count) test")
} catch {
    print("error: \(error)")
}
