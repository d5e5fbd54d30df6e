"""The suite gives the same verdict on every run: hypothesis is derandomized, with no deadline
and no example database, whatever the environment, and what it draws does not depend on the
numbers written in the project's sources."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")


def _freeze_source_constants() -> None:
    """Hypothesis mixes the literals it finds in local modules into what it draws, so editing a
    number in backprop/ (or a mutant doing so) would change every test's examples. The suite
    draws from hypothesis' own constants only. This reaches into hypothesis' internals; when
    they move, the suite just runs with the feature on."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - an older or newer hypothesis
        return
    if not hasattr(providers, "_get_local_constants") or not hasattr(providers, "Constants"):
        return  # pragma: no cover
    no_constants = providers.Constants()
    providers._get_local_constants = lambda: no_constants


_freeze_source_constants()

pytest_plugins = ["mutmut_stats"]
