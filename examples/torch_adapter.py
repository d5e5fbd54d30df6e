"""Expose a PyTorch model (nn.Sequential of Linear and activation, float64) to the battery.

Useful when the backward pass is yours: a custom `torch.autograd.Function` with a hand-written
`backward` is checked against finite differences like any numpy code.  torch is optional for
the package and needed only by this example (`pip install torch`).  It is imported when this
file loads, once, rather than inside each call: the battery runs every check in a forked
child, and a child that had to import torch itself would pay seconds per check.

Run it:  backprop check examples/torch_adapter.py:make
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn


def activation_module(name: str) -> Any:
    """The torch module for one of the battery's activation names."""
    modules = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
    if name not in modules:
        raise ValueError(f"no torch module for activation {name!r}; known: {', '.join(modules)}")
    return modules[name]()


def sequential(layers: Sequence[int], new_activation: Callable[[], Any]) -> Any:
    """Linear layers (with bias, float64) each followed by a fresh activation module."""
    torch.manual_seed(0)
    modules: list[Any] = []
    for n_in, n_out in zip(layers[:-1], layers[1:], strict=True):
        modules += [nn.Linear(n_in, n_out, dtype=torch.float64), new_activation()]
    return nn.Sequential(*modules)


class TorchAdapter:
    """The model-level protocol on top of an nn.Sequential whose loss is ½‖output − y‖²."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def parameters(self) -> list[NDArray]:
        """numpy views sharing memory with the parameters, so in-place writes reach the model."""
        return [p.detach().numpy() for p in self.model.parameters()]

    def _pass(self, x: NDArray, y: NDArray) -> tuple[Any, list[Any]]:
        """The loss tensor and the pre-activation of each Linear (with its gradient retained)."""
        a = torch.as_tensor(np.asarray(x, dtype=float))
        zs = []
        for module in self.model:
            a = module(a)
            if isinstance(module, torch.nn.Linear):
                if a.requires_grad:
                    a.retain_grad()
                zs.append(a)
        loss = 0.5 * torch.sum((a - torch.as_tensor(np.asarray(y, dtype=float))) ** 2)
        return loss, zs

    def loss(self, x: NDArray, y: NDArray) -> float:
        with torch.no_grad():
            return float(self._pass(x, y)[0])

    def gradients(self, x: NDArray, y: NDArray) -> list[NDArray]:
        self.model.zero_grad()
        self._pass(x, y)[0].backward()
        return [p.grad.numpy().copy() for p in self.model.parameters()]

    def deltas(self, x: NDArray, y: NDArray) -> list[NDArray]:
        loss, zs = self._pass(x, y)
        self.model.zero_grad()
        loss.backward()
        return [z.grad.numpy().copy() for z in zs]

    def step(self, x: NDArray, y: NDArray, learning_rate: float) -> None:
        """Plain SGD in place (what torch.optim.SGD does, without its seconds of first-use imports)."""
        self.model.zero_grad()
        self._pass(x, y)[0].backward()
        with torch.no_grad():
            for p in self.model.parameters():
                p -= learning_rate * p.grad

    def predict(self, x: NDArray) -> NDArray:
        with torch.no_grad():
            return self.model(torch.as_tensor(np.asarray(x, dtype=float))).numpy().copy()


def make(layers: Sequence[int], activation: str) -> TorchAdapter:
    return TorchAdapter(sequential(layers, lambda: activation_module(activation)))
