"""Start-up: `crmctl --help` against its floor `python -c "import click"` (SPEC §7: goal 1.2x, limit 1.5x).

Both are run as whole processes from the same interpreter, interleaved (the
order flips every round), and the medians of wall time compared, so machine
load affects floor and figure alike. The CPU time each process used is printed
beside it: on a busy machine it moves far less than wall time.

Both run from compiled bytecode, as on a user's machine (pip compiles an
installed package; an editable install writes `__pycache__` on first run): the
bytecode goes to a temporary PYTHONPYCACHEPREFIX that the warm-up runs fill,
never into the checkout, even where PYTHONDONTWRITEBYTECODE is set.
`--compile-each-run` measures the other case instead: whatever bytecode is
already cached and nothing written, so crmctl's own modules are compiled from
source on every run of an editable install.

    python bench/startup_bench.py [--runs 40] [--compile-each-run]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_RATIO = 1.2  # the goal of SPEC §7
LIMIT_RATIO = 1.5  # SPEC §7's hard limit


def run_seconds(command, env):
    """(wall, cpu) seconds of one run; cpu is the child's user + system time, which load barely changes."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return wall, usage.ru_utime + usage.ru_stime


def crmctl_command():
    script = os.path.join(os.path.dirname(sys.executable), "crmctl")
    if not os.path.exists(script):
        script = shutil.which("crmctl")
    if script is None:
        sys.exit("crmctl is not installed in this environment: pip install -e .")
    return [script, "--help"]


def benchmark_environment(home, compile_each_run):
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"))
    if compile_each_run:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(home, "pycache")
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument(
        "--compile-each-run", action="store_true",
        help="write no bytecode: crmctl's modules are compiled on every run (editable install)",
    )
    arguments = parser.parse_args()
    home = tempfile.mkdtemp()
    try:
        env = benchmark_environment(home, arguments.compile_each_run)
        floor_command = [sys.executable, "-c", "import click"]
        figure_command = crmctl_command()
        for _ in range(2):  # fill the bytecode cache and warm the file cache
            for command in (floor_command, figure_command):
                run_seconds(command, env)
        floor, figure = [], []
        for round_number in range(arguments.runs):
            if round_number % 2:
                figure.append(run_seconds(figure_command, env))
                floor.append(run_seconds(floor_command, env))
            else:
                floor.append(run_seconds(floor_command, env))
                figure.append(run_seconds(figure_command, env))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    floor_median = statistics.median(wall for wall, _ in floor)
    figure_median = statistics.median(wall for wall, _ in figure)
    floor_cpu = statistics.median(cpu for _, cpu in floor)
    figure_cpu = statistics.median(cpu for _, cpu in figure)
    ratio = figure_median / floor_median
    if ratio <= TARGET_RATIO:
        verdict = "OK"
    elif ratio <= LIMIT_RATIO:
        verdict = f"OVER TARGET (within the {LIMIT_RATIO}x limit)"
    else:
        verdict = "OVER LIMIT"
    bytecode = "compiled on every run" if arguments.compile_each_run else "cached bytecode"
    runs = arguments.runs
    print(f"floor  python -c 'import click'  median {floor_median * 1000:.1f} ms over {runs} runs"
          f" (CPU {floor_cpu * 1000:.1f} ms)")
    print(f"figure crmctl --help             median {figure_median * 1000:.1f} ms over {runs} runs"
          f" (CPU {figure_cpu * 1000:.1f} ms)")
    print(f"ratio  {ratio:.2f}x (target <= {TARGET_RATIO}x, limit {LIMIT_RATIO}x; {bytecode}) {verdict}"
          f"; CPU time {figure_cpu / floor_cpu:.2f}x")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
