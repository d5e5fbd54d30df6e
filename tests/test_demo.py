"""The XOR demo converges with its documented settings and prints the article's tables."""

from __future__ import annotations

import numpy as np
import pytest

from backprop.cli import main
from backprop.demo import XOR_SETTINGS, XOR_X, XOR_Y, train_xor


@pytest.mark.parametrize("activation", sorted(XOR_SETTINGS))
def test_seeded_xor_converges(activation: str) -> None:
    run = train_xor(XOR_SETTINGS[activation])
    assert run.converged, run.predictions
    np.testing.assert_allclose(run.predictions[:, 0], XOR_Y, atol=0.1)
    assert run.losses[-1][1] < run.losses[0][1] / 10
    assert run.losses[-1][0] == XOR_SETTINGS[activation].epochs


def test_chunked_training_is_the_same_as_one_fit() -> None:
    from backprop import NeuralNetwork

    settings = XOR_SETTINGS["tanh"]
    whole = NeuralNetwork(list(settings.layers), settings.activation, rng=settings.seed)
    whole.fit(XOR_X, XOR_Y, settings.learning_rate, settings.epochs)
    np.testing.assert_array_equal(whole.predict(XOR_X), train_xor(settings).predictions)


def test_demo_prints_a_table_per_activation_with_its_settings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "xor", "--activation", "tanh"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Result with tanh  (layers [2, 2, 1], learning rate 0.1, 10000 epochs, seed 0)"
    assert [line.split(" [")[0] for line in out[1:]] == ["[0 0]", "[0 1]", "[1 0]", "[1 1]"]
    assert len(out) == 5


def test_demo_refuses_a_bad_option_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "xor", "--convergence", "0"])
    assert exit_info.value.code == 2
    assert "positive whole number" in capsys.readouterr().err


def test_demo_plot_is_written(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "xor.png"
    assert main(["demo", "xor", "--activation", "tanh", "--plot", str(path)]) == 0
    assert path.stat().st_size > 10_000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"plot written to {path}" in capsys.readouterr().out


def test_demo_plot_without_matplotlib_says_how_to_install_before_training(monkeypatch, capsys) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real_find_spec(name, *a))
    assert main(["demo", "xor", "--plot", "x.png"]) == 2
    captured = capsys.readouterr()
    assert "pip install 'backprop-check[plot]'" in captured.err and captured.out == ""


def test_demo_plot_into_a_missing_folder_is_one_line(tmp_path, capsys) -> None:
    pytest.importorskip("matplotlib")
    assert main(["demo", "xor", "--activation", "tanh", "--plot", str(tmp_path / "no" / "x.png")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("backprop demo: error: cannot write the plot") and err.count("\n") == 1
