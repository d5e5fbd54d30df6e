"""backprop.check as a Python API: its arguments, its result, its losses, and the report it renders."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import pytest

import backprop
from backprop import sandbox
from backprop.battery import CHECK_IDS, BatteryResult, CheckResult, targets
from backprop.battery.report import render
from backprop.battery.targets import (
    TargetError,
    describe_factory,
    importable_name,
    load_target,
    resolve,
    split_target,
)

FEW = 4
HOSTILE = Path(__file__).resolve().parent / "hostile"


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"max_examples": 0}, ValueError, "max_examples must be a positive integer"),
        ({"max_examples": 2.5}, ValueError, "max_examples must be a positive integer"),
        ({"seed": -1}, ValueError, "seed must be a non-negative integer"),
        ({"only": ["output-delta", "no-such-check"]}, ValueError, "unknown check id 'no-such-check'"),
        ({"timeout": 0}, ValueError, "timeout must be a positive number"),
        ({"loss": "hinge"}, ValueError, "unknown loss 'hinge'"),
    ],
)
def test_bad_arguments_raise_one_sentence(kwargs: dict, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        backprop.check(backprop.NeuralNetwork, **kwargs)


def test_a_target_that_is_neither_callable_nor_a_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not a int"):
        backprop.check(3)  # type: ignore[arg-type]


def test_an_unloadable_target_string_is_a_target_error() -> None:
    with pytest.raises(TargetError, match="no such file: nowhere/net.py"):
        backprop.check("nowhere/net.py:make")
    assert issubclass(TargetError, ValueError)


def test_the_result_holds_the_contract_fields_in_battery_order() -> None:
    result = backprop.check(
        backprop.NeuralNetwork, max_examples=FEW, only=["descent", "output-delta"], seed=3
    )
    assert isinstance(result, BatteryResult)
    assert (result.protocol, result.loss, result.seed, result.max_examples) == (
        "layer-level",
        "half_sse",
        3,
        FEW,
    )
    assert [r.id for r in result.results] == ["output-delta", "descent"]
    assert result.passed and result.failed_ids == []
    data = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert set(data) == {
        "target", "protocol", "loss", "seed", "max_examples", "isolation", "scheme", "bias", "conventions",
        "space", "left_out", "integrity", "passed", "counts", "results",
    }
    assert (data["scheme"], data["bias"]) == ("random-sample", "first")
    assert data["conventions"] == [
        "bias: the constant 1 goes first (detected from fit and predict)",
        "fit: one random sample per epoch (random-sample, observed on 2 and 4 distinct rows)",
    ]
    assert set(data["results"][0]) == {
        "id",
        "status",
        "summary",
        "worst_rel_error",
        "where",
        "details",
        "diagnosis",
        "minimal_case",
        "reproduce",
        "findings",
    }
    with pytest.raises(KeyError, match="no check with id 'deterministic'"):
        result.by_id("deterministic")


def test_a_check_result_refuses_an_unknown_status() -> None:
    with pytest.raises(ValueError, match="status must be one of"):
        CheckResult("descent", "ok")


def test_the_reference_is_right_for_half_sse_and_wrong_for_mse_with_the_loss_named() -> None:
    result = backprop.check(backprop.NeuralNetwork, loss="mse", max_examples=FEW, only=["output-delta"])
    found = result.by_id("output-delta")
    assert found.status == "failed"
    assert "half_sse" in (found.diagnosis or "")


def test_a_softmax_cross_entropy_battery_draws_at_least_two_outputs() -> None:
    result = backprop.check(
        backprop.NeuralNetwork, loss="softmax_ce", max_examples=FEW, only=["output-delta"]
    )
    case = result.by_id("output-delta").minimal_case
    assert result.by_id("output-delta").status == "failed" and case is not None
    assert case["layers"][-1] >= 2 and sorted(case["y"]).count(1.0) == 1  # one-hot targets


def synthetic() -> BatteryResult:
    return BatteryResult(
        "mynet.py:make",
        "layer-level",
        "half_sse",
        0,
        25,
        [
            CheckResult("activation-derivative", "passed", worst_rel_error=1e-12),
            CheckResult(
                "dz-is-fprime-of-z",
                "failed",
                "dZ is wrong in 1 of 2 layers",
                0.4,
                "layer 1 of 2, unit 0",
                "dZ[0] = 0.7 but f'(z[0]) = 0.6",
                "dZ equals f'(A)",
                {"layers": [1, 1], "activation": "tanh", "x": [0.5], "y": [0.1], "learning_rate": 0.1},
                "backprop check mynet.py:make --only x",
            ),
            CheckResult("output-delta", "failed", "the output delta is wrong", 0.3, "layer 1 of 1, unit 0"),
            CheckResult("predict-is-forward", "errored", "predict(x) raised ValueError: bad."),
            CheckResult("batch-is-sum", "skipped", "the model-level protocol takes one sample at a time"),
        ],
    )


def test_the_report_names_the_first_cause_first_and_marks_what_follows_from_it() -> None:
    text = render(synthetic(), "9.9")
    assert text.splitlines()[0].startswith("backprop 9.9 · target mynet.py:make · protocol layer-level")
    first, second = text.index("FAILED dz-is-fprime-of-z"), text.index("FAILED output-delta")
    assert first < second
    assert "(the first failure in causal order: start here)" in text[first:second]
    assert "can follow from the dz-is-fprime-of-z failure above" in text[second:]
    assert "ERRORED predict-is-forward" in text and "predict(x) raised ValueError: bad." in text
    assert "skipped batch-is-sum: the model-level protocol takes one sample at a time" in text
    assert "1 passed · 2 failed · 1 errored · 1 skipped" in text
    assert "smallest case: layers [1, 1], tanh, x = [0.5], y = [0.1], learning rate 0.1" in text
    assert "reproduce: backprop check mynet.py:make --only x" in text


def test_every_check_id_has_a_row_in_the_default_battery() -> None:
    result = backprop.check(backprop.NeuralNetwork, max_examples=1)
    assert [r.id for r in result.results] == list(CHECK_IDS)
    assert result.passed


def test_a_result_prints_as_the_report_and_shows_as_it_in_jupyter() -> None:
    from backprop.battery import BatteryResult, CheckResult

    failed = CheckResult("output-delta", "failed", "the output delta is wrong", 0.5, "layer 1")
    result = BatteryResult("mynet.py:make", "layer-level", "half_sse", 0, 3, [failed])
    text = str(result)
    assert text.startswith("backprop ") and "FAILED output-delta" in text and "0 passed · 1 failed" in text
    assert "BatteryResult(" not in text
    assert result._repr_html_() == "<pre>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(
        ">", "&gt;").replace('"', "&quot;").replace("'", "&#x27;") + "</pre>"

    class Printer:
        shown = ""

        def text(self, value: str) -> None:
            self.shown += value

    printer = Printer()
    result._repr_pretty_(printer, False)
    assert printer.shown == text


def test_a_target_imports_its_own_neighbours_before_same_named_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for a script, the target's folder comes first on the path: a neighbour named like a module of
    another folder already on the path (two test folders, two submissions) is the target's own."""
    elsewhere, own = tmp_path / "elsewhere", tmp_path / "own"
    elsewhere.mkdir(), own.mkdir()
    (elsewhere / "helper.py").write_text("OTHER = 1\n")
    (own / "helper.py").write_text("from backprop.network import NeuralNetwork\n")
    (own / "target.py").write_text("from helper import NeuralNetwork\n\n\ndef make(layers, activation):\n"
                                   "    return NeuralNetwork(layers, activation)\n")
    monkeypatch.syspath_prepend(str(own))
    monkeypatch.syspath_prepend(str(elsewhere))  # ahead of the target's own folder
    result = backprop.check(f"{own / 'target.py'}:make", max_examples=1, only=["deterministic"])
    assert result.by_id("deterministic").status == "passed"


def test_resolve_returns_a_factory_as_it_is_with_its_module_and_name() -> None:
    """A factory given directly is used as it is, named module:qualname in the reports."""
    factory, name = resolve(backprop.NeuralNetwork)
    assert factory is backprop.NeuralNetwork
    assert name == "backprop.network:NeuralNetwork"


def test_resolve_refuses_what_is_neither_a_factory_nor_a_target_string_in_one_sentence() -> None:
    """The TypeError names what the battery needs and the type it was given instead."""
    with pytest.raises(TypeError) as raised:
        resolve(3)
    assert str(raised.value) == (
        "the battery needs a factory make(layers, activation) or a target string, not a int")


def test_resolve_names_the_file_and_line_of_a_syntax_error(tmp_path: Path) -> None:
    """A script that does not parse is reported at its own file and line, not at the target string."""
    script = tmp_path / "broken.py"
    script.write_text("def make(layers, activation):\n    return = 1\n")
    with pytest.raises(TargetError) as raised:
        resolve(f"{script}:make", timeout=30)
    assert str(raised.value) == f"cannot load {script}:make: syntax error in {script}, line 2: invalid syntax"


def test_resolve_says_the_importing_process_died_when_an_import_crashes() -> None:
    """A crash in native code while importing is one sentence about the importing process."""
    target = f"{HOSTILE / 'import_crash.py'}:make"
    with pytest.raises(TargetError) as raised:
        resolve(target, timeout=30)
    assert str(raised.value) == (
        f"cannot load {target}: the importing process died (signal 11, a crash in native code)")


def test_resolve_gives_an_import_the_time_it_is_told() -> None:
    """The timeout given to resolve is the one the importing child gets, and the one the sentence says."""
    target = f"{HOSTILE / 'import_hang.py'}:make"
    with pytest.raises(TargetError) as raised:
        resolve(target, timeout=0.25)
    assert str(raised.value) == f"cannot load {target}: importing it did not finish within 0.25 s"


def test_resolve_gives_an_import_a_minute_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a timeout, the import is allowed 60 s (the sandbox is stood in for, so as not to wait)."""
    seen: list[float] = []

    def times_out(fn: object, *args: object, timeout: float = 1.0) -> sandbox.Outcome:
        seen.append(timeout)
        return sandbox.Outcome("timed_out", message=f"the implementation did not finish within {timeout:g} s")

    monkeypatch.setattr(targets, "run_isolated", times_out)
    with pytest.raises(TargetError) as raised:
        resolve("mynet.py:make")
    assert seen == [60.0]
    assert str(raised.value) == "cannot load mynet.py:make: importing it did not finish within 60 s"


@pytest.mark.parametrize(("target", "sentence"), [
    ("  ", "a target must be a string such as mynet.py:make or package.module:make, not '  '"),
    ("net.py:my-make", "target 'net.py:my-make' is not of the form module:attr or path/to/file.py:attr"),
    ("net.py:._", "target 'net.py:._' is not of the form module:attr or path/to/file.py:attr"),
    ("net.py:1make", "target 'net.py:1make' is not of the form module:attr or path/to/file.py:attr"),
    ("net.py:Net.", "target 'net.py:Net.' is not of the form module:attr or path/to/file.py:attr"),
])
def test_a_malformed_target_is_refused_in_one_sentence(target: str, sentence: str) -> None:
    """A blank target, or an attribute that is not a dotted name, is a TargetError that quotes the target."""
    with pytest.raises(TargetError) as raised:
        split_target(target)
    assert str(raised.value) == sentence


@pytest.mark.parametrize("attribute", ["_", "_make", "Net.build", "make2"])
def test_every_dotted_python_name_is_a_valid_attribute(attribute: str) -> None:
    """A factory named by any identifier (a lone underscore included), or a dotted path of them, splits."""
    assert split_target(f"net.py:{attribute}") == ("net.py", attribute)


def test_a_windows_path_with_a_drive_letter_splits_at_its_last_colon() -> None:
    """C:/work/net.py:build is the file C:/work/net.py and its factory build, not the module C."""
    assert split_target("C:/work/net.py:build") == ("C:/work/net.py", "build")


def test_a_py_name_without_a_folder_is_a_file_not_a_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nosuch.py:make is looked for as a file in the current folder, and its absence said as such."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TargetError) as raised:
        load_target("nosuch.py:make")
    assert str(raised.value) == "no such file: nosuch.py"


def test_a_file_that_is_not_python_is_refused_in_one_sentence(tmp_path: Path) -> None:
    """A path to a file Python has no loader for (net.txt) is a TargetError, not an AttributeError."""
    text = tmp_path / "net.txt"
    text.write_text("make = 1\n")
    with pytest.raises(TargetError) as raised:
        load_target(f"{text}:make")
    assert str(raised.value) == f"{text} cannot be imported as a Python file"


def test_a_missing_module_is_named_with_a_hint_at_paths() -> None:
    """A module that is not installed: TargetError names it and suggests a path to a .py file."""
    with pytest.raises(TargetError) as raised:
        load_target("no_such_module_for_targets:make")
    assert str(raised.value) == (
        "no module named 'no_such_module_for_targets' "
        "(is it installed, or did you mean a path to a .py file?)")


def test_a_module_that_raises_module_not_found_without_a_name_propagates_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ModuleNotFoundError with no module name, raised by the user's module, is the user's error."""
    (tmp_path / "targets_raises_unnamed.py").write_text("raise ModuleNotFoundError('a plug-in is missing')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="^a plug-in is missing$"):
        load_target("targets_raises_unnamed:make")


def test_a_non_callable_attribute_says_its_type_and_what_was_wanted(tmp_path: Path) -> None:
    """make = 3: the TargetError says the target is an int, not a callable make(layers, activation)."""
    script = tmp_path / "number.py"
    script.write_text("make = 3\n")
    with pytest.raises(TargetError) as raised:
        load_target(f"{script}:make")
    assert str(raised.value) == f"{script}:make is a int, not a callable make(layers, activation)"


def test_a_script_loaded_directly_imports_its_own_neighbours_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """load_target puts the script's folder first on the path, ahead of a folder with a same-named module."""
    elsewhere, own = tmp_path / "elsewhere", tmp_path / "own"
    elsewhere.mkdir(), own.mkdir()
    (elsewhere / "targets_helper_first.py").write_text("WHOSE = 'elsewhere'\n")
    (own / "targets_helper_first.py").write_text("WHOSE = 'own'\n")
    (own / "first.py").write_text("from targets_helper_first import WHOSE\n\n\n"
                                  "def make():\n    return WHOSE\n")
    monkeypatch.syspath_prepend(str(elsewhere))
    monkeypatch.delitem(sys.modules, "targets_helper_first", raising=False)
    try:
        assert load_target(f"{own / 'first.py'}:make")() == "own"
        assert sys.path[0] == str(own)
    finally:
        sys.modules.pop("targets_helper_first", None)


def test_a_script_is_its_own_module_while_it_runs(tmp_path: Path) -> None:
    """sys.modules holds the script under its name as it executes, which a dataclass in it needs."""
    script = tmp_path / "with_dataclass.py"
    script.write_text("import dataclasses\nimport sys\n\n\n@dataclasses.dataclass\nclass Net:\n"
                      "    size: int\n\n\nSELF = sys.modules[__name__]\n\n\ndef make():\n    return Net(3)\n")
    factory = load_target(f"{script}:make")
    assert factory().size == 3
    module = sys.modules["_backprop_target_with_dataclass"]
    assert module.SELF is module


def test_a_script_that_raises_at_import_is_not_left_among_the_modules(tmp_path: Path) -> None:
    """The user's error propagates and the half-run script is taken out of sys.modules."""
    script = tmp_path / "raises_at_import.py"
    script.write_text("raise ValueError('broken at import')\n")
    with pytest.raises(ValueError, match="^broken at import$"):
        load_target(f"{script}:make")
    assert "_backprop_target_raises_at_import" not in sys.modules


def test_a_script_that_leaves_the_modules_and_raises_propagates_its_own_error(tmp_path: Path) -> None:
    """A script that takes itself out of sys.modules before failing: its error, not a KeyError."""
    script = tmp_path / "leaves_and_raises.py"
    script.write_text("import sys\n\ndel sys.modules[__name__]\nraise ValueError('gone')\n")
    with pytest.raises(ValueError, match="^gone$"):
        load_target(f"{script}:make")


class _Named:
    """A callable object with a __name__ of its own but no __qualname__."""

    __name__ = "build"

    def __call__(self) -> None:
        return None


def test_a_factory_is_described_by_what_names_it_has() -> None:
    """module:qualname, else module:__name__, else module:repr; "?" stands for a missing or empty module."""
    assert describe_factory(_Named()) == f"{__name__}:build"
    assert describe_factory(functools.partial(len)) == "functools:functools.partial(<built-in function len>)"
    assert describe_factory(str.join) == "?:str.join"
    assert describe_factory([].append) == "?:list.append"


def test_a_script_loaded_as_a_target_has_no_importable_name(tmp_path: Path) -> None:
    """A script's factory lives in a _backprop_target_ module, which `backprop check` cannot name."""
    script = tmp_path / "loaded_once.py"
    script.write_text("def make(layers, activation):\n    return None\n")
    factory = load_target(f"{script}:make")
    assert describe_factory(factory) == "_backprop_target_loaded_once:make"
    assert importable_name(factory) is None


def test_a_factory_of_main_has_no_importable_name_even_where_main_holds_it(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """A factory of the script being run (__main__) is not loadable by `backprop check`, whatever __main__
    holds in this process."""
    def make_in_main() -> None:
        return None

    make_in_main.__module__ = "__main__"
    make_in_main.__qualname__ = "make_in_main"
    monkeypatch.setattr(sys.modules["__main__"], "make_in_main", make_in_main, raising=False)
    assert importable_name(make_in_main) is None


def test_a_factory_whose_name_loads_something_else_has_no_importable_name() -> None:
    """module:qualname is the factory's target string only if loading it gives back that very factory."""
    def impostor() -> None:
        return None

    impostor.__module__ = "backprop.network"
    impostor.__qualname__ = "NeuralNetwork"
    assert importable_name(impostor) is None
    impostor.__qualname__ = "no_such_factory_here"
    assert importable_name(impostor) is None


def test_a_module_whose_own_import_is_missing_is_not_taken_for_a_missing_target(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`mynet_extra` imports the absent `mynet`: the user's ModuleNotFoundError for `mynet` comes through
    (it was reported as "no module named 'mynet'", the target, because the names share a prefix), while a
    missing target or a missing package on its path is still named as such."""
    (tmp_path / "mynet_extra.py").write_text("import mynet\n\ndef make(layers, activation):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="No module named 'mynet'"):
        load_target("mynet_extra:make")
    with pytest.raises(TargetError, match=r"^no module named 'absent_pkg' \(is it installed"):
        load_target("absent_pkg.net:make")
    with pytest.raises(TargetError, match=r"^no module named 'absent_net' \(is it installed"):
        load_target("absent_net:make")
