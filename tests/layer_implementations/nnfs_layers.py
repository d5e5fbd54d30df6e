"""Layer objects in the style of *Neural Networks from Scratch*: correct ones, and planted bugs.

Each class sets `output` in forward and `dinputs` (`dweights`, `dbiases`) in backward; losses take
(y_pred, y_true).  A planted bug's class name ends in the finding kind it should be diagnosed with.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
from student_layers_fixed import Layer_Dense  # noqa: E402  (the correct one of docs/layers.md)


class Layer_Dense_float32(Layer_Dense):
    """Everything in float32, as people do to save memory: judged at float32's precision."""

    def __init__(self, n_inputs, n_neurons):
        self.weights = (0.01 * np.random.randn(n_inputs, n_neurons)).astype(np.float32)
        self.biases = np.zeros((1, n_neurons), dtype=np.float32)


class Layer_Dense_EinsumStyle:
    """Correct, written differently: einsum, and a bias of shape (n,) rather than (1, n)."""

    def __init__(self, n_inputs, n_neurons):
        self.weights = np.random.randn(n_inputs, n_neurons) * 0.1
        self.biases = np.zeros(n_neurons)

    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.einsum("ni,io->no", inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dweights = np.einsum("ni,no->io", self.inputs, dvalues)
        self.dbiases = dvalues.sum(axis=0)
        self.dinputs = np.einsum("no,io->ni", dvalues, self.weights)


class Layer_Dense_transposed(Layer_Dense):
    def backward(self, dvalues):
        super().backward(dvalues)
        self.dweights = np.dot(dvalues.T, self.inputs)


class Layer_Dense_wrong_axis(Layer_Dense):
    def backward(self, dvalues):
        super().backward(dvalues)
        self.dbiases = np.sum(dvalues, axis=1, keepdims=True)


class Layer_Dense_scaled(Layer_Dense):
    """Averages the weight gradient over the batch, which the loss already did: shows only for batch > 1."""

    def backward(self, dvalues):
        super().backward(dvalues)
        self.dweights = np.dot(self.inputs.T, dvalues) / len(dvalues)


class Activation_ReLU:
    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        self.dinputs[self.inputs <= 0] = 0


class Activation_ReLU_greater_equal:
    """Passes the gradient at exactly 0 (a valid subgradient too)."""

    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues * (self.inputs >= 0)


class Activation_ReLU_in_place:
    """Forgets the copy, so it zeroes the caller's gradient."""

    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues
        self.dinputs[self.inputs <= 0] = 0


class Activation_ReLU_wrong_derivative:
    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        self.dinputs[dvalues <= 0] = 0


class Activation_Sigmoid:
    def forward(self, inputs):
        self.inputs = inputs
        self.output = 1 / (1 + np.exp(-inputs))

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output) * self.output


class Activation_Sigmoid_wrong_derivative(Activation_Sigmoid):
    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.inputs) * self.inputs


class Activation_Softmax:
    def forward(self, inputs):
        self.inputs = inputs
        exp_values = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
        self.output = exp_values / np.sum(exp_values, axis=1, keepdims=True)

    def backward(self, dvalues):
        self.dinputs = np.empty_like(dvalues)
        for index, (single_output, single_dvalues) in enumerate(zip(self.output, dvalues)):
            single_output = single_output.reshape(-1, 1)
            jacobian = np.diagflat(single_output) - np.dot(single_output, single_output.T)
            self.dinputs[index] = np.dot(jacobian, single_dvalues)


class Activation_Softmax_wrong_derivative(Activation_Softmax):
    def backward(self, dvalues):
        self.dinputs = dvalues * self.output * (1 - self.output)


class Loss:
    def calculate(self, output, y):
        return np.mean(self.forward(output, y))


class Loss_CategoricalCrossentropy(Loss):
    def forward(self, y_pred, y_true):
        clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)
        return -np.log(clipped[range(len(y_pred)), y_true])

    def backward(self, dvalues, y_true):
        samples, labels = dvalues.shape
        if len(y_true.shape) == 1:
            y_true = np.eye(labels)[y_true]
        self.dinputs = -y_true / dvalues / samples


class Loss_MeanSquaredError(Loss):
    def forward(self, y_pred, y_true):
        return np.mean((y_true - y_pred) ** 2, axis=-1)

    def backward(self, dvalues, y_true):
        samples, outputs = dvalues.shape
        self.dinputs = -2 * (y_true - dvalues) / outputs / samples


class Loss_MeanSquaredError_scaled(Loss_MeanSquaredError):
    """Forgets to divide by the outputs the forward pass averaged over."""

    def backward(self, dvalues, y_true):
        self.dinputs = -2 * (y_true - dvalues) / len(dvalues)


class Activation_Softmax_Loss_CategoricalCrossentropy:
    def __init__(self):
        self.activation = Activation_Softmax()
        self.loss = Loss_CategoricalCrossentropy()

    def forward(self, inputs, y_true):
        self.activation.forward(inputs)
        self.output = self.activation.output
        return self.loss.calculate(self.output, y_true)

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        self.dinputs = dvalues.copy()
        self.dinputs[range(samples), y_true] -= 1
        self.dinputs = self.dinputs / samples


class Activation_Softmax_Loss_CategoricalCrossentropy_scaled(Activation_Softmax_Loss_CategoricalCrossentropy):
    """Forgets the division by the number of samples: shows only for batch > 1."""

    def backward(self, dvalues, y_true):
        self.dinputs = dvalues.copy()
        self.dinputs[range(len(dvalues)), y_true] -= 1


class Layer_Dropout:
    def __init__(self, rate):
        self.rate = 1 - rate

    def forward(self, inputs):
        self.inputs = inputs
        self.binary_mask = np.random.binomial(1, self.rate, size=inputs.shape) / self.rate
        self.output = inputs * self.binary_mask

    def backward(self, dvalues):
        self.dinputs = dvalues * self.binary_mask


class Layer_Dropout_mask_not_rescaled(Layer_Dropout):
    def backward(self, dvalues):
        self.dinputs = dvalues * (self.binary_mask > 0)


class Activation_ReLU_clips_its_input:
    """Zeroes the negative inputs in place to save a copy, changing the caller's array."""

    def forward(self, inputs):
        self.inputs = inputs.copy()
        inputs[inputs < 0] = 0
        self.output = inputs

    def backward(self, dvalues):
        self.dinputs = dvalues * (self.inputs > 0)
