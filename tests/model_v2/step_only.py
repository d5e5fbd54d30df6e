"""Step-only networks: no gradients(), the update happens inside the backward pass (as most tutorials
write it).  `Trainer` is right; `EagerTrainer` updates each layer before backpropagating through it, so
the layer to its left sees the new weights (stale-weights)."""

import numpy as np

from backprop.activations import get_activation


class Trainer:
    """Weights (n_in, n_out) and biases in separate lists; train_step does forward, backward and SGD."""

    eager = False

    def __init__(self, layers, activation):
        rng = np.random.default_rng(1)
        self.act = get_activation(activation)
        self.weights = [rng.normal(0, 0.5, (m, n)) for m, n in zip(layers[:-1], layers[1:])]
        self.biases = [np.zeros(n) for n in layers[1:]]

    def parameters(self):
        params = []
        for w, b in zip(self.weights, self.biases):
            params += [w, b]
        return params

    def predict(self, x):
        a = x
        for w, b in zip(self.weights, self.biases):
            a = self.act.function(a @ w + b)
        return a

    def step(self, x, y, learning_rate):
        activations, zs = [x], []
        for w, b in zip(self.weights, self.biases):
            zs.append(activations[-1] @ w + b)
            activations.append(self.act.function(zs[-1]))
        delta = (activations[-1] - y) * self.act.derivative(zs[-1])
        updates = []
        for layer in range(len(self.weights) - 1, -1, -1):
            grad_w, grad_b = np.outer(activations[layer], delta), delta
            if self.eager:  # the mistake: update now, then backpropagate through the new weights
                self.weights[layer] -= learning_rate * grad_w
                self.biases[layer] -= learning_rate * grad_b
            else:
                updates.append((layer, grad_w, grad_b))
            if layer > 0:
                delta = (delta @ self.weights[layer].T) * self.act.derivative(zs[layer - 1])
        for layer, grad_w, grad_b in updates:
            self.weights[layer] -= learning_rate * grad_w
            self.biases[layer] -= learning_rate * grad_b


class EagerTrainer(Trainer):
    eager = True


class FixedStepTrainer(Trainer):
    """The mistake: the step is normalised to a fixed length, whatever the learning rate asks."""

    def step(self, x, y, learning_rate):
        before = [p.copy() for p in self.parameters()]
        super().step(x, y, 0.01)
        for p, b in zip(self.parameters(), before):
            p[...] = b + (p - b) / 0.01 * 0.05


def make(layers, activation):
    return Trainer(layers, activation)


def make_eager(layers, activation):
    return EagerTrainer(layers, activation)


def make_fixed_step(layers, activation):
    return FixedStepTrainer(layers, activation)


class VelocityTrainer(Trainer):
    """Momentum state kept beside the weights: parameters() lists it, and it exists only after the first
    step, so the arrays the battery reads change in number from one call to the next."""

    def __init__(self, layers, activation):
        super().__init__(layers, activation)
        self.velocities = []

    def parameters(self):
        return super().parameters() + self.velocities

    def step(self, x, y, learning_rate):
        if not self.velocities:
            self.velocities = [np.zeros_like(w) for w in self.weights]
        super().step(x, y, learning_rate)


def make_velocity(layers, activation):
    return VelocityTrainer(layers, activation)
