"""Progress bars for Model.fit: tqdm on terminals and in notebooks, a plain bar otherwise.

A bar redrawn with carriage returns is right on a terminal and wrong everywhere else: in a pipe
or a log file every redraw stays. Off a terminal the plain bar writes one line per epoch.
"""

from __future__ import annotations

import sys
import time
from typing import Literal, Optional, Protocol, TextIO

#: What ``Model.fit(progress=...)`` takes: True (a bar), False (none), ``"plain"``, ``"tqdm"`` or
#: ``"auto"`` (as True).
ProgressOption = Literal[True, False, "plain", "tqdm", "auto"]


class Bar(Protocol):
    """What Model.fit drives."""

    def update(
        self,
        epoch: int,
        epochs: int,
        step: int,
        steps: int,
        loss: float,
        force: bool = False,
        validation_accuracy: Optional[float] = None,
    ) -> None: ...

    def close(self) -> None: ...


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _in_notebook() -> bool:
    """Whether tqdm.auto would draw a notebook widget (Jupyter's kernel is running)."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from tqdm.autonotebook import tqdm as chosen  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        return False
    return bool(chosen.__module__ == "tqdm.notebook")


class PlainBar:
    """On a terminal, a one-line bar redrawn in place:
    ``epoch 1/2 [######....] 9000/18063 loss 1.0870 12.3s``. Off a terminal (a pipe, a log
    file), the same line once at every epoch's end, with no carriage returns."""

    def __init__(self, total: int, stream: Optional[TextIO] = None, width: int = 30) -> None:
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.width = width
        self.interactive = _is_terminal(self.stream)
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.open_line = False

    def update(
        self,
        epoch: int,
        epochs: int,
        step: int,
        steps: int,
        loss: float,
        force: bool = False,
        validation_accuracy: Optional[float] = None,
    ) -> None:
        """Redraws the line (at most ten times a second unless ``force``). With a validation
        accuracy (at an epoch's end) the line shows it and stays: the next epoch starts a new one.
        Off a terminal only forced updates (epoch ends) write, each as a whole line."""
        now = time.monotonic()
        if not force and (not self.interactive or now - self.last_draw < 0.1):
            return
        self.last_draw = now
        filled = int(self.width * step / max(steps, 1))
        bar = "#" * filled + "." * (self.width - filled)
        line = f"epoch {epoch}/{epochs} [{bar}] {step}/{steps} loss {loss:.4f} {now - self.started:.1f}s"
        if validation_accuracy is not None and validation_accuracy == validation_accuracy:  # not NaN
            line += f" val acc {100 * validation_accuracy:.2f}%"
            if self.interactive and epoch < epochs:
                line += "\n"  # keep the epoch's validation figure on screen
        if self.interactive:
            self.stream.write("\r" + line)
            self.open_line = not line.endswith("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Ends the line (on a terminal)."""
        if self.open_line:
            self.stream.write("\n")
            self.stream.flush()
            self.open_line = False


class TqdmBar:
    """The same through tqdm: one bar over all epochs' steps."""

    def __init__(self, total: int) -> None:
        from tqdm.auto import tqdm  # type: ignore[import-untyped, unused-ignore]

        self.bar = tqdm(total=total, unit="step", dynamic_ncols=True)
        self.done = 0
        self.validation: Optional[str] = None

    def update(
        self,
        epoch: int,
        epochs: int,
        step: int,
        steps: int,
        loss: float,
        force: bool = False,
        validation_accuracy: Optional[float] = None,
    ) -> None:
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


def make_bar(total: int, kind: str = "auto") -> Bar:
    """A bar for ``total`` steps: ``"tqdm"``, ``"plain"``, or ``"auto"``: tqdm (``tqdm.auto``)
    in a notebook or on a terminal when it is installed, else the plain bar, which writes one
    line per epoch when standard error is not a terminal."""
    if kind == "tqdm" or (kind == "auto" and (_in_notebook() or _is_terminal(sys.stderr))):
        try:
            return TqdmBar(total)
        except ImportError:
            if kind == "tqdm":
                raise
    return PlainBar(total)
