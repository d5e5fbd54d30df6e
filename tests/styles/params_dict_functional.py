"""Correct: Ng-style functions over a parameters dict, samples as columns; it has no relu."""

import numpy as np

STYLE = "params-dict"
PROTOCOL = "model-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ("relu",)
SCHEME = None
BIAS = "separate"


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z)), Z


def tanh(Z):
    return np.tanh(Z), Z


def sigmoid_backward(dA, cache):
    s = 1 / (1 + np.exp(-cache))
    return dA * s * (1 - s)


def tanh_backward(dA, cache):
    return dA * (1 - np.tanh(cache) ** 2)


FORWARD = {"sigmoid": sigmoid, "tanh": tanh}
BACKWARD = {"sigmoid": sigmoid_backward, "tanh": tanh_backward}


def initialize_parameters(layer_dims):
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.5
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def linear_activation_forward(A_prev, W, b, activation):
    Z = W @ A_prev + b
    A, activation_cache = FORWARD[activation](Z)
    return A, ((A_prev, W, b), activation_cache)


def L_model_forward(X, parameters, activation):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L + 1):
        W, b = parameters["W" + str(l)], parameters["b" + str(l)]
        A, cache = linear_activation_forward(A, W, b, activation)
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    """Half the squared error, averaged over the m examples (the columns)."""
    return np.sum((AL - Y) ** 2) / (2 * Y.shape[1])


def linear_activation_backward(dA, cache, activation, backward=BACKWARD):
    (A_prev, W, b), activation_cache = cache
    m = A_prev.shape[1]
    dZ = backward[activation](dA, activation_cache)
    dW = dZ @ A_prev.T / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    return W.T @ dZ, dW, db


def L_model_backward(dAL, caches, activation, backward=BACKWARD):
    grads = {}
    dA = dAL
    for l in reversed(range(len(caches))):
        dA, grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = linear_activation_backward(
            dA, caches[l], activation, backward)
    return grads


def update_parameters(parameters, grads, learning_rate):
    for l in range(len(parameters) // 2):
        parameters["W" + str(l + 1)] -= learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] -= learning_rate * grads["db" + str(l + 1)]
    return parameters


# --- battery adapter ---
class Adapter:
    reduction = "mean"
    backward = BACKWARD

    def __init__(self, layers, activation):
        self.params, self.activation = initialize_parameters(layers), activation

    def parameters(self):
        return self.params

    def predict(self, x):
        return L_model_forward(np.reshape(x, (-1, 1)), self.params, self.activation)[0].ravel()

    def gradients(self, x, y):
        X, Y = np.atleast_2d(x).T, np.atleast_2d(y).T
        AL, caches = L_model_forward(X, self.params, self.activation)
        grads = L_model_backward(self.cost_derivative(AL, Y), caches, self.activation, self.backward)
        return {name: grads["d" + name] for name in self.params}

    def cost_derivative(self, AL, Y):
        return AL - Y
# --- end adapter ---


def make(layers, activation):
    if activation not in FORWARD:
        raise KeyError(activation)
    return Adapter(layers, activation)
