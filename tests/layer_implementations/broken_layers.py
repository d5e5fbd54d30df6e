"""Layers that cannot be checked as named, or that misbehave: each must cost one sentence."""

import os
import time

import numpy as np


class Layer_Dense_one_argument:
    def __init__(self, n_neurons):
        self.weights = np.zeros((1, n_neurons))
        self.biases = np.zeros((1, n_neurons))


class Layer_Dense_no_methods:
    def __init__(self, n_inputs, n_neurons):
        self.weights = np.zeros((n_inputs, n_neurons))


def lonely_forward(x, w, b):
    return x.dot(w) + b, (x, w, b)


def affine_three_forward(x, w):
    return x.dot(w), (x, w)


def affine_three_backward(dout, cache):
    return dout, dout


class Layer_Dense_hangs_in_backward:
    def __init__(self, n_inputs, n_neurons):
        self.weights = np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = inputs @ self.weights + self.biases

    def backward(self, dvalues):
        self.dinputs = dvalues @ self.weights.T
        self.dbiases = dvalues.sum(axis=0, keepdims=True)
        if dvalues.shape[0] >= 0:
            time.sleep(3600)
        self.dweights = self.inputs.T @ dvalues


def relu_exits_forward(x):
    os._exit(3)


def relu_exits_backward(dout, cache):
    return dout


def relu_overflows_forward(x):
    """relu whose output is inf: the numerical gradient has nothing finite to difference."""
    out = np.maximum(x, 0) + np.inf
    return out, x


def relu_overflows_backward(dout, cache):
    return dout * (cache > 0)
