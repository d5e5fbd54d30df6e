"""`backprop demo xor`: the article's "Running The Network" section, reproducibly.

The article trains XOR with tanh, sigmoid and relu and prints a table for each, but gives
neither the architecture, the learning rate, the number of epochs nor a seed.  Here each
activation has settings that were measured to converge (`--convergence N` measures it again),
and every table says which settings produced it.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .network import NeuralNetwork

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
XOR_Y = np.array([0, 1, 1, 0])
CONVERGED_WITHIN = 0.1
"""A run converges when every prediction is within this distance of its target."""


@dataclass(frozen=True)
class XorSettings:
    activation: str
    layers: tuple[int, ...]
    learning_rate: float
    epochs: int
    seed: int
    """The first seed, counting from 0, with which these settings converge."""


XOR_SETTINGS = {
    "tanh": XorSettings("tanh", (2, 2, 1), 0.1, 10000, 0),
    "sigmoid": XorSettings("sigmoid", (2, 4, 1), 1.0, 20000, 0),
    # A relu output unit that is negative on every input never learns again (its derivative is
    # 0), and with the article's relu on every layer some initial weights lead there.
    "relu": XorSettings("relu", (2, 4, 1), 0.01, 20000, 3),
}

LOSS_EVERY = 200
"""Epochs between two points of the recorded loss curve."""


@dataclass
class XorRun:
    settings: XorSettings
    seed: int
    network: NeuralNetwork
    losses: list[tuple[int, float]]

    @property
    def predictions(self) -> NDArray:
        return self.network.predict(XOR_X)

    @property
    def converged(self) -> bool:
        return bool(np.all(np.abs(self.predictions[:, 0] - XOR_Y) < CONVERGED_WITHIN))


def train_xor(settings: XorSettings, seed: int | None = None) -> XorRun:
    """Train one network; the loss over the four samples is recorded every LOSS_EVERY epochs.

    Training in chunks draws the same samples as one call to fit, since the network keeps
    drawing from the same generator.
    """
    seed = settings.seed if seed is None else seed
    network = NeuralNetwork(list(settings.layers), settings.activation, rng=seed)
    losses = [(0, _xor_loss(network))]
    for start in range(0, settings.epochs, LOSS_EVERY):
        chunk = min(LOSS_EVERY, settings.epochs - start)
        network.fit(XOR_X, XOR_Y, learning_rate=settings.learning_rate, epochs=chunk)
        losses.append((start + chunk, _xor_loss(network)))
    return XorRun(settings, seed, network, losses)


def _xor_loss(network: NeuralNetwork) -> float:
    return float(np.real(network.loss(network.predict(XOR_X)[:, 0], XOR_Y)))


def format_run(run: XorRun) -> str:
    """The article's table, headed by the settings that produced it."""
    s = run.settings
    lines = [
        f"Result with {s.activation}  (layers {list(s.layers)}, learning rate {s.learning_rate}, "
        f"{s.epochs} epochs, seed {run.seed})"
    ]
    for x in XOR_X:
        lines.append(f"{x} {run.network.predict(x)}")
    return "\n".join(lines)


def convergence_count(settings: XorSettings, seeds: int) -> int:
    """How many of the seeds 0 .. seeds-1 converge with these settings."""
    return sum(train_xor(settings, seed).converged for seed in range(seeds))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("example", choices=["xor"], help="the example to run (the article's XOR)")
    parser.add_argument(
        "--activation", choices=sorted(XOR_SETTINGS), action="append",
        help="run only this activation (repeatable; default: all three)",
    )
    parser.add_argument("--seed", type=int, help="use this seed for every activation")
    parser.add_argument(
        "--convergence", type=_positive_int, metavar="N",
        help="instead of the tables, count how many of the seeds 0..N-1 converge for each activation",
    )
    parser.add_argument("--plot", metavar="PATH", help="also draw the loss curves and decision surfaces")


def run(args: argparse.Namespace) -> int:
    activations = args.activation or list(XOR_SETTINGS)
    if args.convergence is not None:
        for name in activations:
            settings = XOR_SETTINGS[name]
            count = convergence_count(settings, args.convergence)
            print(f"{name}: {count} of {args.convergence} seeds converge "
                  f"(layers {list(settings.layers)}, learning rate {settings.learning_rate}, "
                  f"{settings.epochs} epochs; every prediction within {CONVERGED_WITHIN} of its target)")
        return 0
    if args.plot and importlib.util.find_spec("matplotlib") is None:
        # Say so before training, not after.
        print("backprop demo: error: --plot needs matplotlib: pip install 'backprop-check[plot]'",
              file=sys.stderr)
        return 2
    runs = [train_xor(XOR_SETTINGS[name], args.seed) for name in activations]
    for xor_run in runs:
        print(format_run(xor_run))
    if args.plot:
        from .plots import write_demo_plot

        try:
            path = write_demo_plot(args.plot, [
                {"activation": r.settings.activation, "network": r.network, "losses": r.losses} for r in runs
            ])
        except (OSError, ValueError) as error:
            print(f"backprop demo: error: cannot write the plot to {args.plot}: {error}", file=sys.stderr)
            return 1
        print(f"plot written to {path}")
    return 0
