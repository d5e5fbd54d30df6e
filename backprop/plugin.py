"""pytest plugin: `pytest --backprop-impl TARGET` runs the conformance battery on TARGET, and
`pytest --backprop-layer FILE.py:NAME` checks one layer.

The battery becomes one test item per check, `backprop::CHECK-ID`, and a layer one item per
gradient check, `backprop-layer::CHECK-ID`; always the same items in the same order (a layer's
checks follow from its kind, told from its name without importing it), so that pytest-xdist
workers agree on what was collected; each item runs only its own check, so xdist can spread
them over workers.  `--backprop-impl` can be given several times, to grade several
implementations in one run (`pytest -n auto --junitxml`): the items are then
`backprop::TARGET::CHECK-ID`, targets in the order given, each once.
"""

from __future__ import annotations

from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("backprop")
    group.addoption(
        "--backprop-impl",
        action="append",
        default=None,
        metavar="TARGET",
        help="run the backprop conformance battery on TARGET (module:attr or path/to/file.py:attr); "
        "repeat it to run the battery on several targets",
    )
    group.addoption(
        "--backprop-loss",
        action="store",
        default="half_sse",
        metavar="NAME",
        help="the loss TARGET's backward differentiates (default half_sse)",
    )
    group.addoption(
        "--backprop-max-examples",
        action="store",
        type=int,
        default=None,
        metavar="N",
        help="cases tried per check",
    )
    group.addoption(
        "--backprop-layers",
        action="append",
        default=None,
        metavar="SIZES",
        help="check only this architecture of TARGET, e.g. 784,128,10 (repeatable)",
    )
    group.addoption(
        "--backprop-hidden",
        action="store",
        default=None,
        metavar="MIN-MAX",
        help="draw networks with this many hidden layers (e.g. 1 or 1-2)",
    )
    group.addoption(
        "--backprop-activation",
        action="store",
        default=None,
        metavar="NAMES",
        help="draw only these activations, e.g. tanh,sigmoid",
    )
    group.addoption(
        "--backprop-bias",
        action="store",
        default=None,
        choices=("first", "last"),
        help="where TARGET's layers expect the constant 1 of the bias (default: detected)",
    )
    group.addoption(
        "--backprop-fit-scheme",
        action="store",
        default=None,
        metavar="NAME",
        help="how TARGET's fit trains (default: observed)",
    )
    group.addoption(
        "--backprop-l2",
        action="store",
        type=float,
        default=None,
        metavar="LAMBDA",
        help="TARGET's loss includes an L2 penalty LAMBDA/2·‖W‖² on the weights",
    )
    group.addoption(
        "--backprop-l2-biases",
        action="store_true",
        default=None,
        help="the L2 penalty covers the biases too",
    )
    group.addoption(
        "--backprop-seed",
        action="store",
        type=int,
        default=0,
        metavar="N",
        help="seed of the battery's case search (default 0)",
    )
    group.addoption(
        "--backprop-layer",
        action="store",
        default=None,
        metavar="TARGET",
        help="check one layer's gradients (FILE.py:NAME: a layer class, a function returning one, "
        "a CS231n-style forward or backward function, or a loss function)",
    )
    group.addoption(
        "--backprop-layer-kind",
        action="store",
        default=None,
        metavar="KIND",
        help="the kind of the layer given by --backprop-layer, when its name does not say",
    )


class BatteryItem(pytest.Item):
    """One battery check as a pytest test."""

    def __init__(self, *, check: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check

    def runtest(self) -> None:
        self.check()

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        from .battery.targets import TargetError
        from .testing import BatteryCheckFailed

        if isinstance(excinfo.value, (BatteryCheckFailed, TargetError, ValueError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[str, int | None, str]:
        if isinstance(self.parent, BatteryCollector):
            return self.parent.target, None, self.name
        return str(self.config.getoption("backprop_layer")), None, self.name


def targets(config: pytest.Config) -> list[str]:
    """The --backprop-impl targets, in the order given, each once."""
    return list(dict.fromkeys(config.getoption("backprop_impl") or []))


class BatteryCollector(pytest.Collector):
    """The battery's checks on one target given by --backprop-impl, in battery order."""

    def __init__(self, *, target: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target = target

    def collect(self) -> list[pytest.Item]:
        from .battery import CHECK_IDS
        from .battery.interfaces import PYTEST
        from .testing import BatteryCheck

        config = self.config
        options = (
            config.getoption("backprop_loss"),
            config.getoption("backprop_max_examples"),
            config.getoption("backprop_seed"),
        )
        space = {
            "layers": config.getoption("backprop_layers"),
            "hidden": config.getoption("backprop_hidden"),
            "activation": config.getoption("backprop_activation"),
            "bias": config.getoption("backprop_bias"),
            "scheme": config.getoption("backprop_fit_scheme"),
            "l2": config.getoption("backprop_l2"),
            "l2_biases": config.getoption("backprop_l2_biases"),
        }
        declared = {name: value for name, value in space.items() if value is not None}
        target = self.target
        return [
            BatteryItem.from_parent(
                self, name=check_id,
                check=BatteryCheck(target, check_id, *options, options=declared, interface=PYTEST),
            )
            for check_id in CHECK_IDS
        ]


class LayerCollector(pytest.Collector):
    """The checks of the layer given by --backprop-layer: dx, each parameter's gradient, untouched."""

    def collect(self) -> list[pytest.Item]:
        from .layers.runner import LayerTargetError, layer_check_ids
        from .testing import LayerCheck

        config = self.config
        target = config.getoption("backprop_layer")
        kind = config.getoption("backprop_layer_kind")
        options = (kind, config.getoption("backprop_max_examples"), config.getoption("backprop_seed"))
        try:
            ids = layer_check_ids(target, kind)
        except LayerTargetError as error:
            message = str(error)

            def unusable() -> None:
                raise LayerTargetError(message)

            return [BatteryItem.from_parent(self, name="layer", check=unusable)]
        return [
            BatteryItem.from_parent(self, name=check_id, check=LayerCheck(target, check_id, *options))
            for check_id in ids
        ]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Append one item per check (before -k and -m deselect, so they filter these too)."""
    chosen = targets(config)
    for target in chosen:
        # One target keeps the ids `backprop::CHECK-ID`; several are told apart by the target.
        nodeid = "backprop" if len(chosen) == 1 else f"backprop::{target}"
        collector = BatteryCollector.from_parent(session, name=nodeid, nodeid=nodeid, target=target)
        items.extend(session.genitems(collector))  # reports the collection too, so pytest counts the items
    if config.getoption("backprop_layer"):
        layer = LayerCollector.from_parent(session, name="backprop-layer", nodeid="backprop-layer")
        items.extend(session.genitems(layer))
