"""scripts/mutation_sample.py turns mutmut's results into per-file scores: its sample must be
the same on every run and spread over every file, and its interval must be the Wilson one."""

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("mutation_sample", ROOT / "scripts" / "mutation_sample.py")
assert spec is not None and spec.loader is not None
sample = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sample)


@pytest.mark.parametrize(
    "mutant, path",
    [
        ("backprop.battery.checks.deltas.x_hidden_delta__mutmut_12", "backprop/battery/checks/deltas.py"),
        ("backprop.numerical.budget.xǁBudgetǁallowance__mutmut_3", "backprop/numerical/budget.py"),
        ("backprop.battery.runner.x__x_y__mutmut_1", "backprop/battery/runner.py"),
        ("backprop.battery.checks.x__load__mutmut_3", "backprop/battery/checks/__init__.py"),
    ],
)
def test_a_mutant_is_filed_under_its_source_file(mutant, path):
    assert sample.source_file(mutant) == path


@pytest.mark.parametrize(
    "killed, n, low, high",
    # Wilson's 95 % interval, computed by hand: at 10 of 10 the lower end is 72.2 %, not 100 %.
    [(10, 10, 0.7225, 1.0), (0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634), (45, 50, 0.7864, 0.9565)],
)
def test_the_interval_is_wilsons(killed, n, low, high):
    got = sample.wilson(killed, n)
    assert got == pytest.approx((low, high), abs=5e-4)


def test_the_sample_is_seeded_and_takes_the_same_number_from_each_file():
    statuses = {f"backprop.battery.a.x_f__mutmut_{i}": "not checked" for i in range(1, 30)}
    statuses |= {f"backprop.numerical.b.x_g__mutmut_{i}": "not checked" for i in range(1, 4)}
    statuses |= {"backprop.network.x_h__mutmut_1": "not checked"}
    drawn = sample.draw(statuses, sample.DEFAULT_FILES, 5, seed=0)
    assert drawn == sample.draw(statuses, sample.DEFAULT_FILES, 5, seed=0)
    assert drawn != sample.draw(statuses, sample.DEFAULT_FILES, 5, seed=1)
    files = [sample.source_file(name) for name in drawn]
    assert files.count("backprop/battery/a.py") == 5
    assert files.count("backprop/numerical/b.py") == 3  # a file with fewer mutants gives them all
    assert "backprop/network.py" not in files
    elsewhere = ["backprop.grading.c.x_k__mutmut_1", "backprop.layers.d.x_m__mutmut_1"]
    assert sample.draw(dict.fromkeys(elsewhere, "not checked"), sample.DEFAULT_FILES, 5, seed=0) == elsewhere
    assert len(sample.draw(statuses, sample.DEFAULT_FILES, 0, seed=0)) == 32
    # a file's draw depends on its own mutants only: more mutants in another file change nothing
    statuses |= {f"backprop.battery.0.x_f__mutmut_{i}": "not checked" for i in range(1, 30)}
    redrawn = sample.draw(statuses, sample.DEFAULT_FILES, 5, seed=0)
    assert [name for name in redrawn if ".a." in name] == [name for name in drawn if ".a." in name]


def test_the_report_counts_equivalents_apart_and_lists_every_survivor(capsys, monkeypatch):
    names = [f"backprop.battery.a.x_f__mutmut_{i}" for i in range(1, 5)]
    statuses = dict(zip(names, ["killed", "survived", "survived", "not checked"]))
    monkeypatch.setattr(sample, "equivalents", lambda: {names[2]: "same value"})
    sample.report(statuses, names)
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("backprop/battery/a.py"))
    # drawn 4, killed 1, equivalent 1, alive 1, unrun 1: the score is 1 of the 2 judged
    assert row.split()[1:6] == ["4", "1", "1", "1", "1"]
    assert "50.0%" in row
    assert f"survived: {names[1]}" in out
    assert f"survived: {names[2]}" not in out


def test_a_killed_mutant_listed_as_equivalent_counts_as_killed_and_its_entry_is_stale(capsys, monkeypatch):
    # an edit above a listed mutant renumbers its function: the name now belongs to another mutant
    names = [f"backprop.battery.a.x_f__mutmut_{i}" for i in range(1, 3)]
    statuses = dict(zip(names, ["killed", "survived"]))
    monkeypatch.setattr(sample, "equivalents", lambda: dict.fromkeys(names, "same value"))
    sample.report(statuses, names)
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("backprop/battery/a.py"))
    assert row.split()[1:6] == ["2", "1", "1", "0", "0"]
    assert f"listed as equivalent but killed (renumbered? look again at its entry): {names[0]}" in out
    assert names[1] not in out


def test_an_excluded_mutant_is_never_drawn_and_the_others_are_drawn_as_before():
    # a sample unseen by the tests written for earlier samples: their mutants are left out
    statuses = {f"backprop.battery.a.x_f__mutmut_{i}": "not checked" for i in range(1, 30)}
    earlier = frozenset(sample.draw(statuses, sample.DEFAULT_FILES, 5, seed=0))
    fresh = sample.draw(statuses, sample.DEFAULT_FILES, 5, seed=0, exclude=earlier)
    assert len(fresh) == 5 and not earlier & set(fresh)
    pool = {name: status for name, status in statuses.items() if name not in earlier}
    assert fresh == sample.draw(pool, sample.DEFAULT_FILES, 5, seed=0)


def test_without_mutmut_the_script_says_so_in_one_sentence(monkeypatch, capsys):
    def missing(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", "mutmut")

    monkeypatch.setattr(sample.subprocess, "run", missing)
    assert sample.main(["--report"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mutmut is not installed") and len(err.splitlines()) == 1


@pytest.mark.parametrize("option", ["--names", "--exclude"])
def test_a_names_file_that_does_not_exist_is_one_sentence(tmp_path, capsys, option):
    missing = tmp_path / "absent.txt"
    assert sample.main([option, str(missing), "--report"]) == 2
    assert capsys.readouterr().err.strip() == f"{missing}: no such file of mutant names"


def test_a_names_file_with_no_known_mutant_says_so_not_the_globs(tmp_path, capsys, monkeypatch):
    listed = tmp_path / "names.txt"
    listed.write_text("backprop.gone.x_f__mutmut_1\nbackprop.gone.x_f__mutmut_2\n")
    monkeypatch.setattr(sample, "mutant_statuses", lambda: {"backprop.battery.a.x_f__mutmut_1": "killed"})
    assert sample.main(["--names", str(listed), "--report"]) == 2
    assert capsys.readouterr().err.strip() == f"none of the 2 names in {listed} is one of mutmut's mutants"


def test_a_cached_verdict_files_its_calls_under_every_test_that_reads_it(tmp_path, monkeypatch):
    """During mutmut's stats run, the second test to read a cached result must be filed under the
    functions that computing it reached, or their mutants would never run that test."""
    pytest.importorskip("mutmut")
    import mutmut_stats
    from mutmut.state import state

    monkeypatch.setattr(mutmut_stats, "_CHILD_HITS", tmp_path)
    monkeypatch.setattr(mutmut_stats, "_collecting_stats", lambda: True)
    monkeypatch.setattr(state(), "_stats", set())
    computed = []

    @mutmut_stats.cache_with_calls
    def verdict(name):
        computed.append(name)
        state()._stats.add(f"backprop.x_{name}")
        (tmp_path / "4242").write_text(f"backprop.x_{name}_in_a_child")
        return name.upper()

    state()._stats.add("backprop.x_before")  # a call the first test made before asking
    assert verdict("deltas") == "DELTAS"
    assert state()._stats == {"backprop.x_before", "backprop.x_deltas", "backprop.x_deltas_in_a_child"}
    state()._stats.clear()  # mutmut files the first test's calls and starts the second
    assert verdict("deltas") == "DELTAS"
    assert state()._stats == {"backprop.x_deltas", "backprop.x_deltas_in_a_child"}
    assert computed == ["deltas"]


def test_outside_a_stats_run_the_cache_files_nothing(monkeypatch):
    import mutmut_stats

    monkeypatch.setattr(mutmut_stats, "_CHILD_HITS", None)
    computed = []

    @mutmut_stats.cache_with_calls
    def verdict(name, loss=None):
        computed.append((name, loss))
        return len(computed)

    assert [verdict("a"), verdict("a"), verdict("a", loss="sse"), verdict("a", loss="sse")] == [1, 1, 2, 2]


def test_a_cached_verdict_is_computed_again_under_another_mutant(monkeypatch):
    """mutmut forks each mutant's worker from the process that ran the stats: a verdict cached there
    on the unmutated code must not be read back under a mutant, or no mutant could ever fail it."""
    import mutmut_stats

    monkeypatch.setattr(mutmut_stats, "_CHILD_HITS", None)
    computed = []

    @mutmut_stats.cache_with_calls
    def verdict(name):
        computed.append(os.environ.get("MUTANT_UNDER_TEST"))
        return len(computed)

    monkeypatch.setenv("MUTANT_UNDER_TEST", "stats")
    assert [verdict("a"), verdict("a")] == [1, 1]
    monkeypatch.setenv("MUTANT_UNDER_TEST", "backprop.battery.checks.deltas.x__deltas__mutmut_121")
    assert [verdict("a"), verdict("a")] == [2, 2]
    assert computed == ["stats", "backprop.battery.checks.deltas.x__deltas__mutmut_121"]
