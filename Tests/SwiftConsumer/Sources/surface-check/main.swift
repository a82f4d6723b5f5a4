// Built by tools/test-swift-consumer.sh, which expects every line below to fail to compile:
// these are `package` declarations of charnn, for its own targets (the C layer), not for apps.
import CharNN

let graph = Graph()
let tensor = Tensor([2], [1, 2])
var rng = Xoshiro256(seed: 1)
spinPause()
