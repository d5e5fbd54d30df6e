"""Layers in the style of the popular Medium tutorial network: `forward_propagation(input)` returns
the output, `backward_propagation(output_error, learning_rate)` updates the parameters in place and
returns the input error.  Inputs are rows of shape (1, n), one sample at a time."""

import numpy as np


class FCLayer:
    def __init__(self, input_size, output_size):
        self.weights = np.random.rand(input_size, output_size) - 0.5
        self.bias = np.random.rand(1, output_size) - 0.5

    def forward_propagation(self, input_data):
        self.input = input_data
        self.output = np.dot(self.input, self.weights) + self.bias
        return self.output

    def backward_propagation(self, output_error, learning_rate):
        input_error = np.dot(output_error, self.weights.T)
        weights_error = np.dot(self.input.T, output_error)
        self.weights -= learning_rate * weights_error
        self.bias -= learning_rate * output_error
        return input_error


class FCLayerFloat32(FCLayer):
    def __init__(self, input_size, output_size):
        self.weights = (np.random.rand(input_size, output_size) - 0.5).astype(np.float32)
        self.bias = (np.random.rand(1, output_size) - 0.5).astype(np.float32)


class FCLayerBatched(FCLayer):
    """Correct for a batch of rows too: the bias moves by the column sums."""

    def backward_propagation(self, output_error, learning_rate):
        input_error = output_error @ self.weights.T
        self.weights = self.weights - learning_rate * (self.input.T @ output_error)
        self.bias = self.bias - learning_rate * output_error.sum(axis=0, keepdims=True)
        return input_error


class FCLayerStaleWeights(FCLayer):
    """Updates the weights first, then backpropagates through the updated ones: off by lr·ΔW."""

    def backward_propagation(self, output_error, learning_rate):
        weights_error = np.dot(self.input.T, output_error)
        self.weights -= learning_rate * weights_error
        self.bias -= learning_rate * output_error
        return np.dot(output_error, self.weights.T)


class FCLayerLearningRateIgnored(FCLayer):
    def backward_propagation(self, output_error, learning_rate):
        input_error = np.dot(output_error, self.weights.T)
        self.weights -= learning_rate * np.dot(self.input.T, output_error)
        self.bias -= output_error
        return input_error


class ActivationLayer:
    def __init__(self, activation, activation_prime):
        self.activation = activation
        self.activation_prime = activation_prime

    def forward_propagation(self, input_data):
        self.input = input_data
        self.output = self.activation(self.input)
        return self.output

    def backward_propagation(self, output_error, learning_rate):
        return self.activation_prime(self.input) * output_error


def tanh(x):
    return np.tanh(x)


def tanh_prime(x):
    return 1 - np.tanh(x) ** 2


def tanh_prime_of_output(x):
    return 1 - x**2


def tanh_layer():
    return ActivationLayer(tanh, tanh_prime)


def tanh_layer_wrong_derivative():
    return ActivationLayer(tanh, tanh_prime_of_output)
