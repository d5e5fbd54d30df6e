"""A layer class of its own, with the activation held as `f` and `df` and no `dZ`: backward recomputes
f'(z) from the z it kept, and returns the delta instead of storing it as `delta`.  Correct; the
activation's own checks have nothing to read, every other check runs."""

import numpy as np

from backprop.activations import get_activation


class Dense:
    def __init__(self, rows, cols, activation, rng):
        chosen = get_activation(activation)
        self.f, self.df = chosen.function, chosen.derivative
        self.weight = rng.uniform(-1, 1, (rows, cols))
        self.z = None

    def forward(self, x):
        self.z = np.dot(x, self.weight)
        return self.f(self.z)

    def backward(self, y, right):
        if right is None:
            self.grad = (self.f(self.z) - y) * self.df(self.z)
        else:  # y is the delta of the layer to the right
            self.grad = np.dot(y, right.weight.T) * self.df(self.z)
        return self.grad

    def update(self, learning_rate, a):
        self.weight -= learning_rate * np.dot(np.atleast_2d(a).T, np.atleast_2d(self.grad))


class Network:
    def __init__(self, sizes, activation):
        rng = np.random.default_rng(0)
        rows = [sizes[0] + 1, *sizes[1:-1]]  # the input gets its constant 1
        self.layers = [Dense(r, c, activation, rng) for r, c in zip(rows, sizes[1:])]


def make(layers, activation):
    return Network(layers, activation)


class FlippedDense(Dense):
    """The output error written y − A: a planted bug the checks must still catch without `activation`."""

    def backward(self, y, right):
        if right is None:
            self.grad = (y - self.f(self.z)) * self.df(self.z)
            return self.grad
        return super().backward(y, right)


def make_flipped(layers, activation):
    net = Network(layers, activation)
    net.layers[-1].__class__ = FlippedDense
    return net
