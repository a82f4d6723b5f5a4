/// The dimensions of a tensor: rank 0 (a scalar) to 4, every dimension at least 1, stored
/// inline (no heap allocation).
package struct Shape: Hashable, Sendable, CustomStringConvertible {
    package static let maxRank = 4
    /// The largest element count a tensor may have (2^31 - 1): sizes stay exact in Int32 and
    /// Float indices, and a caller's huge dimension is refused before anything is allocated.
    package static let maxCount = Int(Int32.max)

    package let rank: Int
    private let d0, d1, d2, d3: Int

    /// A shape from dimensions the caller knows are valid (a literal shape in code).
    /// Traps on a rank above 4 or a dimension below 1, like an out-of-range array index.
    package init(_ dims: Int...) {
        do { self = try Shape(validating: dims) } catch { preconditionFailure(error.message) }
    }

    /// A shape from untrusted dimensions (the C ABI, a checkpoint): clear errors, never a trap.
    package init(validating dims: [Int]) throws(CharNNError) {
        guard dims.count <= Shape.maxRank else {
            throw .invalidArgument("rank \(dims.count) is above the maximum of \(Shape.maxRank)")
        }
        var count = 1
        for (i, d) in dims.enumerated() {
            guard d >= 1 else { throw .invalidArgument("dimension \(i) is \(d); dimensions must be at least 1") }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= Shape.maxCount else {
                throw .invalidArgument("shape \(dims) has more than \(Shape.maxCount) elements")
            }
            count = product
        }
        rank = dims.count
        d0 = dims.count > 0 ? dims[0] : 1
        d1 = dims.count > 1 ? dims[1] : 1
        d2 = dims.count > 2 ? dims[2] : 1
        d3 = dims.count > 3 ? dims[3] : 1
    }

    package static let scalar = Shape()

    package var dims: [Int] { Array([d0, d1, d2, d3].prefix(rank)) }

    package subscript(axis: Int) -> Int {
        precondition(axis >= 0 && axis < rank, "axis \(axis) out of range for rank \(rank)")
        return [d0, d1, d2, d3][axis]
    }

    /// Number of elements (1 for a scalar).
    package var count: Int { d0 * d1 * d2 * d3 }

    /// The last dimension (1 for a scalar).
    package var last: Int { rank == 0 ? 1 : [d0, d1, d2, d3][rank - 1] }

    /// Seen as a matrix: the leading dimensions flattened into rows, the last one as columns
    /// (a vector of n is 1 × n, a scalar 1 × 1).
    package var rows: Int { count / last }
    package var cols: Int { last }

    /// The same leading dimensions with a new last dimension.
    func replacingLast(with n: Int) -> Shape {
        rank == 0 ? Shape(n) : (try! Shape(validating: dims.dropLast() + [n]))
    }

    package var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
}
