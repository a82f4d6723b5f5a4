#!/usr/bin/env python3
"""The article's hand-written RNN ("Building RNNs from scratch with PyTorch", Jake Tae), line for
line, on charnn's low-level API: `charnn.nn` stands where `torch` and `torch.nn` stood. Every
op runs in libcharnn (reverse-mode autodiff); Python only holds handles.

    python3 examples/python/elman_from_scratch.py [DATA_DIR] [--epochs N]

Ends with the line `test accuracy: NN.NN%`.
"""

import argparse
import random
import time
from typing import List, Tuple

import charnn
from charnn import nn


class MyRNN(nn.Module):
    def __init__(self, input_size: int, hidden_size: int, output_size: int) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.in2hidden = nn.Linear(input_size + hidden_size, hidden_size)
        self.in2output = nn.Linear(input_size + hidden_size, output_size)

    def forward(self, x: nn.Tensor, hidden_state: nn.Tensor) -> Tuple[nn.Tensor, nn.Tensor]:
        combined = nn.cat((x, hidden_state), 1)
        hidden = nn.sigmoid(self.in2hidden(combined))
        output = self.in2output(combined)
        return output, hidden

    def init_hidden(self) -> nn.Tensor:
        return nn.kaiming_uniform(1, self.hidden_size)


def name_to_tensors(name: str) -> List[nn.Tensor]:
    """The article's name_to_tensor: one one-hot [1, 59] row per letter."""
    return [nn.letter_to_tensor(index) for index in nn.name_to_indices(name)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default="data/names")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=256)
    args = parser.parse_args()
    nn.manual_seed(0)
    random.seed(0)

    data = charnn.Dataset.from_directory(args.data)
    train, test = data.split(test_size=0.1, seed=0)
    labels = data.labels
    train_dataset = [(name, labels.index(label)) for name, label in train]
    test_dataset = [(name, labels.index(label)) for name, label in test]

    model = MyRNN(len(nn.VOCABULARY), args.hidden, len(labels))
    criterion = nn.CrossEntropyLoss()
    optimizer = nn.Adam(model.parameters(), lr=1e-3)

    print_interval = 3000
    started = time.monotonic()
    for epoch in range(args.epochs):
        random.shuffle(train_dataset)
        for i, (name, label) in enumerate(train_dataset):
            with nn.step():  # the tensors of this name are released together
                hidden_state = model.init_hidden()
                for char in name_to_tensors(name):
                    output, hidden_state = model(char, hidden_state)
                loss = criterion(output, label)

                optimizer.zero_grad()
                loss.backward()
                nn.clip_grad_norm_(model.parameters(), 1)
                optimizer.step()

                if (i + 1) % print_interval == 0:
                    print(
                        f"Epoch [{epoch + 1}/{args.epochs}], Step [{i + 1}/{len(train_dataset)}], "
                        f"Loss: {loss.item():.4f}",
                        flush=True,
                    )
    seconds = time.monotonic() - started

    num_correct = 0
    with nn.no_grad():
        for name, label in test_dataset:
            with nn.step():
                hidden_state = model.init_hidden()
                for char in name_to_tensors(name):
                    output, hidden_state = model(char, hidden_state)
                scores = output.tolist()[0]
                num_correct += scores.index(max(scores)) == label

        for name in ["Mike", "Qin", "Slaveya", "Jake", "Fernando", "Demirkan"]:
            with nn.step():
                hidden_state = model.init_hidden()
                for char in name_to_tensors(name):
                    output, hidden_state = model(char, hidden_state)
                probabilities = output.log_softmax().exp().tolist()[0]
                top = sorted(range(len(labels)), key=lambda c: -probabilities[c])[:3]
                print(f"{name}: " + ", ".join(f"{labels[c]} ({probabilities[c]:.1%})" for c in top))

    print(
        f"trained in {seconds:.1f} s ({seconds / (args.epochs * len(train_dataset)) * 1e6:.0f} µs per name, "
        f"op by op from Python)"
    )
    print(f"test accuracy: {num_correct / len(test_dataset):.2%}")


if __name__ == "__main__":
    main()
