"""The benchmark harness (tests/bench, run by `make bench`) still runs: on a
tiny dataset, one run per endpoint, every baseline checked against its
endpoint's response. Timings are not asserted; speed belongs to the benchmarks."""

import io

import orjson
import pytest

from tests.bench import run

KEYS = {"endpoint", "scale", "database", "median_ms", "p95_ms", "baseline_median_ms", "ratio", "queries"}


@pytest.mark.django_db
def test_bench_harness_measures_every_endpoint_and_writes_json(tmp_path, monkeypatch):
    out = io.StringIO()
    run.prepare(0.002, out=out)
    run.prepare(0.002, out=out)
    assert "reusing the generated dataset" in out.getvalue()
    # The test's database stands for the scale's own.
    monkeypatch.setattr(run, "use_database", lambda name: None)
    results = run.measure_scales([0.002], runs=1, warmup=0, turns=1)
    path = tmp_path / "latest.json"
    run.write(results, path)

    rows = orjson.loads(path.read_bytes())
    assert [row["endpoint"] for row in rows] == [
        *run.GOALS,
        "api-floor-404",
        "admin-case-changelist",
        "admin-case-change",
    ]
    for row in rows:
        assert set(row) == KEYS
        assert row["scale"] == 0.002
        assert min(row["median_ms"], row["baseline_median_ms"], row["ratio"]) > 0
        assert isinstance(row["queries"], int)
    assert "api-case-list-anon" in run.table(rows)


@pytest.mark.django_db
def test_bench_runs_share_the_timed_runs_out_over_turns_of_the_scales(monkeypatch):
    run.prepare(0.002, out=io.StringIO())
    visits = []
    monkeypatch.setattr(run, "use_database", visits.append)
    shares = []
    timed = run.timed

    def timed_share(functions, runs, warmup):
        shares.append(runs)
        return timed(functions, runs, warmup)

    monkeypatch.setattr(run, "timed", timed_share)

    rows = run.measure_scales([0.002], runs=5, warmup=0, turns=2)

    database = run.database_for(0.002)
    assert visits == [database, database, database]  # checks, then each turn
    endpoints = len(rows)
    assert shares == [3] * endpoints + [2] * endpoints
    assert {row["scale"] for row in rows} == {0.002}
