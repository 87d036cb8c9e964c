"""Start-up: `crmctl --help` against its floor `python -c "import click"` (SPEC §7: within 1.5x).

Both are run as whole processes from the same interpreter, interleaved, and the
medians compared, so machine load affects floor and figure alike.

    python bench/startup_bench.py [--runs 40]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_RATIO = 1.5


def run_seconds(command, env):
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def crmctl_command():
    script = os.path.join(os.path.dirname(sys.executable), "crmctl")
    if not os.path.exists(script):
        script = shutil.which("crmctl")
    if script is None:
        sys.exit("crmctl is not installed in this environment: pip install -e .")
    return [script, "--help"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    arguments = parser.parse_args()
    home = tempfile.mkdtemp()
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"))
    floor_command = [sys.executable, "-c", "import click"]
    figure_command = crmctl_command()
    for command in (floor_command, figure_command):  # warm the file cache
        run_seconds(command, env)
    floor, figure = [], []
    for _ in range(arguments.runs):
        floor.append(run_seconds(floor_command, env))
        figure.append(run_seconds(figure_command, env))
    floor_median = statistics.median(floor)
    figure_median = statistics.median(figure)
    ratio = figure_median / floor_median
    verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
    print(f"floor  python -c 'import click'  median {floor_median * 1000:.1f} ms over {arguments.runs} runs")
    print(f"figure crmctl --help             median {figure_median * 1000:.1f} ms over {arguments.runs} runs")
    print(f"ratio  {ratio:.2f}x (target <= {TARGET_RATIO}x) {verdict}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
