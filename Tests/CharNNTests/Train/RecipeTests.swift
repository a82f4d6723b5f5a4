import Testing
@testable import CharNN

/// The recipes (`Recipe.fast`, `.best`): their models, their training, and how the best
/// recipe's epochs follow the training set's size.
@Suite struct RecipeTests {
    @Test(arguments: Recipe.allCases)
    func theModelIsTheDocumentedOneAndValid(recipe: Recipe) throws {
        let config = recipe.modelConfig
        try config.validate()
        #expect(config.ngrams == NgramOptions(buckets: 1 << 17, dimension: 64, minimum: 1, maximum: 5))
        #expect(config.hiddenInit == .zeros && config.seed == 0 && config.dropout == 0)
        #expect(!config.isClassicShape, "a recipe model is written as checkpoint format 3")
        // A model can be built from it (the parameter names a checkpoint will hold).
        let model = try Model(config: config, labels: ["a", "b", "c"])
        #expect(
            model.parameters.map(\.name) == config.parameterShapes(inputSize: model.alphabet.count, classes: 3).map(\.0)
        )
        #expect(model.parameter(named: "ngrams.weight")?.shape == Shape(1 << 17, 64))
        switch recipe {
        case .fast:
            // The bag alone: no recurrent layers.
            #expect(config.kind == .gru && config.hiddenSize == 0 && config.embeddingSize == 0 && !config.bidirectional)
            #expect(model.parameters.map(\.name) == ["ngrams.weight", "fc.weight", "fc.bias"])
            #expect(model.parameter(named: "fc.weight")?.shape == Shape(3, 64))
        case .best:
            #expect(config.kind == .gru && config.hiddenSize == 64 && config.layers == 1)
            #expect(config.embeddingSize == 32 && config.bidirectional && config.pooling == .max)
            #expect(model.parameters.contains { $0.name == "gru.weight_ih_l0_reverse" })
            #expect(model.parameter(named: "embedding.weight")?.shape == Shape(model.alphabet.count, 32))
            #expect(model.parameter(named: "fc.weight")?.shape == Shape(3, 2 * 64 + 64))
        }
    }

    @Test(arguments: Recipe.allCases)
    func theTrainingIsTheDocumentedOneAndValid(recipe: Recipe) throws {
        for rows in [0, 1, 16_000, 100_000, 1_000_000] {
            let c = recipe.trainingConfig(rows: rows)
            try c.validate(classes: 3, validationSet: false)
            #expect(c.batchSize == 64 && c.optimizer == .adamw && c.weightDecay == 1e-3)
            #expect(c.learningRate == (recipe == .fast ? 1e-2 : 3e-3))
            #expect(c.schedule == .cosine && c.warmupFraction == 0.05 && c.labelSmoothing == 0.1)
            // What a recipe does not decide keeps TrainingConfig's defaults.
            let plain = TrainingConfig()
            #expect(c.seed == plain.seed && c.shuffle == plain.shuffle && c.reportEvery == plain.reportEvery)
            #expect(c.clipNorm == plain.clipNorm && c.beta1 == plain.beta1 && c.beta2 == plain.beta2)
            switch recipe {
            case .fast:
                #expect(c.epochs == 5 && c.validationFraction == 0 && c.patience == 0)
            case .best:
                #expect(c.validationFraction == 0.1 && c.patience == 3 && c.restoreBest)
            }
        }
    }

    /// best: min(10, max(3, 500,000 / rows)) epochs; fast: always 5.
    @Test func theBestRecipesEpochsScaleWithTheRows() {
        let expected: [(rows: Int, epochs: Int)] = [
            (0, 10), (1, 10), (16_000, 10), (50_000, 10), (60_000, 8),
            (100_000, 5), (166_667, 3), (200_000, 3), (1_000_000, 3),
            (Int.max, 3),
        ]
        for (rows, epochs) in expected {
            #expect(Recipe.best.trainingConfig(rows: rows).epochs == epochs, "best, \(rows) rows")
            #expect(Recipe.fast.trainingConfig(rows: rows).epochs == 5, "fast, \(rows) rows")
        }
    }

    @Test func namesAreTheFlagsValues() {
        #expect(Recipe.allCases.map(\.rawValue) == ["fast", "best"])
        #expect(Recipe(rawValue: "best") == .best && Recipe(rawValue: "nope") == nil)
    }

    /// A recipe trains (briefly, on a shrunken n-gram table) and learns three easy labels.
    @Test func aRecipeModelTrains() throws {
        var config = Recipe.fast.modelConfig
        config.ngrams?.buckets = 1 << 10
        config.seed = 3
        let data = ValidationTrainingTests.data
        let model = try Model(config: config, labels: data.labelNames)
        var training = Recipe.fast.trainingConfig(rows: data.count)
        training.batchSize = 16
        training.learningRate = 1e-2
        training.seed = 4
        let report = try model.train(on: data, config: training)
        #expect(report.epochsCompleted == 5)
        #expect(try model.evaluate(data).accuracy > 0.8)
    }
}
