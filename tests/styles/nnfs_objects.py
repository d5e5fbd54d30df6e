"""Correct: nnfs-style layer objects (Layer_Dense and activation objects), a list the battery walks."""

import numpy as np

STYLE = "nnfs-objects"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


class Layer_Dense:
    def __init__(self, n_inputs, n_neurons):
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.dot(inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = np.dot(dvalues, self.weights.T)


class Activation_ReLU:
    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        self.dinputs[self.inputs <= 0] = 0


class Activation_Sigmoid:
    def forward(self, inputs):
        self.inputs = inputs
        self.output = 1 / (1 + np.exp(-inputs))

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output) * self.output


class Activation_Tanh:
    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.tanh(inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output ** 2)


ACTIVATIONS = {"relu": Activation_ReLU, "sigmoid": Activation_Sigmoid, "tanh": Activation_Tanh}


def make(layers, activation, dense=Layer_Dense, activations=ACTIVATIONS):
    """[Layer_Dense, activation, Layer_Dense, activation, ...]: one pair for each layer of weights."""
    network = []
    for n_inputs, n_neurons in zip(layers[:-1], layers[1:]):
        network += [dense(n_inputs, n_neurons), activations[activation]()]
    return network
