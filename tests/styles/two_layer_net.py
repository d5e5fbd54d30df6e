"""Correct: an assignment-style TwoLayerNet (exactly one ReLU hidden layer, params dict, batch-mean loss)."""

import numpy as np

STYLE = "two-layer-net"
PROTOCOL = "model-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ("no hidden layer", "more than one hidden layer", "tanh", "sigmoid")
SCHEME = None
BIAS = "separate"


class TwoLayerNet:
    """input - fully connected - ReLU - fully connected - output, trained on the squared error."""

    def __init__(self, input_size, hidden_size, output_size, std=1e-4):
        self.params = {}
        self.params["W1"] = std * np.random.randn(input_size, hidden_size)
        self.params["b1"] = np.zeros(hidden_size)
        self.params["W2"] = std * np.random.randn(hidden_size, output_size)
        self.params["b2"] = np.zeros(output_size)

    def loss(self, X, y=None):
        """The scores when y is None; otherwise the loss ½·Σ(scores − y)² / N and its gradients."""
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        N = X.shape[0]

        hidden = np.maximum(0, X.dot(W1) + b1)
        scores = hidden.dot(W2) + b2
        if y is None:
            return scores

        loss = 0.5 * np.sum((scores - y) ** 2) / N

        grads = {}
        dscores = (scores - y) / N
        grads["W2"] = hidden.T.dot(dscores)
        grads["b2"] = self.bias_grad(dscores)
        dhidden = dscores.dot(W2.T)
        dhidden[hidden <= 0] = 0
        grads["W1"] = X.T.dot(dhidden)
        grads["b1"] = self.bias_grad(dhidden)
        return loss, grads

    def bias_grad(self, dout):
        return np.sum(dout, axis=0)

    def train_step(self, X, y, learning_rate=1e-3):
        _, grads = self.loss(X, y)
        for name in self.params:
            self.params[name] -= learning_rate * grads[name]


# --- battery adapter ---
class Adapter(TwoLayerNet):
    reduction = "mean"

    def parameters(self):
        return self.params

    def predict(self, x):
        return self.loss(np.atleast_2d(x))[0]

    def gradients(self, x, y):
        return self.loss(np.atleast_2d(x), np.atleast_2d(y))[1]
# --- end adapter ---


def make(layers, activation, net=Adapter):
    if len(layers) != 3:
        raise ValueError(f"TwoLayerNet has exactly one hidden layer, not {len(layers) - 2}")
    if activation != "relu":
        raise ValueError(f"TwoLayerNet's hidden layer is a ReLU, not {activation}")
    return net(*layers, std=0.5)
