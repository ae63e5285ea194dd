"""bench/run.py's pooling of earlier runs (--merge): the repetitions of every run are put
together and the medians and spreads computed over all of them."""
import importlib.util
import json
import os
import statistics

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_run_py():
    spec = importlib.util.spec_from_file_location("bench_run", os.path.join(ROOT, "bench", "run.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_run(path, results):
    with open(path, "w") as f:
        json.dump({"reps": 2, "results": results}, f)


def result(name, interp, jit, share, compiled):
    return {"name": name, "interp_times": interp, "jit_times": jit,
            "ratios": [j / i for i, j in zip(interp, jit)], "compile_share": share,
            "compiled_code_objects": compiled}


def test_merge_pools_the_repetitions_of_every_run(tmp_path):
    run = load_run_py()
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_run(a, [result("x", [1.0, 2.0], [0.5, 1.8], 0.01, 3), result("y", [1.0, 1.0], [2.0, 3.0], 0.0, 1)])
    write_run(b, [result("x", [1.0], [0.7], 0.03, 4), result("y", [2.0], [1.0], 0.02, 1)])
    pooled = {r["name"]: r for r in run.merge([str(a), str(b)])}
    assert sorted(pooled) == ["x", "y"]
    x = pooled["x"]
    assert x["ratios"] == [0.5, 0.9, 0.7]
    assert x["ratio"] == statistics.median([0.5, 0.9, 0.7])
    assert (x["ratio_min"], x["ratio_max"]) == (0.5, 0.9)
    assert x["interp_median"] == 1.0 and x["jit_median"] == 0.7
    assert x["compile_share"] == statistics.median([0.01, 0.03])
    assert x["compiled_code_objects"] == 4
    assert pooled["y"]["ratio"] == 2.0


def test_dir_runs_the_programs_of_another_directory(tmp_path):
    # bench/run.py --dir: the programs found there, each run under both interpreters and
    # checked (its `name: ok` line); the JIT runs report what they compiled
    (tmp_path / "tiny.py").write_text(
        "def f(n):\n    return sum(i * i for i in range(n))\n"
        "assert f(2000) == 2664667000\nprint('tiny: ok')\n")
    out = tmp_path / "out.json"
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "run.py"), "--dir",
                           str(tmp_path), "--reps", "5", "--json", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    results = json.load(open(out))["results"]
    assert [r["name"] for r in results] == ["tiny"]
    assert len(results[0]["ratios"]) == 5
    assert results[0]["compiled_code_objects"] > 0
