"""Expose a PyTorch model (nn.Sequential of Linear and activation, float64) to the battery.

Useful when the backward pass is yours: a custom `torch.autograd.Function` with a hand-written
`backward` is checked against finite differences like any numpy code.  The adapter gives the
battery a step and a prediction; the battery derives the gradient from the step and the loss
from the prediction, takes the declared loss as `make`'s `loss=` keyword, and checks batches
(the step takes rows, and the loss sums them).  torch is optional for the package and needed only
by this example (`pip install torch`); it is imported once, when this file loads, not in every
forked check.

Run it:  backprop check examples/torch_adapter.py:make
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
LOSSES = {  # the battery's declared losses, in torch (a batch's loss is the sum of its rows')
    "half_sse": lambda a, y: 0.5 * ((a - y) ** 2).sum(),
    "mse": lambda a, y: ((a - y) ** 2).mean(-1).sum(),
    "bce": lambda a, y: -(y * a.log() + (1 - y) * (1 - a).log()).sum(),
    "softmax_ce": lambda a, y: -(y * a.log_softmax(-1)).sum(),
}


def sequential(layers: Sequence[int], new_activation: Callable[[], Any]) -> Any:
    """Linear layers (with bias, float64) each followed by a fresh activation module."""
    torch.manual_seed(0)
    modules: list[Any] = []
    for n_in, n_out in zip(layers[:-1], layers[1:], strict=True):
        modules += [nn.Linear(n_in, n_out, dtype=torch.float64), new_activation()]
    return nn.Sequential(*modules)


class TorchAdapter:
    def __init__(self, model: Any, loss: str = "half_sse") -> None:
        self.model, self.loss_name = model, loss

    def parameters(self) -> dict[str, np.ndarray]:
        """numpy views sharing memory with the parameters, so in-place writes reach the model."""
        return {name: p.detach().numpy() for name, p in self.model.named_parameters()}

    def predict(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self.model(torch.as_tensor(x, dtype=torch.float64)).numpy().copy()

    def _backward(self, x: np.ndarray, y: np.ndarray) -> list[Any]:
        """The declared loss, backpropagated; the pre-activation of each Linear, with its gradient."""
        a, zs = torch.as_tensor(x, dtype=torch.float64), []
        for module in self.model:
            a = module(a)
            if isinstance(module, nn.Linear):
                a.retain_grad()
                zs.append(a)
        self.model.zero_grad()
        LOSSES[self.loss_name](a, torch.as_tensor(y, dtype=torch.float64)).backward()
        return zs

    def step(self, x: np.ndarray, y: np.ndarray, learning_rate: float) -> None:
        """Plain SGD in place (what torch.optim.SGD does, without its seconds of first-use imports)."""
        self._backward(x, y)
        with torch.no_grad():
            for p in self.model.parameters():
                p -= learning_rate * p.grad

    def deltas(self, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        return [z.grad.numpy().copy() for z in self._backward(x, y)]


def make(layers: Sequence[int], activation: str, loss: str = "half_sse") -> TorchAdapter:
    return TorchAdapter(sequential(layers, ACTIVATIONS[activation]), loss)
