"""Behaviours of the code that drives the battery (cases, schemes, targets, the command's options and
what `--plot` draws) that the rest of the suite reaches without pinning down: each test names the
behaviour it protects and asserts its exact value."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import pickle
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop.battery import runner
from backprop.battery.cases import cases, default_case, make_case
from backprop.battery.command import add_battery_options, drawn_result
from backprop.battery.conventions import probe
from backprop.battery.interfaces import PYTEST, PYTHON, declare, reproduce
from backprop.battery.profile import Profile
from backprop.battery.protocols import LocalWorker
from backprop.battery.registry import CHECK_IDS
from backprop.battery.results import BatteryResult, CheckResult
from backprop.battery.runner import evaluate, protocol_of, python_name, run_in_worker
from backprop.battery.schemes import describe_path, epoch_paths, parse_scheme
from backprop.battery.space import Space, declared_space, probe_space
from backprop.battery.targets import (
    TargetError,
    _try_load,
    describe_factory,
    load_target,
    resolve,
    split_target,
)
from backprop.losses import HALF_SSE, get_loss
from backprop.network import Layer, NeuralNetwork
from backprop.subject import SubjectEnded

IMPLEMENTATIONS = Path(__file__).resolve().parent / "implementations"
HOSTILE = Path(__file__).resolve().parent / "hostile"
LR_TWICE = f"{IMPLEMENTATIONS / 'update_lr_twice.py'}:make"


# ---------------------------------------------------------------- cases


def test_the_default_softmax_case_has_two_outputs() -> None:
    """Softmax cross-entropy needs two classes at least, and the default case has exactly two."""
    assert default_case(get_loss("softmax_ce")).layers == (2, 2, 2)
    assert default_case(get_loss("half_sse")).layers == (2, 2, 1)


def test_a_case_description_ignores_the_users_print_options() -> None:
    """A student's np.set_printoptions(suppress=True) must not print a small input as 0 in the report."""
    case = dataclasses.replace(make_case((2, 2, 1), "tanh", 0.1, 1.0, 0, get_loss("half_sse")),
                               x=np.array([1e-6, 0.5]))
    expected = "layers [2, 2, 1], tanh, x = [1.e-06, 5.e-01], y = [0.2026], learning rate 0.1"
    assert case.describe() == expected
    with np.printoptions(suppress=True):
        assert case.describe() == expected


def test_a_case_in_json_has_every_setting_under_its_name() -> None:
    """The JSON report's minimal case: the keys a reader (or a rerun) looks the settings up by."""
    case = make_case((2, 1), "tanh", 0.5, 2.0, 3, get_loss("half_sse"))
    assert case.to_json([np.zeros((1, 3))]) == {
        "layers": [2, 1], "activation": "tanh", "x": case.x.tolist(), "y": case.y.tolist(),
        "learning_rate": 0.5, "scale": 2.0, "seed": 3, "weights": [[[0.0, 0.0, 0.0]]],
    }


@settings(max_examples=10)
@given(st.data())
def test_cases_are_drawn_with_the_activations_asked_for(data: st.DataObject) -> None:
    """The strategy is built inside the test, so that the test is what reaches `cases`."""
    case = data.draw(cases(get_loss("softmax_ce"), ["sigmoid"]))
    assert case.activation == "sigmoid" and case.layers[-1] >= 2


# ---------------------------------------------------------------- schemes


def test_a_path_is_described_with_rows_counted_from_one() -> None:
    assert describe_path(parse_scheme("per-sample"), ((1,), (0,))) == "steps on row 2, then row 1"
    assert describe_path(parse_scheme("random-sample"), ((0,),)) == "one step on row 1"


def test_a_batch_is_described_as_the_mean_or_the_sum_of_its_rows() -> None:
    assert describe_path(parse_scheme("full-batch-mean"), ((0, 1, 2, 3),)) == (
        "one step on the mean of rows 1, 2, 3, 4")
    assert describe_path(parse_scheme("mini-batch-sum-2"), ((2, 3), (0, 1))) == (
        "steps on the sum of rows 3, 4, then the sum of rows 1, 2")


# ---------------------------------------------------------------- targets


def test_try_load_says_nothing_of_a_target_that_loads() -> None:
    assert _try_load(LR_TWICE) is None
    assert _try_load("tests/implementations/nope.py:make") == "no such file: tests/implementations/nope.py"


def test_resolve_returns_the_factory_a_target_names() -> None:
    factory, name = resolve(f"  {LR_TWICE} ")
    assert name == LR_TWICE
    assert (factory.__module__, factory.__name__) == ("_backprop_target_update_lr_twice", "make")


def test_a_script_is_imported_under_a_name_of_its_own(tmp_path: Path) -> None:
    """my-net.py becomes the module _backprop_target_my_net, apart from any installed module."""
    script = tmp_path / "my-net.py"
    script.write_text("def make(layers, activation):\n    return None\n")
    factory = load_target(f"{script}:make")
    assert (factory.__module__, factory.__name__) == ("_backprop_target_my_net", "make")


def test_an_import_that_exits_is_reported_in_one_sentence(tmp_path: Path) -> None:
    script = tmp_path / "exits.py"
    script.write_text("import os\nos._exit(3)\n")
    with pytest.raises(TargetError) as raised:
        resolve(f"{script}:make", timeout=30)
    assert str(raised.value) == (
        f"cannot load {script}:make: importing it ended its process with exit code 3 before returning "
        "(os._exit or an exit in native code)")


# ---------------------------------------------------------------- reproduce lines


def test_a_python_reproduce_line_without_a_name_calls_make() -> None:
    assert reproduce(PYTHON, None, None, [("loss", "bce")]) == "backprop.check(make, loss='bce')"


def test_a_factory_without_an_identifier_name_is_called_make() -> None:
    """A lambda or a functools.partial has no name a reproduce line could use."""
    assert python_name(lambda layers, activation: None) == "make"
    assert python_name(functools.partial(print)) == "make"
    assert python_name(python_name) == "python_name"


# ---------------------------------------------------------------- space and checks


@pytest.mark.parametrize(("interface", "declared"), [("cli", "--activation sigmoid"),
                                                     ("python", "activation='sigmoid'")])
def test_bce_with_another_activation_is_refused_naming_the_option(interface: str, declared: str) -> None:
    with pytest.raises(ValueError) as raised:
        declared_space(get_loss("bce"), activation="tanh", interface=interface)
    assert str(raised.value) == f"binary cross-entropy is defined on sigmoid outputs only: {declared}"


def test_a_check_whose_backward_raises_errors_with_the_call_in_one_sentence() -> None:
    loss = get_loss("half_sse")
    evidence = evaluate("output-delta", load_target(f"{HOSTILE / 'raises_in_backward.py'}:make"),
                        make_case((2, 2, 1), "tanh", 0.1, 1.0, 0, loss), loss, "layer-level")
    assert (evidence.status, evidence.summary) == ("errored", (
        "layer 2's backward (output layer) raised ValueError: shapes (3,) and (4,2) not aligned "
        "at raises_in_backward.py:10."))


def test_a_target_that_builds_nothing_is_probed_to_its_first_failure() -> None:
    declared = Space(depths=(0, 1), activations=("tanh", "sigmoid"))
    probed = probe_space(LocalWorker(load_target(f"{HOSTILE / 'raises_in_make.py'}:make")), declared,
                         Profile("layer-level"))
    assert (probed.space, probed.left_out) == (declared, [])
    assert probed.nothing == (
        "make([3, 2], 'tanh') raised RuntimeError: cannot build [3, 2] at raises_in_make.py:5")


def test_a_make_that_stops_building_leaves_out_its_activation_and_says_so() -> None:
    """make builds the probe's first three networks and then raises: the activation probe is where it
    stops, so the activation is left out and its sentence is what the battery says."""
    built: list[int] = []

    def make(layers: list[int], activation: str) -> NeuralNetwork:
        built.append(1)
        if len(built) > 3:
            raise RuntimeError("make builds three networks only")
        return NeuralNetwork(layers, activation)

    probed = probe_space(LocalWorker(make), Space(depths=(0,), activations=("tanh",)), Profile("layer-level"))
    assert [(f.kind, f.params) for f in probed.left_out] == [
        ("left-out", {"what": "tanh", "activation": "tanh"})]
    assert probed.nothing == probed.left_out[0].sentence
    assert probed.nothing.startswith("tanh: make([3, 2], 'tanh') raised RuntimeError: make builds three "
                                     "networks only at test_mutants_driving.py:")


def test_a_space_without_activations_tries_no_network() -> None:
    worker = LocalWorker(load_target(LR_TWICE))
    assert protocol_of(worker, Space()) == "no network was tried"


class _EndingWorker(LocalWorker):
    """A worker whose process is gone by the time the check builds its first network."""

    def request(self, name: str, *args: Any) -> Any:
        if name == "build":
            raise SubjectEnded("the implementation's process ended with exit code 0 (os._exit, or a crash)")
        return super().request(name, *args)

    def close(self) -> None:
        pass


class _EndingSubject:
    def worker(self, seconds: float) -> _EndingWorker:
        return _EndingWorker(NeuralNetwork)


def test_a_check_whose_worker_is_gone_errors_with_the_workers_sentence() -> None:
    result = run_in_worker(_EndingSubject(), "output-delta", Profile("layer-level"),  # type: ignore[arg-type]
                           HALF_SSE, 0, 3, None, 10.0)
    assert (result.id, result.status, result.summary) == (
        "output-delta", "errored",
        "the implementation's process ended with exit code 0 (os._exit, or a crash).")


def test_a_fit_with_a_wrong_step_is_characterised_by_its_own_layers_steps() -> None:
    """update_factor_two steps twice too far: no numerical path matches its fit, its layers' own steps
    (the weights' move divided by the learning rate) do, so the scheme is still named."""
    worker = LocalWorker(load_target(f"{IMPLEMENTATIONS / 'update_factor_two.py'}:make"))
    found = protocol_of(worker)
    assert not isinstance(found, str), found
    profile = probe(worker, Profile(found[0], frozenset(found[1])), HALF_SSE)
    assert (profile.scheme, profile.scheme_failure) == ("random-sample", None)
    assert profile.notes[-1] == (
        "fit: one random sample per epoch (random-sample, observed on 2 and 4 distinct rows)")


# ---------------------------------------------------------------- the command


def _options() -> dict[str, argparse.Action]:
    return {action.dest: action for action in add_battery_options(argparse.ArgumentParser())}


def test_the_battery_options_help_lists_the_checks() -> None:
    only = _options()["only"]
    assert only.help == "run only these checks: " + ", ".join(CHECK_IDS)
    assert only.help is not None and all(check_id in only.help for check_id in CHECK_IDS)


def test_the_l2_option_names_the_penalty_its_help_uses() -> None:
    """`--l2 LAMBDA`: the usage line shows the name the help's formula LAMBDA/2·‖W‖² uses."""
    l2 = _options()["l2"]
    assert l2.metavar == "LAMBDA"
    assert l2.help == "the loss includes an L2 penalty LAMBDA/2·‖W‖² on the weights (default 0: none)"


def test_the_bias_option_says_what_it_chooses() -> None:
    assert _options()["bias"].help == (
        "where the layers expect the constant 1 of the bias: first (the article's) or last "
        "(default: detected from fit and predict)")


def test_plot_draws_the_first_failed_check_with_a_case() -> None:
    """A passed check's case (or a failure without one) is not what `--plot` draws."""
    case = {"layers": [2, 2, 1]}
    results = [
        CheckResult("output-delta", "passed", minimal_case=case),
        CheckResult("weight-gradient", "failed"),
        CheckResult("update-is-sgd-step", "failed", minimal_case=case),
        CheckResult("fit-one-sample", "failed", minimal_case=case),
    ]
    battery = BatteryResult("t:make", "network", "half_sse", 0, 5, results)
    drawn = drawn_result(battery)
    assert drawn is not None and drawn.id == "update-is-sgd-step"
    assert drawn_result(BatteryResult("t:make", "network", "half_sse", 0, 5, results[:2])) is None


def test_an_unknown_scheme_is_refused_in_one_sentence_listing_the_names() -> None:
    with pytest.raises(ValueError) as raised:
        parse_scheme("batch")
    assert str(raised.value) == (
        "unknown fit scheme 'batch'; the schemes are: random-sample, per-sample, full-batch-sum, "
        "full-batch-mean, mini-batch-sum-K, mini-batch-mean-K"
    )


def test_a_search_cut_by_the_time_limit_still_reports_the_worst_error_seen(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Passing cases tried before the time limit leave their worst relative error in the result."""
    clock = iter(range(1000))
    monkeypatch.setattr(runner, "time", SimpleNamespace(monotonic=lambda: float(next(clock))))
    # the start reads 0, the cases 1 and 2 are tried, the third reads 3 > 2.5 and stops the search
    result = runner.run_check("output-delta", NeuralNetwork, "layer-level", HALF_SSE, 0, 25, None, 2.5)
    assert (result.status, result.summary) == (
        "passed", "passed on the 2 of 25 cases tried before the time limit")
    assert result.worst_rel_error is not None and 0.0 < result.worst_rel_error < 1e-5


def test_a_scheme_is_described_with_how_its_batches_combine() -> None:
    """The report's header says whether a batch's gradients are summed or averaged."""
    assert parse_scheme("full-batch-sum").describe() == "the full batch per epoch, gradients summed"
    assert parse_scheme("full-batch-mean").describe() == "the full batch per epoch, gradients averaged"
    assert parse_scheme("mini-batch-sum-2").describe() == "mini-batches of 2 rows, gradients summed"


@pytest.mark.parametrize("interface, hidden, layers", [("cli", "--hidden", "--layers"),
                                                       ("pytest", "--backprop-hidden", "--backprop-layers"),
                                                       ("python", "hidden", "layers")])
def test_hidden_with_fixed_layers_is_refused_naming_both_options(interface: str, hidden: str,
                                                                 layers: str) -> None:
    """The refusal names both options as the interface spells them."""
    with pytest.raises(ValueError) as raised:
        declared_space(HALF_SSE, layers="2,2,1", hidden="1", interface=interface)
    assert str(raised.value) == f"{hidden} narrows the drawn networks, so it does not go with fixed {layers}"


def test_a_nested_factory_is_described_by_its_qualified_name() -> None:
    """A factory defined in a class or function is named module:Outer.make, the path to it."""
    class Outer:
        @staticmethod
        def make() -> None:
            return None

    assert describe_factory(Outer.make) == (
        f"{__name__}:test_a_nested_factory_is_described_by_its_qualified_name.<locals>.Outer.make")


def test_a_target_splits_at_its_last_colon_unless_it_is_a_drive_letter() -> None:
    """A one-letter location before the colon is a Windows drive ("C:net.py" is a file); two letters
    are a module."""
    assert split_target("C:net.py") == ("C:net.py", "make")
    assert split_target("ab:build") == ("ab", "build")
    assert split_target("mynet.py:make_net") == ("mynet.py", "make_net")


@pytest.mark.parametrize("loss_name, outputs", [("softmax_ce", 2), ("half_sse", 1)])
def test_plot_with_nothing_failed_draws_the_default_case_of_the_battery_s_loss(
        monkeypatch: pytest.MonkeyPatch, loss_name: str, outputs: int) -> None:
    """With no failing case, `--plot` draws the loss's own default case (two outputs for softmax), with
    the weights the target's network was given for it, and passes the battery's verdict on."""
    import backprop.plots
    from backprop.battery.command import DEFAULT_TARGET, _draw

    drawn: dict[str, Any] = {}
    monkeypatch.setattr(backprop.plots, "write_check_plot",
                        lambda path, factory, case, loss, **options: drawn.update(
                            path=path, case=case, loss=loss.name, **options))
    _draw("default.png", DEFAULT_TARGET, None, loss_name, "layer-level", 5.0, [], None)
    case = drawn.pop("case")
    expected = default_case(get_loss(loss_name)).to_json()
    assert {key: case[key] for key in expected} == expected
    assert expected["layers"] == [2, 2, outputs]
    assert [np.shape(w) for w in case["weights"]] == [(3, 3), (3, outputs)]
    assert drawn == {"path": "default.png", "loss": loss_name, "timeout": 5.0, "battery_failed": [],
                     "case_of": None}


def test_the_layers_option_says_what_is_checked_without_it() -> None:
    """`--layers`: the help gives an example and says which networks are drawn when it is not given."""
    assert _options()["layers"].help == (
        "check only this architecture, e.g. 784,128,10 (repeatable); default: networks of 0 to 3 "
        "hidden layers drawn by the battery, within what the target builds")


def test_the_timeout_option_says_what_running_out_of_time_means() -> None:
    """`--timeout SECONDS`: a check out of time is errored, not failed, and the default is stated."""
    timeout = _options()["timeout"]
    assert (timeout.metavar, timeout.default) == ("SECONDS", 60.0)
    assert timeout.help == "time allowed to each check before it counts as errored (default 60)"


def test_one_check_named_as_a_string_is_one_pytest_keyword() -> None:
    """`only="output-delta"` (one id, not a list) is `-k output-delta` under pytest, not its letters."""
    assert declare("only", "output-delta", PYTEST) == "-k output-delta"
    assert declare("only", ("output-delta", "descent"), PYTEST) == "-k 'output-delta or descent'"


def test_an_epoch_drops_only_a_last_batch_smaller_than_the_others() -> None:
    """Per-sample steps take every row; mini-batches of 2 on 4 rows are two whole batches, none dropped;
    on 3 rows the last batch has one row, and a fit may drop it."""
    assert epoch_paths(parse_scheme("per-sample"), 2) == [((0,), (1,)), ((1,), (0,))]
    assert epoch_paths(parse_scheme("mini-batch-mean-2"), 4) == [
        ((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2)), ((1, 2), (0, 3)), ((1, 3), (0, 2)),
        ((2, 3), (0, 1))]
    assert epoch_paths(parse_scheme("mini-batch-sum-2"), 3) == [
        ((0, 1), (2,)), ((0, 1),), ((0, 2), (1,)), ((0, 2),), ((1, 2), (0,)), ((1, 2),)]


def test_a_bce_case_has_one_target_probability_per_output() -> None:
    """Binary cross-entropy's targets are one value in (0, 1) per output, not one number for them all."""
    case = make_case((2, 2, 3), "sigmoid", 0.1, 1.0, 0, get_loss("bce"))
    assert case.y.shape == (3,)
    assert np.all((case.y >= 0.05) & (case.y <= 0.95)) and len(set(case.y.tolist())) == 3
    assert len(case.to_json()["y"]) == 3


def test_a_target_may_name_a_factory_by_its_dotted_path() -> None:
    """`net.py:Outer.make` names make inside Outer (as a nested factory is described), not a bad target."""
    assert split_target("net.py:Outer.make") == ("net.py", "Outer.make")
    assert split_target("pkg.mod:Builder.make_net") == ("pkg.mod", "Builder.make_net")


def test_a_target_that_loads_without_its_factory_is_refused_with_the_loaders_sentence(tmp_path: Path) -> None:
    """A script that imports but has no such name: TargetError says which target and what is missing."""
    script = tmp_path / "net.py"
    script.write_text("other = 1\n")
    with pytest.raises(TargetError) as raised:
        resolve(f"{script}:make", timeout=30)
    assert str(raised.value) == f"cannot load {script}:make: {script} has no attribute 'make'"


class _UnstartableSubject:
    """A subject whose worker's process ends before it answers."""

    def worker(self, seconds: float) -> LocalWorker:
        raise SubjectEnded("the implementation's process ended with exit code 1 before answering.")


@pytest.mark.parametrize(("bias", "kept"), [("last", "last"), (None, "first")])
def test_conventions_not_probed_keep_the_declared_bias_and_say_why(bias: str | None, kept: str) -> None:
    """A worker that cannot start leaves the profile as declared: the bias given (or the profile's own),
    the scheme given, and a note with the worker's sentence."""
    from backprop.battery.conventions import probe_in_worker

    profile = probe_in_worker(_UnstartableSubject(), Profile("layer-level", notes=("seen",)),  # type: ignore[arg-type]
                              HALF_SSE, 5.0, bias, "per-sample")
    assert profile == Profile("layer-level", bias=kept, scheme="per-sample", notes=(
        "seen",
        "conventions not probed (the implementation's process ended with exit code 1 before answering)"))


class _NoArraysWorker:
    """A worker whose reply to "weights" holds no list of arrays."""

    def request(self, name: str, *args: Any) -> Any:
        return {"names": None, "arrays": None} if name == "weights" else None


@pytest.mark.parametrize(("kind", "sentence"), [
    ("LayerNetwork", "the layers' arrays could not be read"),
    ("ModelNetwork", "the parameters' arrays could not be read"),
])
def test_weights_that_cannot_be_read_are_a_plugin_error_that_says_whose(kind: str, sentence: str) -> None:
    """A reply to "weights" without a list of arrays: PluginError naming the layers' or parameters' arrays."""
    from backprop.battery import protocols
    from backprop.subject import PluginError

    network = getattr(protocols, kind)(_NoArraysWorker(), {})
    with pytest.raises(PluginError) as raised:
        network.weight_arrays()
    assert str(raised.value) == sentence


def test_a_tuple_declared_in_python_is_written_as_a_list() -> None:
    """check(make, only=("output-delta", "descent")) is reproduced as only=['output-delta', 'descent']."""
    assert declare("only", ("output-delta", "descent"), PYTHON) == "only=['output-delta', 'descent']"
    assert reproduce(PYTHON, None, "make", [("only", ("descent",)), ("loss", "bce")]) == (
        "backprop.check(make, only=['descent'], loss='bce')")


def test_a_factory_of_an_importable_module_is_named_by_its_target_string() -> None:
    """backprop.network's NeuralNetwork can be loaded by name, so it has a target string; a factory of
    a script run as __main__ or defined in a function has none."""
    from backprop.battery.targets import importable_name

    def make() -> None:
        return None

    assert importable_name(NeuralNetwork) == "backprop.network:NeuralNetwork"
    assert importable_name(make) is None
    make.__module__ = "__main__"
    make.__qualname__ = "make"
    assert importable_name(make) is None


def test_a_step_on_a_batch_weighs_each_rows_gradient_by_the_schemes_reduction() -> None:
    """A mean over 4 rows weighs each row's gradient 1/4; a sum, and a single row, weigh it 1."""
    from backprop.battery.schemes import weight_of

    assert weight_of(parse_scheme("full-batch-mean"), (0, 1, 2, 3)) == 0.25
    assert weight_of(parse_scheme("mini-batch-mean-2"), (1, 3)) == 0.5
    assert weight_of(parse_scheme("full-batch-sum"), (0, 1, 2, 3)) == 1.0
    assert weight_of(parse_scheme("per-sample"), (2,)) == 1.0


# ---------------------------------------------------------------- probing conventions, layouts, models


def test_a_nested_factory_named_by_its_dotted_path_is_loaded(tmp_path: Path) -> None:
    """`net.py:Outer.make` loads make from inside the class Outer: a nested factory's described name loads."""
    script = tmp_path / "nested.py"
    script.write_text("class Outer:\n    @staticmethod\n"
                      "    def make(layers, activation):\n        return None\n")
    factory = load_target(f"{script}:Outer.make")
    assert (factory.__module__, factory.__qualname__) == ("_backprop_target_nested", "Outer.make")


def test_conventions_probed_in_a_worker_that_ends_say_the_workers_sentence() -> None:
    """A worker whose process ends during the probe: the profile is left as declared, and its note says
    why in the worker's own words."""
    from backprop.battery.conventions import probe_in_worker

    profile = probe_in_worker(_EndingSubject(), Profile("layer-level"), HALF_SSE, 5.0)  # type: ignore[arg-type]
    assert profile == Profile("layer-level", notes=(
        "conventions not probed (the implementation's process ended with exit code 0 "
        "(os._exit, or a crash))",))


def test_the_bias_layouts_are_probed_on_the_network_built_for_the_declared_loss() -> None:
    """A factory taking `loss=` that builds only for softmax cross-entropy: under that declared loss, where
    predict and fit put the constant 1 is found on the network it builds for it."""
    from backprop.battery.conventions import find_layouts

    def make(layers: list[int], activation: str, loss: str) -> NeuralNetwork:
        if loss != "softmax_ce":
            raise ValueError(f"this network is trained by softmax cross-entropy, not {loss}")
        return NeuralNetwork(layers, activation)

    softmax = get_loss("softmax_ce")
    case = make_case((2, 2, 2), "tanh", 0.1, 1.0, 0, softmax)
    profile = Profile("layer-level", frozenset({"fit", "predict"}), loss="softmax_ce")
    assert find_layouts(LocalWorker(make), case, profile, softmax) == {"predict": "first", "fit": "first"}


def test_a_layout_with_the_bias_as_ws_first_row_takes_reference_matrices_as_they_are() -> None:
    """The reference keeps the bias row first: a model holding it as W's first row gets the matrix
    unchanged, one holding it as the last row gets that row moved to the end."""
    from backprop.battery.layout import LayerLayout, Layout

    reference = np.array([[0.5], [1.0], [2.0]])
    first = Layout((LayerLayout(0, None, False, "first"),), ((3, 1),))
    last = Layout((LayerLayout(0, None, False, "last"),), ((3, 1),))
    assert [a.tolist() for a in first.from_reference([reference])] == [[[0.5], [1.0], [2.0]]]
    assert [a.tolist() for a in last.from_reference([reference])] == [[[1.0], [2.0], [0.5]]]


def test_a_float32_model_with_large_outputs_is_matched_within_rounding_of_its_outputs() -> None:
    """predict(x) = 156.725 computed in float32 is 6.1e-6 from the float64 forward: within the agreement
    scaled by the outputs (1e-5 × 156.7), so its layout is found (the bias as W's first row, linear)."""
    from backprop.battery.layout import LayerLayout, Layout, find_layout

    weights = np.array([[0.5], [120.0], [-80.25]], dtype=np.float32)
    x = np.array([0.7, -0.9])
    predicted = np.array([1.0, *x], dtype=np.float32) @ weights
    exact = np.array([1.0, *x]) @ weights.astype(float)
    assert float((predicted - exact)[0]) == pytest.approx(6.1035e-6, rel=1e-4)
    assert find_layout([weights], [2, 1], "tanh", HALF_SSE, [(x, predicted)]) == Layout(
        (LayerLayout(0, None, False, "first"),), ((3, 1),), "identity")


class _GradientsWorker:
    """A worker whose model's gradients(x, y) returns a valid first array and a bad second one."""

    def __init__(self, second: Any) -> None:
        self.second = second

    def request(self, name: str, *args: Any) -> Any:
        return [np.zeros(2), self.second] if name == "method" else None


@pytest.mark.parametrize(("second", "sentence"), [
    (None, "gradient 2 from gradients(x, y) is None"),
    (np.array([0.0, np.nan, 1.0]),
     "gradient 2 from gradients(x, y) holds 1 non-finite value(s) (NaN or inf)"),
])
def test_a_bad_gradient_from_gradients_is_named_by_its_number_counted_from_one(second: Any,
                                                                               sentence: str) -> None:
    from backprop.battery.protocols import ModelNetwork
    from backprop.subject import PluginError

    network = ModelNetwork(_GradientsWorker(second), {})
    with pytest.raises(PluginError) as raised:
        network.gradients(np.zeros(2), np.zeros(1), [(2,), (3,)])
    assert str(raised.value) == sentence


class _PairLoss:
    """A model whose loss(x, y) returns two numbers (a loss of its own meaning)."""

    def __init__(self, layers: list[int]) -> None:
        self.W = np.zeros((layers[0], layers[-1]))

    def parameters(self) -> list[np.ndarray]:
        return [self.W]

    def predict(self, x: np.ndarray) -> np.ndarray:
        return x @ self.W

    def gradients(self, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        return [np.outer(x, x @ self.W - y)]

    def loss(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.array([1.0, 2.0])


def test_a_model_loss_of_two_numbers_is_set_aside_and_the_note_says_predict_is_judged_instead() -> None:
    worker = LocalWorker(lambda layers, activation: _PairLoss(layers))
    profile = runner.own_loss(worker, Profile("model-level", frozenset({"loss", "predict", "gradients"})),
                              Space(fixed=((2, 1),), activations=("tanh",)))
    assert profile == Profile("model-level", frozenset({"predict", "gradients"}), foreign_loss=True, notes=(
        "loss(x, y) is not one number for one sample (it returned 2 values): predict(x) is judged by the "
        "declared loss",))


def test_a_make_that_builds_one_network_whatever_it_is_asked_is_checked_on_it_and_says_so() -> None:
    """make always builds 2-3-1 (read from its weights as 2-4-1, the article's extra hidden unit): the space
    is that network, and what is left out is "networks of other sizes", with the sentence saying why."""
    probed = probe_space(LocalWorker(lambda layers, activation: NeuralNetwork([2, 3, 1], activation)),
                         Space(depths=(0, 1), activations=("tanh",)), Profile("layer-level"))
    assert (probed.space, probed.nothing) == (Space(fixed=((2, 4, 1),), depths=(0, 1),
                                                                activations=("tanh",)), None)
    assert [(f.kind, f.sentence, f.params) for f in probed.left_out] == [(
        "left-out", "networks of other sizes: make ignores the sizes it is given and builds 2-4-1",
        {"what": "networks of other sizes", "fixed": [2, 4, 1]})]


# ---------------------------------------------------------------- overflow findings and scheme names

def test_an_activation_inf_at_the_smallest_probed_z_is_named_inf_with_nothing_said_of_closer_points() -> None:
    """sigmoid(z) inf at z = 10 (the probed z nearest 0) and NaN at z = 20: the sentence names the value
    at z = 10 alone, "inf", and says nothing of points closer to 0, since none was probed."""
    from backprop.battery.checks.overflow import PROBE_Z, activation_finding

    values = np.ones(PROBE_Z.size)
    values[0], values[1] = np.inf, np.nan
    finding = activation_finding("sigmoid", PROBE_Z, values)
    assert finding is not None
    assert finding.sentence == (
        "sigmoid(z) is inf at z = 10, where the mathematics is finite; it is NaN or inf at 2 of the 200 "
        "points probed, z = ±10, ±20, …, ±1000: compute it in a form that does not overflow (np.tanh; "
        "a sigmoid from exp(−|z|))")


def test_the_forward_probe_of_a_one_input_network_sets_every_weight_to_the_whole_large_z() -> None:
    """With one input, x·W is the weight itself, so every weight is 1000 (not split between inputs)."""
    from backprop.battery.checks.overflow import large_weights

    value, arrays = large_weights([(1, 2), (2,)], 1, -1.0)
    assert value == -1000.0
    assert [a.tolist() for a in arrays] == [[[-1000.0, -1000.0]], [-1000.0, -1000.0]]


def test_a_parsed_scheme_keeps_its_name_its_kind_its_reduction_and_its_size() -> None:
    """Each kind of scheme name parses to a Scheme that keeps the name as given (stripped)."""
    from backprop.battery.schemes import Scheme

    assert parse_scheme(" per-sample ") == Scheme("per-sample", "per-sample")
    assert parse_scheme("random-sample") == Scheme("random-sample", "random-sample")
    assert parse_scheme("full-batch-mean") == Scheme("full-batch-mean", "full-batch", "mean")
    assert parse_scheme("mini-batch-sum-3") == Scheme("mini-batch-sum-3", "mini-batch", "sum", 3)


def test_an_epoch_of_three_batches_whose_last_is_smaller_may_drop_only_that_last_batch() -> None:
    """Mini-batches of 2 on 5 rows: each order gives two pairs and a single row, and the path that drops
    the single row keeps both pairs (60 paths: 30 orders of pairs and single, each with and without it)."""
    paths = epoch_paths(parse_scheme("mini-batch-sum-2"), 5)
    assert paths[:4] == [((0, 1), (2, 3), (4,)), ((0, 1), (2, 3)), ((0, 1), (2, 4), (3,)), ((0, 1), (2, 4))]
    assert len(paths) == 60
    assert sorted({sum(map(len, path)) for path in paths}) == [4, 5]


# ---------------------------------------------------------------- inputs-unmodified: the calls and arguments

HYGIENE_CASE = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)


class _Boundary(LocalWorker):
    """A worker in this process whose requests and replies cross a copy, as they cross the subject
    process's pipe: what the implementation does to its arguments stays on its side."""

    def request(self, name: str, *args: Any) -> Any:
        copied = pickle.loads(pickle.dumps(args))
        return pickle.loads(pickle.dumps(super().request(name, *copied)))


class _LayersWriteTheirInputs(NeuralNetwork):
    """The first layer's forward doubles its input, the output layer's backward halves its y, and
    predict doubles its x: all three in the caller's arrays (no fit, whose random rows would add a line)."""

    fit = None  # type: ignore[assignment]

    def __init__(self, layers: list[int], activation: str) -> None:
        super().__init__(layers, activation)
        for layer in self.layers:
            layer.__class__ = _InPlaceLayer

    def predict(self, x: Any) -> Any:
        x *= 2.0
        return super().predict(x)


class _InPlaceLayer(Layer):
    def forward(self, x: Any) -> Any:
        if self.id == 1:
            x *= 2.0
        return super().forward(x)

    def backward(self, y: Any, rightLayer: Layer | None) -> Any:  # noqa: N803 (the article's name)
        if self.isoutputLayer:
            y *= 0.5
        return super().backward(y, rightLayer)


def test_layers_and_predict_that_write_into_their_inputs_are_told_so_by_the_call_and_argument() -> None:
    """The layer-level probes: forward is given x (with its 1), backward y, predict x, and each line of
    the details names the call and the argument as the layer protocol names them."""
    profile = Profile("layer-level", frozenset({"predict"}))
    evidence = evaluate("inputs-unmodified", _Boundary(_LayersWriteTheirInputs), HYGIENE_CASE, HALF_SSE,
                        profile)
    assert (evidence.status, evidence.where, evidence.summary) == (
        "failed", "forward", "3 call(s) modified their inputs")
    assert evidence.details == (
        "forward changed its argument x: 3 of 3 values differ afterwards\n"
        "backward changed its argument y: 1 of 1 values differ afterwards\n"
        "predict changed its argument x: 2 of 2 values differ afterwards"
    )
    assert [(f.kind, f.params, f.sentence) for f in evidence.findings] == [(
        "in-place", {"calls": 3},
        "forward changed its argument x: 3 of 3 values differ afterwards: the caller's arrays are written "
        "in place; work on a copy (X = X.copy(), or build new arrays with np.concatenate) instead of "
        "writing into the argument")]


def test_the_inputs_check_trains_fit_for_three_epochs() -> None:
    """fit is probed as fit(X, y, learning_rate, epochs=3) on the case's row and two more: a short
    training whose cost the check can afford."""
    calls: list[tuple[tuple[int, ...], float, int]] = []

    class RecordsFit(NeuralNetwork):
        def fit(self, X: Any, y: Any, learning_rate: float = 0.1, epochs: int = 10000) -> None:  # noqa: N803
            calls.append((np.shape(X), learning_rate, epochs))
            super().fit(X, y, learning_rate, epochs)

    profile = Profile("layer-level", frozenset({"fit", "predict"}))
    evidence = evaluate("inputs-unmodified", _Boundary(RecordsFit), HYGIENE_CASE, HALF_SSE, profile)
    assert evidence.status == "passed"
    assert calls == [((3, 2), 0.1, 3)]


class _ModelWritesItsInputs:
    """A model whose every call doubles the caller's x and halves its y, in place."""

    def __init__(self, layers: list[int], activation: str) -> None:
        self.W = np.zeros((layers[0], layers[-1]))

    def parameters(self) -> list[np.ndarray]:
        return [self.W]

    def gradients(self, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        x *= 2.0
        y *= 0.5
        return [np.zeros_like(self.W)]

    def predict(self, x: np.ndarray) -> np.ndarray:
        x *= 2.0
        return x @ self.W

    def deltas(self, x: np.ndarray, y: np.ndarray) -> list:
        x *= 2.0
        y *= 0.5
        return []

    def step(self, x: np.ndarray, y: np.ndarray, learning_rate: float) -> None:
        x *= 2.0
        y *= 0.5


def test_a_model_that_writes_into_every_argument_is_told_so_call_by_call_and_argument_by_argument() -> None:
    """The model-level probes: gradients(x, y), predict(x), deltas(x, y) and step(x, y, learning_rate)
    are each called when offered, and each line names the call and the argument by the protocol's names."""
    profile = Profile("model-level", frozenset({"gradients", "predict", "deltas", "step"}))
    evidence = evaluate("inputs-unmodified", _Boundary(_ModelWritesItsInputs), HYGIENE_CASE, HALF_SSE,
                        profile)
    assert (evidence.status, evidence.where, evidence.summary) == (
        "failed", "gradients", "7 call(s) modified their inputs")
    assert evidence.details == (
        "gradients changed its argument x: 2 of 2 values differ afterwards\n"
        "gradients changed its argument y: 1 of 1 values differ afterwards\n"
        "predict changed its argument x: 2 of 2 values differ afterwards\n"
        "deltas changed its argument x: 2 of 2 values differ afterwards\n"
        "deltas changed its argument y: 1 of 1 values differ afterwards\n"
        "step changed its argument x: 2 of 2 values differ afterwards\n"
        "step changed its argument y: 1 of 1 values differ afterwards"
    )
    assert [(f.kind, f.params) for f in evidence.findings] == [("in-place", {"calls": 7})]
    assert evidence.findings[0].sentence.startswith(
        "gradients changed its argument x: 2 of 2 values differ afterwards: the caller's arrays are written")


class _LayersOnly(NeuralNetwork):
    """The article's layers without fit or predict: the inputs check probes forward and backward alone."""

    fit = None  # type: ignore[assignment]
    predict = None  # type: ignore[assignment]


def test_a_nan_in_the_callers_x_left_as_it_was_is_not_a_change() -> None:
    """NaN ≠ NaN: an input that holds NaN and comes back as it went in is compared with NaN equal to
    NaN, so a network that writes nothing passes."""
    case = dataclasses.replace(HYGIENE_CASE, x=np.array([np.nan, 0.5]))
    evidence = evaluate("inputs-unmodified", _Boundary(_LayersOnly), case, HALF_SSE, Profile("layer-level"))
    assert (evidence.status, evidence.details, evidence.findings) == ("passed", "", [])


class _NoisyPredictModel:
    """A model whose predict adds 0.001 more at each call (noise, or dropout left on); step does nothing."""

    def __init__(self, layers: list[int], activation: str) -> None:
        self.W = np.zeros((layers[0], layers[-1]))
        self.calls = 0

    def parameters(self) -> list[np.ndarray]:
        return [self.W]

    def predict(self, x: np.ndarray) -> np.ndarray:
        self.calls += 1
        return x @ self.W + 1e-3 * self.calls

    def step(self, x: np.ndarray, y: np.ndarray, learning_rate: float) -> None:
        pass


def test_a_model_without_gradients_whose_predict_changes_between_calls_is_nondeterministic() -> None:
    """A model offering predict but no gradients is called predict(x) twice at the case's x, and the
    finding names that call."""
    profile = Profile("model-level", frozenset({"step", "predict"}))
    evidence = evaluate("deterministic", _NoisyPredictModel, HYGIENE_CASE, HALF_SSE, profile)
    assert (evidence.status, evidence.where, evidence.summary, evidence.details) == (
        "failed", "predict(x)", "predict(x) gave different answers to the same call, twice in a row",
        "1 of 1 values differ between two calls of predict(x) at the same weights and input")
    assert [(f.kind, f.params, f.sentence) for f in evidence.findings] == [(
        "nondeterministic", {"call": "predict(x)", "differ": 1, "total": 1},
        "predict(x) called twice in a row with the same weights and input gives different values (1 of 1 "
        "differ): something random is drawn in it (dropout left on, noise), so no gradient check can hold")]


class _NoisyOutputLayer(Layer):
    def forward(self, x: Any) -> Any:
        out = super().forward(x)
        if self.isoutputLayer:
            self.calls = getattr(self, "calls", 0) + 1
            out = out + 1e-3 * self.calls
        return out


class _NoisyOutput(NeuralNetwork):
    """Two hidden layers computed as they should be, and an output layer whose forward adds 0.001 more
    at each call."""

    def __init__(self, layers: list[int], activation: str) -> None:
        super().__init__(layers, activation)
        self.layers[-1].__class__ = _NoisyOutputLayer


def test_a_network_whose_last_layers_output_changes_between_forwards_is_nondeterministic() -> None:
    """The layer-level call compared is forward(x)'s last output, the network's: with two hidden layers
    computed right, the output layer alone differs between the two calls."""
    case = make_case((2, 3, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    evidence = evaluate("deterministic", _NoisyOutput, case, HALF_SSE, Profile("layer-level"))
    assert (evidence.status, evidence.where, evidence.summary, evidence.details) == (
        "failed", "forward(x)", "forward(x) gave different answers to the same call, twice in a row",
        "1 of 1 values differ between two calls of forward(x) at the same weights and input")
    assert [(f.kind, f.params, f.sentence) for f in evidence.findings] == [(
        "nondeterministic", {"call": "forward(x)", "differ": 1, "total": 1},
        "forward(x) called twice in a row with the same weights and input gives different values (1 of 1 "
        "differ): something random is drawn in it (dropout left on, noise), so no gradient check can hold")]


class _NoisyFirstGradient:
    """A model of W (2×1) and b (1,) whose gradients(x, y) add 0.001 more to W[0, 0]'s at each call,
    the other two entries computed the same every time."""

    def __init__(self, layers: list[int], activation: str) -> None:
        self.W, self.b = np.zeros((layers[0], layers[-1])), np.zeros(layers[-1])
        self.calls = 0

    def parameters(self) -> list[np.ndarray]:
        return [self.W, self.b]

    def gradients(self, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        self.calls += 1
        dW = np.zeros_like(self.W)
        dW[0, 0] = 1e-3 * self.calls
        return [dW, np.zeros_like(self.b)]


def test_a_gradient_that_changes_between_calls_in_one_entry_is_counted_as_one_of_all() -> None:
    """The count said is of the entries that differ between the two calls (1), out of all (3)."""
    profile = Profile("model-level", frozenset({"gradients"}))
    evidence = evaluate("deterministic", _NoisyFirstGradient, HYGIENE_CASE, HALF_SSE, profile)
    assert (evidence.status, evidence.where, evidence.details) == (
        "failed", "gradients(x, y)",
        "1 of 3 values differ between two calls of gradients(x, y) at the same weights and input")
    assert [(f.kind, f.params) for f in evidence.findings] == [
        ("nondeterministic", {"call": "gradients(x, y)", "differ": 1, "total": 3})]
    assert "gives different values (1 of 3 differ)" in evidence.findings[0].sentence


def test_a_factory_taking_the_loss_is_given_it_in_both_seeded_runs() -> None:
    """make(layers, activation, loss) is built with the declared loss for the runs np.random.seed
    repeats, as everywhere else."""
    def make(layers: list[int], activation: str, loss: str) -> NeuralNetwork:
        if loss != "half_sse":
            raise ValueError(f"this network is trained by half_sse, not {loss}")
        return NeuralNetwork(layers, activation)

    evidence = evaluate("deterministic", make, HYGIENE_CASE, HALF_SSE, Profile("layer-level"))
    assert (evidence.status, evidence.summary) == ("passed", "")


def test_a_layer_network_without_fit_is_judged_on_its_initial_weights_alone() -> None:
    """No fit to train: the two seeded runs compare the initial weights, and the check passes."""
    evidence = evaluate("deterministic", _LayersOnly, HYGIENE_CASE, HALF_SSE, Profile("layer-level"))
    assert (evidence.status, evidence.summary) == ("passed", "")


def test_a_models_step_is_taken_on_the_first_extra_sample_in_both_runs() -> None:
    """Each seeded run takes one step(x, y, learning_rate) on the first of three extra samples."""
    steps: list[tuple[list[float], list[float], float]] = []

    class RecordsStep(_NoisyPredictModel):
        def predict(self, x: np.ndarray) -> np.ndarray:
            return x @ self.W

        def step(self, x: np.ndarray, y: np.ndarray, learning_rate: float) -> None:
            steps.append((x.tolist(), y.tolist(), learning_rate))

    profile = Profile("model-level", frozenset({"step", "predict"}))
    evidence = evaluate("deterministic", RecordsStep, HYGIENE_CASE, HALF_SSE, profile)
    assert evidence.status == "passed"
    xs, ys = HYGIENE_CASE.extra_samples(HALF_SSE, 3)
    assert steps == [(xs[0].tolist(), ys[0].tolist(), 0.1)] * 2


def test_a_models_step_that_draws_from_an_unseeded_source_is_named_for_training() -> None:
    """step adds the number of steps any such model has taken (a source np.random.seed does not reset):
    the initial weights agree, the trained ones do not, and the finding says training is at fault."""
    taken: list[int] = []

    class DriftingStep(_NoisyPredictModel):
        def predict(self, x: np.ndarray) -> np.ndarray:
            return x @ self.W

        def step(self, x: np.ndarray, y: np.ndarray, learning_rate: float) -> None:
            taken.append(1)
            self.W += len(taken)

    profile = Profile("model-level", frozenset({"step", "predict"}))
    evidence = evaluate("deterministic", DriftingStep, HYGIENE_CASE, HALF_SSE, profile)
    assert (evidence.status, evidence.where, evidence.summary, evidence.details) == (
        "failed", "layer 1", "the same np.random.seed gave different trained weights",
        "layer 1: 2 of 2 trained weights differ between two runs seeded with np.random.seed(11)")
    assert [(f.kind, f.params, f.sentence) for f in evidence.findings] == [(
        "nondeterministic", {"stage": "trained", "layer": 1, "differ": 2},
        "training draws from a random source that np.random.seed does not control")]


class _DriftingFirstWeight(_NoisyPredictModel):
    """A model of W (2×1) and b (1,) whose step moves W[0, 0] alone, by the number of steps any model
    built in this process has taken (a source np.random.seed does not reset)."""

    taken = 0

    def __init__(self, layers: list[int], activation: str) -> None:
        super().__init__(layers, activation)
        self.b = np.zeros(layers[-1])

    def parameters(self) -> list[np.ndarray]:
        return [self.W, self.b]

    def predict(self, x: np.ndarray) -> np.ndarray:
        return x @ self.W + self.b

    def step(self, x: np.ndarray, y: np.ndarray, learning_rate: float) -> None:
        type(self).taken += 1
        self.W[0, 0] += type(self).taken


def test_trained_weights_that_differ_in_one_entry_are_counted_as_one_of_the_layers() -> None:
    """The count said is of the layer's weights that differ between the two runs (1 of W's 2)."""
    profile = Profile("model-level", frozenset({"step", "predict"}))
    evidence = evaluate("deterministic", _DriftingFirstWeight, HYGIENE_CASE, HALF_SSE, profile)
    assert (evidence.status, evidence.where, evidence.details) == (
        "failed", "layer 1",
        "layer 1: 1 of 2 trained weights differ between two runs seeded with np.random.seed(11)")
    assert [(f.kind, f.params) for f in evidence.findings] == [
        ("nondeterministic", {"stage": "trained", "layer": 1, "differ": 1})]


def test_the_seed_said_is_the_one_np_random_seed_takes_of_a_seed_beyond_32_bits() -> None:
    """np.random.seed takes 32 bits: a case seeded 2**32 + 11 is said to be seeded np.random.seed(11),
    as the subject's sources were."""
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 2**32 + 11, HALF_SSE)
    profile = Profile("model-level", frozenset({"step", "predict"}))
    evidence = evaluate("deterministic", _DriftingFirstWeight, case, HALF_SSE, profile)
    assert evidence.details == (
        "layer 1: 1 of 2 trained weights differ between two runs seeded with np.random.seed(11)")


def _growing_model(extra: str) -> Any:
    """make for a model of W (2×1) and b (1,), all zeros; from the third network it builds on (the
    second seeded run), b has one value more ("wider") or a third array follows ("more")."""
    built: list[int] = []

    class Growing(_NoisyPredictModel):
        def __init__(self, layers: list[int], activation: str) -> None:
            super().__init__(layers, activation)
            built.append(1)
            later = len(built) >= 3
            self.b = np.zeros(layers[-1] + (extra == "wider" and later))
            self.arrays = [self.W, self.b] + ([np.zeros(2)] if extra == "more" and later else [])

        def parameters(self) -> list[np.ndarray]:
            return self.arrays

        def predict(self, x: np.ndarray) -> np.ndarray:
            return x @ self.W

    return Growing


def test_initial_weights_of_another_shape_count_as_all_differing() -> None:
    """The second run's b has 2 values where the first's had 1: all of the first's are said to differ."""
    profile = Profile("model-level", frozenset({"step", "predict"}))
    evidence = evaluate("deterministic", _growing_model("wider"), HYGIENE_CASE, HALF_SSE, profile)
    assert (evidence.status, evidence.where, evidence.details) == (
        "failed", "layer 2",
        "layer 2: 1 of 1 initial weights differ between two runs seeded with np.random.seed(11)")
    assert [(f.kind, f.params) for f in evidence.findings] == [
        ("nondeterministic", {"stage": "initial", "layer": 2, "differ": 1})]


@pytest.mark.parametrize("beyond", [0, 2**32], ids=["32-bit seed", "seed beyond 32 bits"])
def test_a_second_run_with_one_array_more_is_not_passed(beyond: int) -> None:
    """The second run builds a third array after two equal ones: that is a nondeterministic build, said
    with both counts, never a pass on the arrays both have (it was an error worded as a failure to
    differentiate: "zip() argument 2 is longer than argument 1"); the seed said is the 32 bits
    np.random.seed took."""
    profile = Profile("model-level", frozenset({"step", "predict"}))
    case = dataclasses.replace(HYGIENE_CASE, seed=HYGIENE_CASE.seed + beyond)
    evidence = evaluate("deterministic", _growing_model("more"), case, HALF_SSE, profile)
    assert (evidence.status, evidence.where) == ("failed", "the network")
    assert evidence.summary == "the same np.random.seed gave a different number of initial parameter arrays"
    assert evidence.details == (
        f"2 initial parameter arrays in the first run, 3 in the second, both seeded with "
        f"np.random.seed({HYGIENE_CASE.seed})")
    [finding] = evidence.findings
    assert (finding.kind, finding.params) == ("nondeterministic", {"stage": "initial", "arrays": [2, 3]})
    assert finding.sentence == (
        "the network built with the same seed has 2 parameter arrays in one run and 3 in the other: what it "
        "builds depends on something np.random.seed does not control")
