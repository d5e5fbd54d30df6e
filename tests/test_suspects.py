"""The suspects: each mistake, planted by hand in a small network written here (rows, separate biases),
is named by its kind from the gradients alone; a correct gradient, or a mistake the numbers cannot tell
from none, is named by nothing."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from backprop.battery import suspects
from backprop.losses import get_loss

FUNCTIONS: dict[str, tuple[Callable, Callable]] = {
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
}


class Mlp:
    """z = a @ W + b, one sample a row; each method is one piece a mistake can be planted in."""

    def __init__(self, layers, hidden="tanh", output=None, loss="half_sse", seed=0):
        rng = np.random.default_rng(seed)
        self.W = [rng.uniform(-1, 1, (m, n)) for m, n in zip(layers[:-1], layers[1:])]
        self.b = [rng.uniform(-1, 1, n) for n in layers[1:]]
        self.hidden, self.output, self.loss = hidden, output or hidden, loss

    def f(self, k):
        return FUNCTIONS[self.output if k == len(self.W) - 1 else self.hidden]

    def fprime(self, k, z, a):
        return self.f(k)[1](z)

    def error(self, a, y):
        if self.loss == "mse":
            return 2 * (a - y) / a.size
        if self.loss == "softmax_ce":
            e = np.exp(a - a.max())
            return e / e.sum() - y
        return a - y

    def output_delta(self, a, y, z):
        if self.loss == "bce":  # sigmoid outputs: σ' cancels
            return a - y
        return self.error(a, y) * self.fprime(len(self.W) - 1, z, a)

    def hidden_delta(self, k, delta_right, out_delta, z, a):
        return (delta_right @ self.W[k + 1].T) * self.fprime(k, z, a)

    def weight_gradient(self, k, left, z_left, own, delta):
        return np.outer(left, delta)

    def gradients(self, x, y):
        a, lefts, zs, outs = x, [], [], []
        for k, (W, b) in enumerate(zip(self.W, self.b)):
            z = a @ W + b
            lefts.append(a)
            zs.append(z)
            a = self.f(k)[0](z)
            outs.append(a)
        last = len(self.W) - 1
        deltas = {last: self.output_delta(outs[last], y, zs[last])}
        for k in range(last - 1, -1, -1):
            deltas[k] = self.hidden_delta(k, deltas[k + 1], deltas[last], zs[k], outs[k])
        grads = []
        for k in range(last + 1):
            z_left = zs[k - 1] if k else lefts[0]
            grads.append((self.weight_gradient(k, lefts[k], z_left, outs[k], deltas[k]), deltas[k]))
        return grads

    def reference(self):
        return suspects.Reference(
            [np.vstack((b, W)) for W, b in zip(self.W, self.b)], self.hidden, self.output, get_loss(self.loss)
        )


def explain(*args, **kwargs):
    """The first finding, or None."""
    found = suspects.explanations(*args, **kwargs)
    return found[0] if found else None


def reference_gradients(mlp, x, y):
    """The network's own gradients, in the reference layout (the bias row first)."""
    return [np.vstack((db, dW)) for dW, db in mlp.gradients(x, y)]


def explained(mlp, seed=1):
    rng = np.random.default_rng(seed)
    n_in, n_out = mlp.W[0].shape[0], mlp.W[-1].shape[1]
    x = rng.uniform(-1, 1, n_in)
    if mlp.loss == "softmax_ce":
        y = np.eye(n_out)[rng.integers(n_out)]
    else:
        y = rng.uniform(0.05, 0.95, n_out) if mlp.loss == "bce" else rng.uniform(-1, 1, n_out)
    correct, found = suspects.backprops(mlp.reference(), x, y)
    labels = [f"W{k}" for k in range(1, len(mlp.W) + 1)]
    finding = explain(reference_gradients(mlp, x, y), correct.gradients, found, 0.0, labels)
    return finding, correct, x, y


def planted(base=Mlp, **methods):
    return type("Planted", (base,), methods)


@pytest.mark.parametrize(
    ("layers", "hidden", "output", "loss"),
    [((3, 4, 2), "tanh", None, "half_sse"), ((2, 3, 3, 1), "sigmoid", None, "half_sse"),
     ((3, 4, 2), "relu", "identity", "half_sse"), ((3, 4, 2), "tanh", "sigmoid", "bce"),
     ((3, 4, 3), "relu", "identity", "softmax_ce"), ((2, 2), "tanh", None, "mse")],
)
def test_a_correct_gradient_is_named_by_nothing_and_agrees_with_the_judge(layers, hidden, output, loss):
    mlp = Mlp(layers, hidden, output, loss)
    finding, correct, x, y = explained(mlp)
    assert finding is None
    for mine, judge in zip(reference_gradients(mlp, x, y), correct.gradients, strict=True):
        np.testing.assert_allclose(mine, judge, rtol=1e-12, atol=1e-14)


def _wrong_tanh(formula):
    return lambda self, k, z, a: formula(z, a) if self.f(k)[0] is np.tanh else self.f(k)[1](z)


def _out_prime(self, z):
    return self.f(len(self.W) - 1)[1](z)


def _fp(self, k, z):
    return self.f(k)[1](z)


def _softmax(a):
    return np.exp(a) / np.exp(a).sum()


def _p_one_minus_p(a):
    return _softmax(a) * (1 - _softmax(a))


def _reshaped(w):
    return w.reshape(w.shape[1], -1)


P = planted
PLANTED = {  # name: (network, layers, hidden, output, loss, kind, params the finding must carry)
    "output f'(A)": (P(output_delta=lambda self, a, y, z: (a - y) * _out_prime(self, a)),
                     (3, 4, 2), "tanh", None, "half_sse", "fprime-of-output", {"layers": [2]}),
    "f'(A) everywhere": (P(fprime=lambda self, k, z, a: self.f(k)[1](a)), (2, 3, 3, 2), "sigmoid", None,
                         "half_sse", "fprime-of-output", {"layers": [1, 2, 3]}),
    "hidden f' missing": (P(hidden_delta=lambda self, k, d, o, z, a: d @ self.W[k + 1].T),
                          (3, 4, 4, 2), "tanh", None, "half_sse", "missing-fprime", {"layers": [1, 2]}),
    "one-output f' missing": (P(output_delta=lambda self, a, y, z: a - y),
                              (3, 4, 1), "tanh", None, "half_sse", "missing-fprime", {"layers": [2]}),
    "relu unmasked": (P(fprime=lambda self, k, z, a: np.ones_like(z) if k < len(self.W) - 1
                        else self.f(k)[1](z)),
                      (4, 6, 2), "relu", "identity", "half_sse", "missing-fprime", {"layers": [1]}),
    "tanh 1 − z²": (P(fprime=_wrong_tanh(lambda z, a: 1 - z**2)),
                    (3, 4, 2), "tanh", None, "half_sse", "wrong-derivative", {"formula": "1 − z²"}),
    "tanh 1 − tanh z": (P(fprime=_wrong_tanh(lambda z, a: 1 - np.tanh(z))),
                        (3, 4, 2), "tanh", None, "mse", "wrong-derivative", {"formula": "1 − tanh z"}),
    "sigmoid s(1 + s)": (P(fprime=lambda self, k, z, a: a * (1 + a)),
                         (2, 3, 2), "sigmoid", None, "half_sse", "wrong-derivative", {"formula": "s(1 + s)"}),
    "sigmoid z(1 − z)": (P(fprime=lambda self, k, z, a: z * (1 - z)),
                         (2, 3, 2), "sigmoid", None, "half_sse", "wrong-derivative", {"formula": "z(1 − z)"}),
    "bce σ' kept": (P(output_delta=lambda self, a, y, z: (a - y) * a * (1 - a)),
                    (3, 4, 2), "tanh", "sigmoid", "bce", "extra-fprime", {}),
    "softmax p(1 − p)": (P(output_delta=lambda self, a, y, z: (_softmax(a) - y) * _p_one_minus_p(a)),
                         (3, 4, 3), "relu", "identity", "softmax_ce", "extra-fprime", {}),
    "y − A": (P(output_delta=lambda self, a, y, z: (y - a) * _out_prime(self, z)),
              (3, 4, 2), "tanh", None, "half_sse", "sign-flipped", {}),
    "summed errors": (P(output_delta=lambda self, a, y, z: np.sum(a - y) * _out_prime(self, z)),
                      (3, 4, 3), "tanh", None, "half_sse", "summed-outputs", {}),
    "W for Wᵀ": (P(hidden_delta=lambda self, k, d, o, z, a: (d @ self.W[k + 1]) * self.f(k)[1](z)),
                 (3, 3, 3), "tanh", None, "half_sse", "transposed", {}),
    "W reshaped": (P(hidden_delta=lambda self, k, d, o, z, a: d @ _reshaped(self.W[k + 1]) * self.f(k)[1](z)),
                   (3, 4, 2), "sigmoid", None, "half_sse", "transposed", {}),
    "gradient transposed": (P(weight_gradient=lambda self, k, left, zl, own, d: np.outer(left, d).T),
                            (3, 3, 3), "tanh", None, "half_sse", "transposed", {"gradient": True}),
    "output delta upstream": (P(hidden_delta=lambda s, k, d, o, z, a: o @ s.W[k + 1].T * _fp(s, k, z)),
                              (4, 4, 4, 4), "tanh", None, "half_sse", "wrong-upstream", {}),
    "output weights upstream": (P(hidden_delta=lambda s, k, d, o, z, a: d @ s.W[-1].T * _fp(s, k, z)),
                                (3, 4, 4, 4), "sigmoid", None, "half_sse", "wrong-upstream", {}),
    "left z": (P(weight_gradient=lambda self, k, left, zl, own, d: np.outer(zl, d)),
               (3, 4, 2), "tanh", None, "half_sse", "wrong-left-activation", {"uses": "z"}),
    "own output": (P(weight_gradient=lambda self, k, left, zl, own, d: np.outer(own, d)),
                   (3, 3, 3), "sigmoid", None, "half_sse", "wrong-left-activation", {"uses": "own output"}),
    "bce under half-SSE": (P(output_delta=lambda self, a, y, z: a - y),
                           (3, 4, 2), "tanh", "sigmoid", "half_sse", "loss-mismatch", {"loss": "bce"}),
    "softmax under half-SSE": (P(output_delta=lambda self, a, y, z: _softmax(a) - y), (3, 4, 3), "relu",
                               "identity", "half_sse", "loss-mismatch", {"loss": "softmax_ce"}),
}


@pytest.mark.parametrize("name", list(PLANTED))
def test_a_planted_mistake_is_named_by_its_kind(name: str) -> None:
    base, layers, hidden, output, loss, kind, params = PLANTED[name]
    mlp = base(layers, hidden, output, loss)
    finding, correct, x, y = explained(mlp)
    assert finding is not None, name
    assert finding.kind == kind, finding.sentence
    for key, value in params.items():
        assert finding.params[key] == value, finding.params
    assert "W1" in finding.sentence or "W2" in finding.sentence


def test_the_sentence_states_the_evidence() -> None:
    mlp = PLANTED["one-output f' missing"][0]((3, 4, 1), "tanh")
    finding, *_ = explained(mlp)
    assert finding is not None
    assert "f'(z) missing at the output layer" in finding.sentence
    assert "in all 21 elements" in finding.sentence
    assert "16 of 16 elements of W1, 5 of 5 of W2" in finding.sentence


def test_relu_f_prime_of_the_output_is_no_mistake_the_numbers_show() -> None:
    """f'(relu(z)) = f'(z): the mistake changes nothing, so nothing is named (neither a wrong kind)."""
    mlp = PLANTED["f'(A) everywhere"][0]((3, 4, 2), "relu", "identity")
    finding, *_ = explained(mlp)
    assert finding is None


def test_a_missing_f_prime_at_a_linear_output_is_no_mistake() -> None:
    mlp = planted(output_delta=lambda self, a, y, z: a - y)((3, 4, 2), "tanh", "identity")
    assert explained(mlp)[0] is None


def test_a_mistake_outside_the_list_is_named_by_nothing() -> None:
    mlp = planted(output_delta=lambda self, a, y, z: (a - y) ** 3)((3, 4, 2), "tanh")
    assert explained(mlp)[0] is None


def test_an_agreement_within_the_budget_only_is_not_evidence() -> None:
    """Where the mistake changes the gradient by less than the budget, the numbers cannot tell."""
    mlp = PLANTED["y − A"][0]((3, 4, 2), "tanh")
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 2)
    correct, found = suspects.backprops(mlp.reference(), x, y)
    wrong = reference_gradients(mlp, x, y)
    budget = [10 * np.max(np.abs(g)) for g in wrong]
    assert explain(wrong, correct.gradients, found, budget) is None
    assert explain(wrong, correct.gradients, found, 0.0).kind == "sign-flipped"


def test_equally_fitting_suspects_are_all_named() -> None:
    """A − y at sigmoid outputs under half-SSE is bce's gradient and equally σ' missing at the output."""
    finding, *_ = explained(PLANTED["bce under half-SSE"][0]((3, 4, 2), "tanh", "sigmoid"))
    assert finding is not None and finding.kind == "loss-mismatch"
    assert finding.params["also"] == ["missing-fprime"]
    assert "missing at the output layer" in finding.sentence and "--loss bce" in finding.sentence


def test_the_loss_is_declared_as_the_interface_in_use_declares_it() -> None:
    mlp = PLANTED["bce under half-SSE"][0]((3, 4, 2), "tanh", "sigmoid")
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 2)
    correct, found = suspects.backprops(mlp.reference(), x, y)
    finding = explain(reference_gradients(mlp, x, y), correct.gradients, found, interface="python")
    assert finding is not None and "loss='bce'" in finding.sentence


def test_the_deltas_are_explained_as_well() -> None:
    mlp = PLANTED["hidden f' missing"][0]((3, 4, 4, 2), "tanh")
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 2)
    correct, found = suspects.backprops(mlp.reference(), x, y)
    deltas = [d for _, d in mlp.gradients(x, y)]
    finding = explain(deltas, correct.deltas, found, what="every layer's delta", arrays="deltas")
    assert finding is not None and finding.kind == "missing-fprime"


def test_the_article_layout_multiplies_what_it_is_given() -> None:
    """Without a bias per layer (the article's), x carries its 1 and each layer multiplies its input."""
    rng = np.random.default_rng(3)
    weights = [rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (4, 1))]
    ref = suspects.Reference(weights, "tanh", "tanh", get_loss("half_sse"), bias_per_layer=False)
    x1, y = np.array([1.0, 0.3, -0.2]), np.array([0.5])
    a1 = np.tanh(x1 @ weights[0])
    out = np.tanh(a1 @ weights[1])
    d2 = (out - y) * (1 - out**2)
    d1 = (d2 @ weights[1].T) * (1 - a1**2)
    correct, found = suspects.backprops(ref, x1, y)
    np.testing.assert_allclose(correct.gradients[0], np.outer(x1, d1))
    missing = [np.outer(x1, (out - y) @ weights[1].T * (1 - a1**2)), np.outer(a1, out - y)]
    assert explain(missing, correct.gradients, found).kind == "missing-fprime"
