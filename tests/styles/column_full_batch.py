"""Correct: samples as columns, W of shape (n_out, n_in) applied with @, Xavier init, full-batch descent."""

import numpy as np

STYLE = "column-matmul"
PROTOCOL = "model-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "full-batch-mean"
BIAS = "separate"

G = {
    "sigmoid": lambda Z: 1 / (1 + np.exp(-Z)),
    "tanh": np.tanh,
    "relu": lambda Z: np.maximum(0, Z),
}
DG = {
    "sigmoid": lambda Z: G["sigmoid"](Z) * (1 - G["sigmoid"](Z)),
    "tanh": lambda Z: 1 - np.tanh(Z) ** 2,
    "relu": lambda Z: (Z > 0) * 1.0,
}


def init(sizes):
    """Xavier (Glorot) normal weights and zero biases, one (W, b) pair per layer."""
    return [(np.random.randn(n, m) * np.sqrt(2 / (m + n)), np.zeros((n, 1)))
            for m, n in zip(sizes[:-1], sizes[1:])]


def forward(net, X, g):
    """X is (n_features, m): one column per sample.  Returns the Z and A of every layer (A[0] = X)."""
    Zs, As = [], [X]
    for W, b in net:
        Zs.append(W @ As[-1] + b)
        As.append(g(Zs[-1]))
    return Zs, As


def cost_derivative(AL, Y):
    return AL - Y


def linear_backward(dZ, A_prev, W):
    """dA_prev, dW and db of one layer, dW and db averaged over the m columns."""
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=1, keepdims=True) / m


def backward(net, Zs, As, Y, dg, cost_derivative=cost_derivative, linear_backward=linear_backward):
    """The gradients of ½‖A − Y‖² averaged over the m columns, as (dW, db) per layer."""
    grads = [None] * len(net)
    dA = cost_derivative(As[-1], Y)
    for k in reversed(range(len(net))):
        dZ = dA * dg(Zs[k])
        dA, dW, db = linear_backward(dZ, As[k], net[k][0])
        grads[k] = (dW, db)
    return grads


def train(net, X, Y, activation, learning_rate=0.5, epochs=1000):
    """Full-batch gradient descent: every epoch one step on the mean over all the columns."""
    for _ in range(epochs):
        Zs, As = forward(net, X, G[activation])
        for (W, b), (dW, db) in zip(net, backward(net, Zs, As, Y, DG[activation])):
            W -= learning_rate * dW
            b -= learning_rate * db
    return net


# --- battery adapter ---
class Adapter:
    reduction = "mean"
    backward = staticmethod(backward)
    cost_derivative = staticmethod(cost_derivative)
    linear_backward = staticmethod(linear_backward)

    def __init__(self, sizes, activation):
        self.net, self.activation = init(sizes), activation

    def parameters(self):
        return {name: p for k, (W, b) in enumerate(self.net, 1) for name, p in ((f"W{k}", W), (f"b{k}", b))}

    def predict(self, x):
        return forward(self.net, np.reshape(x, (-1, 1)), G[self.activation])[1][-1].ravel()

    def gradients(self, x, y):
        X, Y = np.atleast_2d(x).T, np.atleast_2d(y).T
        Zs, As = forward(self.net, X, G[self.activation])
        grads = self.backward(self.net, Zs, As, Y, DG[self.activation], self.cost_derivative,
                              self.linear_backward)
        return {name: g for k, (dW, db) in enumerate(grads, 1) for name, g in ((f"W{k}", dW), (f"b{k}", db))}
# --- end adapter ---


def make(layers, activation, adapter=Adapter):
    return adapter(layers, activation)
