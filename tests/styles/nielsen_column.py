"""Correct: Nielsen's network, column vectors, W of shape (n_out, n_in) and bias columns (n_out, 1)."""

import random

import numpy as np

STYLE = "nielsen-column"
PROTOCOL = "model-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
}


class Network:

    def __init__(self, sizes, activation="sigmoid"):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.act, self.act_prime = ACTIVATIONS[activation]
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = self.act(np.dot(w, a) + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta):
        n = len(training_data)
        for _ in range(epochs):
            random.shuffle(training_data)
            for k in range(0, n, mini_batch_size):
                self.update_mini_batch(training_data[k:k + mini_batch_size], eta)

    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        # in place, so that whoever holds the arrays sees the step
        for w, nw in zip(self.weights, nabla_w):
            w -= (eta / len(mini_batch)) * nw
        for b, nb in zip(self.biases, nabla_b):
            b -= (eta / len(mini_batch)) * nb

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = self.act(z)
            activations.append(activation)
        delta = self.cost_derivative(activations[-1], y) * self.output_prime(zs[-1], activations[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = self.weight_gradient(delta, activations[-2])
        for l in range(2, self.num_layers):
            delta = self.hidden_delta(l, delta, zs[-l])
            nabla_b[-l] = delta
            nabla_w[-l] = self.weight_gradient(delta, activations[-l - 1])
        return (nabla_b, nabla_w)

    def output_prime(self, z, a):
        return self.act_prime(z)

    def hidden_delta(self, l, delta, z):
        sp = self.act_prime(z)
        return np.dot(self.weights[-l + 1].transpose(), delta) * sp

    def weight_gradient(self, delta, a):
        return np.dot(delta, a.transpose())

    def cost_derivative(self, output_activations, y):
        return (output_activations - y)


# --- battery adapter ---
class Adapter(Network):
    def parameters(self):
        return [p for w, b in zip(self.weights, self.biases) for p in (w, b)]

    def predict(self, x):
        return self.feedforward(np.reshape(x, (-1, 1))).ravel()

    def gradients(self, x, y):
        nabla_b, nabla_w = self.backprop(np.reshape(x, (-1, 1)), np.reshape(y, (-1, 1)))
        return [g for nw, nb in zip(nabla_w, nabla_b) for g in (nw, nb)]

    def step(self, x, y, learning_rate):
        self.update_mini_batch([(np.reshape(x, (-1, 1)), np.reshape(y, (-1, 1)))], learning_rate)
# --- end adapter ---


def make(layers, activation):
    return Adapter(layers, activation)
