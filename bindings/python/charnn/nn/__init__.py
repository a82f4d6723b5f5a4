"""charnn.nn: the low-level API, shaped like torch so the article's code reads the same.

Tensors are made on a graph (one per thread by default) and released together when a training
step ends; parameters live on until they are garbage-collected::

    from charnn import nn

    class MyRNN(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.hidden_size = hidden_size
            self.in2hidden = nn.Linear(input_size + hidden_size, hidden_size)
            self.in2output = nn.Linear(input_size + hidden_size, output_size)

        def forward(self, x, hidden_state):
            combined = nn.cat((x, hidden_state), 1)
            hidden = nn.sigmoid(self.in2hidden(combined))
            output = self.in2output(combined)
            return output, hidden

        def init_hidden(self):
            return nn.kaiming_uniform(1, self.hidden_size)

    model = MyRNN(59, 256, 18)
    optimizer = nn.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for name, label in data:
        with nn.step():                       # tensors of this step are released at its end
            hidden = model.init_hidden()
            for letter in nn.name_to_indices(name):
                output, hidden = model(nn.letter_to_tensor(letter), hidden)
            loss = criterion(output, label)
            optimizer.zero_grad()
            loss.backward()
            nn.clip_grad_norm_(model.parameters(), 1)
            optimizer.step()

Every op runs in libcharnn (reverse-mode autodiff on its tape); Python only holds handles.
"""

from ..errors import DivergedError
from ._graph import Graph, default_graph, manual_seed, no_grad, step
from ._modules import SGD, Adam, AdamW, CrossEntropyLoss, Linear, Module, Optimizer, clip_grad_norm_
from ._ops import (
    cat,
    cross_entropy,
    embedding,
    exp,
    kaiming_uniform,
    letter_to_tensor,
    linear,
    log,
    log_softmax,
    matmul,
    name_to_indices,
    narrow,
    one_hot,
    relu,
    sigmoid,
    tanh,
    tensor,
    uniform,
    zeros,
)
from ._tensor import VOCABULARY, Parameter, Tensor

# The public classes show as charnn.nn.X (in reprs, help() and error messages), not as the file they live in.
for _class in (Graph, Tensor, Parameter, Module, Linear, CrossEntropyLoss, Optimizer, Adam, AdamW, SGD):
    _class.__module__ = __name__
del _class

__all__ = [
    "Graph",
    "default_graph",
    "step",
    "no_grad",
    "manual_seed",
    "Tensor",
    "Parameter",
    "tensor",
    "zeros",
    "uniform",
    "kaiming_uniform",
    "one_hot",
    "name_to_indices",
    "letter_to_tensor",
    "matmul",
    "linear",
    "cat",
    "narrow",
    "sigmoid",
    "tanh",
    "relu",
    "exp",
    "log",
    "log_softmax",
    "cross_entropy",
    "embedding",
    "Module",
    "Linear",
    "CrossEntropyLoss",
    "clip_grad_norm_",
    "Optimizer",
    "Adam",
    "AdamW",
    "SGD",
    "VOCABULARY",
    "DivergedError",
]
