"""Progress bars for Model.fit: tqdm when installed, a plain one-line bar otherwise."""
from __future__ import annotations

import sys
import time
from typing import Literal, Optional, TextIO

#: What ``Model.fit(progress=...)`` takes: True (tqdm when installed, else the plain bar), False
#: (none), ``"plain"``, ``"tqdm"`` or ``"auto"`` (as True).
ProgressOption = Literal[True, False, "plain", "tqdm", "auto"]


class PlainBar:
    """A one-line text bar redrawn in place: ``epoch 1/2 [######....] 9000/18063 loss 1.0870 12.3s``."""

    def __init__(self, total: int, stream: Optional[TextIO] = None, width: int = 30) -> None:
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self.last_draw = 0.0

    def update(self, epoch: int, epochs: int, step: int, steps: int, loss: float, force: bool = False,
               validation_accuracy: Optional[float] = None) -> None:
        """Redraws the line (at most ten times a second unless ``force``). With a validation
        accuracy (at an epoch's end) the line shows it and stays: the next epoch starts a new one."""
        now = time.monotonic()
        if not force and now - self.last_draw < 0.1:  # at most 10 redraws a second
            return
        self.last_draw = now
        filled = int(self.width * step / max(steps, 1))
        bar = "#" * filled + "." * (self.width - filled)
        line = f"\repoch {epoch}/{epochs} [{bar}] {step}/{steps} loss {loss:.4f} {now - self.started:.1f}s"
        validated = validation_accuracy is not None and validation_accuracy == validation_accuracy  # not NaN
        if validated:
            line += f" val acc {100 * validation_accuracy:.2f}%"
            if epoch < epochs:
                line += "\n"
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        """Ends the line."""
        self.stream.write("\n")
        self.stream.flush()


class TqdmBar:
    """The same through tqdm: one bar over all epochs' steps."""

    def __init__(self, total: int) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, unit="step", dynamic_ncols=True)
        self.done = 0
        self.validation: Optional[str] = None

    def update(self, epoch: int, epochs: int, step: int, steps: int, loss: float, force: bool = False,
               validation_accuracy: Optional[float] = None) -> None:
        """Moves the bar to this step of this epoch; the last validation accuracy stays shown."""
        position = (epoch - 1) * steps + step
        self.bar.update(position - self.done)
        self.done = position
        if validation_accuracy is not None and validation_accuracy == validation_accuracy:  # not NaN
            self.validation = f"{100 * validation_accuracy:.2f}%"
        self.bar.set_description(f"epoch {epoch}/{epochs}", refresh=False)
        if self.validation is None:
            self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        else:
            self.bar.set_postfix(loss=f"{loss:.4f}", val_acc=self.validation, refresh=False)

    def close(self) -> None:
        """Closes the tqdm bar."""
        self.bar.close()


def make_bar(total: int, kind: str = "auto"):
    """A bar for ``total`` steps: ``"tqdm"``, ``"plain"``, or ``"auto"`` (tqdm when importable)."""
    if kind in ("auto", "tqdm"):
        try:
            return TqdmBar(total)
        except ImportError:
            if kind == "tqdm":
                raise
    return PlainBar(total)
