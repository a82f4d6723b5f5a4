"""charnn.nn (the low-level C API through the binding): op results equal PyTorch's fixtures
(the same files the Swift core is tested against, so ABI == core == PyTorch), gradients pass a
finite-difference check, Adam/AdamW/SGD steps match PyTorch, and the errors are clear."""

import gc
import json
import math
import random
from pathlib import Path

import pytest

import charnn
from charnn import nn

FIXTURES = Path(__file__).resolve().parents[3] / "Tests" / "CharNNTests" / "Fixtures"


def fixture(name):
    return json.loads((FIXTURES / f"torch_{name}.json").read_text())


def nested(entry):
    """A fixture tensor as nested lists."""
    values, shape = entry["data"], entry["shape"]

    def build(offset, dims):
        if not dims:
            return values[offset]
        size = math.prod(dims[1:])
        return [build(offset + i * size, dims[1:]) for i in range(dims[0])]

    return build(0, shape)


def flat(x):
    return [v for row in x for v in flat(row)] if isinstance(x, list) else [x]


def close(actual, expected, tolerance=1e-5):
    a, e = flat(actual), flat(expected)
    assert len(a) == len(e)
    worst = max(abs(x - y) for x, y in zip(a, e))
    assert worst <= tolerance, f"largest difference {worst}"


def test_linear_matches_pytorch():
    f = fixture("linear")
    with nn.step():
        x, w, b = (nn.tensor(nested(f[k]), requires_grad=True) for k in ("x", "weight", "bias"))
        y = nn.linear(x, w, b)
        close(y.tolist(), nested(f["y"]))
        y.backward(nested(f["seed"]))
        close(x.grad, nested(f["grad_x"]))
        close(w.grad, nested(f["grad_weight"]))
        close(b.grad, nested(f["grad_bias"]))


def test_log_softmax_and_cross_entropy_match_pytorch():
    f = fixture("cross_entropy")
    with nn.step():
        logits = nn.tensor(nested(f["logits"]), requires_grad=True)
        log_probs = logits.log_softmax()
        close(log_probs.tolist(), nested(f["log_softmax"]))
        log_probs.backward(nested(f["seed"]))
        close(logits.grad, nested(f["grad_log_softmax"]))
    with nn.step():
        logits = nn.tensor(nested(f["logits"]), requires_grad=True)
        loss = nn.cross_entropy(logits, f["targets"])
        assert loss.item() == pytest.approx(f["loss"], abs=1e-5)
        loss.backward()
        close(logits.grad, nested(f["grad_logits"]))


def test_sigmoid_tanh_and_concat_match_pytorch():
    f = fixture("sigmoid_tanh")
    for op in ("sigmoid", "tanh"):
        with nn.step():
            x = nn.tensor(nested(f["x"]), requires_grad=True)
            y = getattr(nn, op)(x)
            close(y.tolist(), nested(f[op]))
            y.backward(nested(f["seed_" + op]))
            close(x.grad, nested(f["grad_" + op]))
    f = fixture("concat")
    with nn.step():
        a, b = nn.tensor(nested(f["a"]), requires_grad=True), nn.tensor(nested(f["b"]), requires_grad=True)
        y = nn.cat((a, b), 1)
        close(y.tolist(), nested(f["y"]))
        y.backward(nested(f["seed"]))
        close(a.grad, nested(f["grad_a"]))
        close(b.grad, nested(f["grad_b"]))


def test_the_articles_unrolled_cell_matches_pytorch():
    f = fixture("elman_unrolled")
    names = ["in2hidden.weight", "in2hidden.bias", "in2output.weight", "in2output.bias"]
    w1, b1, w2, b2 = (nn.Parameter(nested(f[k])) for k in names)
    with nn.step():
        h0 = nn.tensor(nested(f["h0"]), requires_grad=True)
        hidden = h0
        for token in f["tokens"]:
            combined = nn.cat((nn.letter_to_tensor(token), hidden), 1)
            hidden = nn.sigmoid(nn.linear(combined, w1, b1))
            output = nn.linear(combined, w2, b2)
        loss = nn.cross_entropy(output, f["target"])
        close(output.tolist(), nested(f["output"]))
        assert loss.item() == pytest.approx(f["loss"], abs=1e-5)
        loss.backward()
        for name, p in zip(names, (w1, b1, w2, b2)):
            close(p.grad, nested(f["grad_" + name]))
        close(h0.grad, nested(f["grad_h0"]))


def gradient_check(build, inputs, epsilon=1e-2):
    """Finite differences through the C API: analytic (backward with a random seed) against
    (f(x+ε) − f(x−ε)) / 2ε of f = Σ seed·build(x), for every input element."""
    rng = random.Random(7)
    with nn.step():
        variables = [nn.tensor(x, requires_grad=True) for x in inputs]
        y = build(*variables)
        seed = [rng.uniform(-1, 1) for _ in range(y.numel())]
        y.backward(seed)
        analytic = [flat(v.grad) for v in variables]

    def f(values):
        with nn.step():
            out = flat(build(*[nn.tensor(v) for v in values]).tolist())
            return sum(s * o for s, o in zip(seed, out))

    for i, x in enumerate(inputs):
        shape = (len(x), len(x[0]))
        for j in range(shape[0] * shape[1]):
            r, c = divmod(j, shape[1])
            plus = [[list(row) for row in v] for v in inputs]
            minus = [[list(row) for row in v] for v in inputs]
            plus[i][r][c] += epsilon
            minus[i][r][c] -= epsilon
            numeric = (f(plus) - f(minus)) / (2 * epsilon)
            assert abs(analytic[i][j] - numeric) <= 2e-3 + 1e-2 * abs(numeric), (i, j, analytic[i][j], numeric)


def random_matrix(rows, cols, seed, low=-1.0, high=1.0):
    rng = random.Random(seed)
    return [[rng.uniform(low, high) for _ in range(cols)] for _ in range(rows)]


@pytest.mark.parametrize(
    "name,build,shapes",
    [
        ("matmul", lambda a, b: a @ b, [(2, 3), (3, 4)]),
        ("linear", lambda x, w, b: nn.linear(x, w, b), [(2, 4), (3, 4), (1, 3)]),
        ("add", lambda a, b: a + b, [(2, 3), (2, 3)]),
        ("sub broadcast", lambda a, b: a - b, [(3, 2), (1, 2)]),
        ("mul", lambda a, b: a * b, [(2, 3), (2, 3)]),
        ("cat", lambda a, b: nn.cat((a, b)), [(2, 2), (2, 3)]),
        ("narrow", lambda x: nn.narrow(x, 1, 1, 2), [(2, 4)]),
        ("sigmoid", nn.sigmoid, [(2, 3)]),
        ("tanh", nn.tanh, [(2, 3)]),
        ("exp", nn.exp, [(2, 3)]),
        ("sum", lambda x: x.sum(), [(2, 3)]),
        ("mean", lambda x: x.mean(), [(2, 3)]),
        ("log_softmax", nn.log_softmax, [(2, 5)]),
        ("cross_entropy", lambda x: nn.cross_entropy(x, [1, 4]), [(2, 5)]),
        ("embedding", lambda t: nn.embedding([2, 0, 2], t), [(3, 4)]),
    ],
)
def test_gradients_through_the_c_api_match_finite_differences(name, build, shapes):
    inputs = [random_matrix(r, c, seed=hash(name) % 1000 + i) for i, (r, c) in enumerate(shapes)]
    gradient_check(build, inputs)


def test_relu_and_log_gradients():
    gradient_check(nn.relu, [[[0.5, -0.7, 1.2], [-1.5, 0.9, -0.3]]])
    gradient_check(nn.log, [random_matrix(2, 3, seed=3, low=0.5, high=2.0)])


@pytest.mark.parametrize(
    "name,make",
    [
        ("adam", lambda p: nn.Adam([p], lr=1e-2)),
        ("adam_wd", lambda p: nn.Adam([p], lr=1e-2, weight_decay=0.1)),
        ("adamw", lambda p: nn.AdamW([p], lr=1e-2, weight_decay=0.1)),
        ("sgd_momentum", lambda p: nn.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)),
    ],
)
def test_optimizer_steps_match_pytorch(name, make):
    f = fixture("optimizers")
    p = nn.Parameter(nested(f["start"]))
    optimizer = make(p)
    graph = nn.Graph()
    for step, grad in enumerate(f["grads"]):
        p.zero_grad()
        with nn.step(graph):
            # Put exactly `grad` into p.grad: backward of Σ grad ⊙ p.
            (p * nn.tensor(nested(grad))).sum().backward()
        optimizer.step()
        close(p.tolist(), nested(f[name][step]), tolerance=1e-6)


def test_clip_grad_norm_matches_pytorch():
    f = fixture("optimizers")
    before = [nested(g) for g in f["clip_before"]]
    params = [nn.Parameter([[0.0] * len(before[0][0])] * len(before[0])), nn.Parameter([0.0] * len(before[1]))]
    with nn.step():
        for p, g in zip(params, before):
            (p * nn.tensor(g)).sum().backward()
    assert nn.clip_grad_norm_(params, 1.0) == pytest.approx(f["clip_norm"], abs=1e-5)
    for p, expected in zip(params, f["clip_after"]):
        close(p.grad, nested(expected), tolerance=1e-6)


def test_the_articles_loop_learns():
    class MyRNN(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            self.hidden_size = hidden_size
            self.in2hidden = nn.Linear(input_size + hidden_size, hidden_size, seed=1)
            self.in2output = nn.Linear(input_size + hidden_size, output_size, seed=3)

        def forward(self, x, hidden_state):
            combined = nn.cat((x, hidden_state), 1)
            return self.in2output(combined), nn.sigmoid(self.in2hidden(combined))

        def init_hidden(self):
            return nn.kaiming_uniform(1, self.hidden_size)

    nn.manual_seed(0)
    model = MyRNN(59, 16, 3)
    assert len(model.parameters()) == 4
    optimizer, criterion = nn.Adam(model.parameters(), lr=1e-2), nn.CrossEntropyLoss()
    words = ["abcab", "pqrsp", "KLMNO"]
    losses = []
    for step in range(300):
        with nn.step():
            hidden = model.init_hidden()
            for letter in nn.name_to_indices(words[step % 3]):
                output, hidden = model(nn.letter_to_tensor(letter), hidden)
            loss = criterion(output, step % 3)
            optimizer.zero_grad()
            loss.backward()
            nn.clip_grad_norm_(model.parameters(), 1)
            optimizer.step()
            losses.append(loss.item())
    assert sum(losses[-30:]) < 0.2 * sum(losses[:30])


def test_errors():
    with nn.step():
        x = nn.tensor([[1.0, 2.0]])
    with pytest.raises(charnn.InvalidArgumentError, match="before the graph was reset"):
        nn.sigmoid(x)
    with nn.step():
        a, b = nn.tensor([[1.0, 2.0]]), nn.tensor([[1.0, 2.0, 3.0]])
        with pytest.raises(charnn.ShapeMismatchError, match=r"add: shapes \[1, 2\] and \[1, 3\]"):
            a + b
        with pytest.raises(TypeError, match="must be a charnn.nn.Tensor"):
            a + 1
        with pytest.raises(charnn.InvalidArgumentError, match="target 0 is 5"):
            nn.cross_entropy(a, 5)
        with pytest.raises(ValueError, match="columns only"):
            nn.cat((a, a), 0)
        with pytest.raises(ValueError, match="rectangular"):
            nn.tensor([[1.0], [1.0, 2.0]])
        assert a.grad is None
        with pytest.raises(charnn.InvalidArgumentError, match="does not depend"):
            a.sum().backward()
    first, second = nn.Graph(), nn.Graph()
    with nn.step(first):
        foreign = nn.tensor([[1.0]])
        with nn.step(second):
            with pytest.raises(charnn.InvalidArgumentError, match="weight was made on another graph"):
                nn.linear(foreign, nn.tensor([[1.0]]))
    p = nn.Parameter([1.0, 2.0])
    with pytest.raises(charnn.InvalidArgumentError, match="appears twice"):
        nn.Adam([p, p])
    with pytest.raises(TypeError, match="expected charnn.nn.Parameter"):
        nn.Adam([nn.tensor([1.0])])
    with pytest.raises(charnn.ShapeMismatchError, match="2 elements, count is 3"):
        p.copy_([1.0, 2.0, 3.0])
    with pytest.raises(charnn.InvalidArgumentError, match="no character"):
        nn.name_to_indices("123")


def test_no_grad_records_nothing():
    w = nn.Parameter([[1.0, 2.0]])
    with nn.no_grad(), nn.step():
        y = nn.linear(nn.tensor([[3.0, 4.0]]), w)
        assert y.tolist() == [[11.0]]
        with pytest.raises(charnn.InvalidArgumentError, match="does not depend"):
            y.backward()
    assert nn.default_graph().recording


def test_nn_objects_are_handles():
    """Graphs, parameters and optimizers close like every charnn handle (close, with, GC); a
    graph's tensors are its own: closing one frees nothing, resetting the graph releases them."""
    from charnn._core import Handle

    assert all(issubclass(cls, Handle) for cls in (nn.Graph, nn.Tensor, nn.Parameter, nn.Optimizer))
    with nn.Parameter([[1.0, 2.0]]) as p:
        with nn.SGD([p], lr=0.5) as sgd:
            with nn.Graph() as g, nn.step(g):
                t = p * p
                t.sum().backward()
                sgd.step()
                t.close()  # graph-owned: nothing freed, only this object is done
                assert t.closed
                with pytest.raises(charnn.ClosedError):
                    t.tolist()
            assert g.closed
            with pytest.raises(charnn.ClosedError):
                g.reset()
        assert sgd.closed
        with pytest.raises(charnn.ClosedError):
            sgd.step()
        assert p.tolist() == [[0.0, 0.0]]  # w - 0.5 · 2w
    assert p.closed
    p.close()  # idempotent
    with pytest.raises(charnn.ClosedError):
        p.tolist()
    # A tensor whose Python object is collected leaves the graph's copy alone.
    q = nn.Parameter([3.0])
    with nn.step():
        y = q * q
        handle = y._handle
        del y
        gc.collect()
        assert nn.Tensor(handle, None).item() == 9.0
