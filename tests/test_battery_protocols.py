"""Which protocol a network follows, and which checks are skipped for it, with the reason."""

from __future__ import annotations

import numpy as np
import pytest

import backprop
from backprop.activations import get_activation
from backprop.battery import CHECK_IDS
from backprop.battery.protocols import LAYER_LEVEL, MODEL_LEVEL, ProtocolError, detect_protocol
from backprop.battery.targets import TargetError

FEW = 4


class DenseModel:
    """A plain numpy network in the model-level protocol: weights (n_in, n_out) and a bias per layer."""

    def __init__(self, layers, activation, *, sign: float = 1.0, optional: bool = True) -> None:
        self.act = get_activation(activation)
        rng = np.random.default_rng(0)
        self.W = [rng.uniform(-1, 1, (m, n)) for m, n in zip(layers[:-1], layers[1:], strict=True)]
        self.b = [np.zeros(n) for n in layers[1:]]
        self.sign = sign
        if optional:
            self.step, self.deltas, self.predict = self._step, self._deltas, self._predict

    def parameters(self):
        return [p for pair in zip(self.W, self.b, strict=True) for p in pair]

    def _forward(self, x):
        inputs, zs, a = [], [], np.asarray(x, dtype=float)
        for W, b in zip(self.W, self.b, strict=True):
            inputs.append(a)
            zs.append(a @ W + b)
            a = self.act.function(zs[-1])
        return inputs, zs, a

    def _deltas(self, x, y):
        _, zs, a = self._forward(x)
        delta = self.sign * (a - y) * self.act.derivative(zs[-1])
        deltas = [delta]
        for W, z in zip(reversed(self.W[1:]), reversed(zs[:-1]), strict=True):
            delta = (delta @ W.T) * self.act.derivative(z)
            deltas.insert(0, delta)
        return deltas

    def _predict(self, x):
        return self._forward(x)[2]

    def loss(self, x, y):
        return 0.5 * float(np.sum((self._forward(x)[2] - y) ** 2))

    def gradients(self, x, y):
        inputs = self._forward(x)[0]
        grads = []
        for a, delta in zip(inputs, self._deltas(x, y), strict=True):
            grads += [np.outer(a, delta), delta]
        return grads

    def _step(self, x, y, learning_rate):
        for p, g in zip(self.parameters(), self.gradients(x, y), strict=True):
            p -= learning_rate * g


class Unrelated:
    pass


def test_the_reference_follows_the_layer_level_protocol() -> None:
    assert detect_protocol(backprop.NeuralNetwork([2, 3, 1])) == LAYER_LEVEL


def test_a_parameters_loss_gradients_object_follows_the_model_level_protocol() -> None:
    assert detect_protocol(DenseModel([2, 3, 1], "tanh")) == MODEL_LEVEL


def test_an_object_following_neither_protocol_is_told_what_it_lacks() -> None:
    with pytest.raises(ProtocolError, match="layers.*parameters, gradients or step"):
        detect_protocol(Unrelated())


def test_a_factory_returning_neither_protocol_is_one_sentence_not_a_verdict() -> None:
    with pytest.raises(TargetError, match="it builds no network: .*follows neither protocol"):
        backprop.check(lambda layers, activation: Unrelated(), max_examples=FEW, only=["output-delta"])


def test_a_correct_model_level_network_passes_and_the_layer_only_checks_are_skipped_with_reasons() -> None:
    result = backprop.check(DenseModel, max_examples=FEW)
    assert result.protocol == MODEL_LEVEL
    assert result.passed, [(r.id, r.status, r.summary) for r in result.results]
    skipped = {r.id: r.summary for r in result.results if r.status == "skipped"}
    assert set(skipped) == {
        "activation-derivative",
        "dz-is-fprime-of-z",
        "fit-one-sample",
        "fit-two-samples",
        "batch-is-sum",
    }
    assert "activation function" in skipped["activation-derivative"]
    assert "no fit" in skipped["fit-one-sample"]
    assert {r.id for r in result.results} == set(CHECK_IDS)


def test_a_model_without_the_optional_methods_has_those_checks_skipped() -> None:
    result = backprop.check(
        lambda layers, activation: DenseModel(layers, activation, optional=False),
        max_examples=FEW,
        only=["output-delta", "update-is-sgd-step", "predict-is-forward", "weight-gradient"],
    )
    assert result.by_id("weight-gradient").status == "passed"
    assert "no deltas" in result.by_id("output-delta").summary
    assert "no step" in result.by_id("update-is-sgd-step").summary
    assert "no predict" in result.by_id("predict-is-forward").summary
    assert {r.status for r in result.results} == {"passed", "skipped"}


def test_a_model_level_sign_bug_fails_the_gradient_checks_with_a_diagnosis() -> None:
    result = backprop.check(
        lambda layers, activation: DenseModel(layers, activation, sign=-1.0),
        max_examples=FEW,
        only=["output-delta", "weight-gradient", "descent"],
    )
    assert result.failed_ids == ["output-delta", "weight-gradient", "descent"]
    assert "sign is flipped" in (result.by_id("weight-gradient").diagnosis or "")
    assert result.by_id("weight-gradient").where.startswith("parameter ")


def test_a_layer_level_network_without_fit_or_predict_has_those_checks_skipped() -> None:
    def make(layers, activation):
        net = backprop.NeuralNetwork(layers, activation)
        return type("Bare", (), {"layers": net.layers})()

    result = backprop.check(
        make,
        max_examples=FEW,
        only=["fit-one-sample", "fit-two-samples", "predict-is-forward", "output-delta"],
    )
    assert result.by_id("output-delta").status == "passed"
    for check_id in ("fit-one-sample", "fit-two-samples", "predict-is-forward"):
        found = result.by_id(check_id)
        assert found.status == "skipped" and "offers no" in found.summary


def test_a_cross_entropy_model_fails_under_half_sse_and_passes_under_its_own_loss() -> None:
    class SoftmaxModel(DenseModel):
        """Softmax cross-entropy on the network's outputs A: its output delta is (softmax(A) − y)·f'(z)."""

        def loss(self, x, y):
            return float(backprop.get_loss("softmax_ce")(self._forward(x)[2], y))

        def _deltas(self, x, y):
            _, zs, a = self._forward(x)
            grad = backprop.get_loss("softmax_ce").gradient(a, y)
            delta = grad * self.act.derivative(zs[-1])
            deltas = [delta]
            for W, z in zip(reversed(self.W[1:]), reversed(zs[:-1]), strict=True):
                delta = (delta @ W.T) * self.act.derivative(z)
                deltas.insert(0, delta)
            return deltas

    own = backprop.check(
        SoftmaxModel,
        loss="softmax_ce",
        max_examples=FEW,
        only=["output-delta", "weight-gradient", "predict-is-forward"],
    )
    assert own.passed, [(r.id, r.status, r.details) for r in own.results]
    other = backprop.check(SoftmaxModel, max_examples=FEW, only=["output-delta", "predict-is-forward"])
    assert other.failed_ids == ["output-delta", "predict-is-forward"]
    assert "softmax_ce" in (other.by_id("predict-is-forward").diagnosis or "")


def test_gradients_as_a_list_of_arrays_of_one_shape_stay_a_list() -> None:
    """Nielsen's backprop returns [nabla_w1, nabla_b1, ...]; on a [1, 1] network they are all (1, 1), and
    turning the list into one (2, 1, 1) array made every check error with "returned a ndarray"."""
    from pathlib import Path

    nielsen = Path(__file__).resolve().parent / "styles" / "nielsen_column.py"
    result = backprop.check(f"{nielsen}:make", layers=["1,1"], max_examples=3, only=["weight-gradient"])
    assert result.by_id("weight-gradient").status == "passed", result.by_id("weight-gradient").summary


def test_a_float32_model_is_judged_at_the_rounding_of_its_whole_gradient() -> None:
    """A correct float32 rows-and-biases network of 3 hidden layers failed weight-gradient (errors of 1e-8
    on first-layer gradients of 5e-6 against budgets of 3e-9, diagnosed as "a constant factor 1.00002")."""
    from pathlib import Path

    rows = Path(__file__).resolve().parent / "styles" / "float32_rows.py"
    result = backprop.check(f"{rows}:make", layers=["5,8,6,2,1"], max_examples=6, only=["weight-gradient"])
    assert result.by_id("weight-gradient").status == "passed", result.by_id("weight-gradient").details


def test_a_factor_next_to_1_is_not_called_a_constant_factor() -> None:
    from backprop.battery import diagnosis

    expected = np.linspace(0.5, 1.5, 12)
    assert diagnosis.scaled(expected * 1.00002, expected) is None
    found = diagnosis.scaled(expected * 2, expected)
    assert found is not None and found.kind == "scaled" and found.params["matches"] == ["2"]
