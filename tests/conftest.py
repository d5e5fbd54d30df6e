"""The suite gives the same verdict on every run: hypothesis is derandomized, with no deadline
and no example database, whatever the environment."""

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
