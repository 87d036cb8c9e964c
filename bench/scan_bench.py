"""`crmctl dedup scan` at scale (issue 8): time, peak memory, precision and recall beside the blocked floor.

    python bench/scan_bench.py                     # 100,000, 300,000 and 1,000,000 companies
    python bench/scan_bench.py --sizes 100000,300000
    python bench/scan_bench.py --quick             # 20,000 companies

The companies (`crowded_dataset`) live in a crowded name space: names from
bench/company_data.py's few hundred family names, places and trades, so many
distinct companies share words, are one letter apart or carry the same words
in another order ("Weber & Schmidt" / "Schmidt & Weber", two firms); only the
same normalised name (or the same name apart from a generic word) in one
country is never given to two companies, since the scan rightly joins those.
About 5 % of the records are near-duplicates of another (`company_data.variant`:
legal forms, typos, "&"/"and", accents, "The", a name typed as a web address;
plus a few word-order swaps of two family names). Every record has its own
website and LinkedIn page; a duplicate's website is a third of the time a
subdomain of the original's domain, a third of the time the same label under
another ending, a third of the time a website of its own.

Per size: the scan as a whole process (`crmctl dedup scan --format json` on a
cached SQLite database), its wall time and its peak memory (the ru_maxrss of
that one child, from os.wait4), pairwise precision, recall and F1 against the
truth; beside it the blocked floor of bench/dedup_bench.py (`floor_scan`:
prefix blocks plus a sorted neighbourhood, rapidfuzz token ratio >= 94, in
process, names already in memory), measured in the same run. Times are medians
of --runs runs (3) of each, interleaved; peak memory is the largest. The targets:
precision and recall >= 0.9 at 300,000, time <= 1.5x the floor, peak memory
< 1 GB. The load average is printed beside each size: the machine may be shared.
"""
import argparse
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import company_data  # noqa: E402
from company_data import CRMCTL  # noqa: E402
from dedup_bench import floor_scan, pair_scores  # noqa: E402

DEFAULT_SIZES = (100_000, 300_000, 1_000_000)
QUICK_SIZES = (20_000,)
DUPLICATE_SHARE = 0.05
QUALITY_TARGET = 0.9
QUALITY_TARGET_SIZE = 300_000  # the issue sets the quality target at this size
TIME_RATIO_TARGET = 1.5
MEMORY_TARGET_BYTES = 1_000_000_000
# Part of the cached databases' names: bump it when `crowded_dataset` changes.
DATASET_VERSION = "crowded2"
OTHER_ENDINGS = ("com", "eu", "net", "io")


def _other_ending_host(host, copy):
    """The same domain label under another ending ("acme-1a.pl" -> "acme-1a.com"), one per copy."""
    label, _dot, ending = host.partition(".")
    return f"{label}.{[e for e in OTHER_ENDINGS if e != ending][copy]}"


def duplicate_record(rng, record, copy, number):
    """A near-duplicate of `record` as another lead generator types it, with web addresses of its own."""
    base = record["base"]
    if " & " in base and rng.random() < 0.3:
        left, right = base.split(" & ", 1)
        name = f"{right} & {left}"
    else:
        name, _kind = company_data.variant(rng, record)
    web = rng.randrange(3)
    if web == 0:
        return dict(company_data.with_new_web_keys(record, f"v{copy}"), name=name)
    if web == 1:
        host = _other_ending_host(record["website_key"], copy)
    else:
        host = f"{company_data.slug(name)[:40]}-{number:x}v{copy}.{record['country'].lower()}"
    linkedin = f"company/{company_data.slug(name)[:40]}-{number:x}-v{copy}"
    return dict(record, name=name, website=f"https://www.{host}/", website_key=host,
                linkedin_url=f"https://www.linkedin.com/{linkedin}/", linkedin_key=linkedin)


def crowded_dataset(count, seed=11, duplicate_share=DUPLICATE_SHARE):
    """(records, truth group per record) of `count` companies, about `duplicate_share` of them near-duplicates.

    No two groups share a normalised name (or one apart from generic words) in a country, duplicates
    included: a word-order swap that happens to be another company's name is left out.
    """
    from crmctl.dedup.keys import compact, core_name_key
    from crmctl.rules.names import company_name_key

    def identity(name, country):
        key = company_name_key(name)
        return {(country, key), (country, compact(core_name_key(key)))}

    rng = random.Random(seed)
    records, groups, owners = [], [], {}
    number = 0
    while len(records) < count:
        number += 1
        record = company_data.company(rng, number)
        names = identity(record["name"], record["country"])
        if any(owners.get(name, number) != number for name in names):
            continue
        owners.update(dict.fromkeys(names, number))
        records.append(record)
        groups.append(number)
        if rng.random() < duplicate_share / (1 - duplicate_share):
            for copy in range(rng.choice((1, 1, 1, 2))):
                duplicate = duplicate_record(rng, record, copy, number)
                names = identity(duplicate["name"], duplicate["country"])
                if len(records) < count and all(owners.get(name, number) == number for name in names):
                    owners.update(dict.fromkeys(names, number))
                    records.append(duplicate)
                    groups.append(number)
    order = list(range(len(records)))
    rng.shuffle(order)
    return [records[i] for i in order], [groups[i] for i in order]


def scan_database(count):
    """(path of the cached SQLite database, truth) for `count` crowded companies."""
    records, truth = crowded_dataset(count)
    path = company_data.sqlite_database(f"scan_{DATASET_VERSION}", lambda: iter(records), count)
    return path, records, truth


# A small process, started before the benchmark holds any data, that runs each scan as its own child: a child
# forked from the benchmark itself would carry the benchmark's size in its ru_maxrss (Linux records the
# high-water mark of the address space that exec replaces).
LAUNCHER = """
import json, os, subprocess, sys, time
for line in sys.stdin:
    argv, output_path, errors_path = json.loads(line)
    with open(output_path, "wb") as output, open(errors_path, "wb") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=output, stderr=errors)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    print(json.dumps([elapsed, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)]), flush=True)
"""


class Launcher:
    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def run(self, argv):
        """(seconds, peak resident bytes, exit code, stdout bytes, stderr text) of one command."""
        import json
        import tempfile

        with tempfile.TemporaryDirectory() as directory:
            output_path, errors_path = os.path.join(directory, "out"), os.path.join(directory, "err")
            self.process.stdin.write(json.dumps([argv, output_path, errors_path]) + "\n")
            self.process.stdin.flush()
            elapsed, peak, code = json.loads(self.process.stdout.readline())
            with open(output_path, "rb") as output, open(errors_path) as errors:
                return elapsed, peak, code, output.read(), errors.read()

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def run_scan(launcher, path):
    """(seconds, peak resident bytes, clusters of row indexes) of one `crmctl dedup scan` process."""
    import json

    elapsed, peak, code, output, errors = launcher.run(
        CRMCTL + ["--db", f"sqlite:///{path}", "dedup", "scan", "--format", "json"])
    if code:
        raise SystemExit(f"dedup scan failed ({code}): {errors.strip()}")
    clusters = [[int(typed[1:]) - 1 for typed in cluster["ids"]] for cluster in json.loads(output)]
    return elapsed, peak, clusters


def load_average():
    return os.getloadavg()[0]


def size_figures(launcher, count, runs):
    """One size: the scan and the floor on the same companies, each with precision, recall and F1; times are
    medians of `runs` runs of each, interleaved, so that a burst of load on a shared machine hits both."""
    import statistics

    path, records, truth = scan_database(count)
    names = [record["name"] for record in records]
    loads, scan_times, floor_times, peaks = [load_average()], [], [], []
    for _run in range(runs):
        elapsed, peak, clusters = run_scan(launcher, path)
        scan_times.append(elapsed)
        peaks.append(peak)
        floor_elapsed, floor_clusters = floor_scan(names)
        floor_times.append(floor_elapsed)
        loads.append(load_average())
    precision, recall = pair_scores(clusters, truth)
    floor_precision, floor_recall = pair_scores(floor_clusters, truth)
    return {
        "companies": count, "duplicates": len(truth) - len(set(truth)), "load": max(loads),
        "scan": (statistics.median(scan_times), max(peaks), precision, recall),
        "floor": (statistics.median(floor_times), floor_precision, floor_recall),
    }


def f1(precision, recall):
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def print_figures(all_figures):
    from tabulate import tabulate

    met = {True: "yes", False: "NO"}
    rows = []
    for figures in all_figures:
        count = figures["companies"]
        elapsed, peak, precision, recall = figures["scan"]
        floor_elapsed, floor_precision, floor_recall = figures["floor"]
        quality = f">= {QUALITY_TARGET}" if count == QUALITY_TARGET_SIZE else ""
        label = f"{count:,} ({figures['duplicates']:,} dup.; load {figures['load']:.1f})"
        rows += [
            (label, "time (s)", f"{elapsed:.2f}", f"{floor_elapsed:.2f}", f"{elapsed / floor_elapsed:.2f}x",
             f"<= {TIME_RATIO_TARGET}x", met[elapsed <= TIME_RATIO_TARGET * floor_elapsed]),
            ("", "peak memory (MB)", f"{peak / 1e6:.0f}", "", "", f"< {MEMORY_TARGET_BYTES / 1e6:.0f}",
             met[peak < MEMORY_TARGET_BYTES]),
            ("", "precision", f"{precision:.3f}", f"{floor_precision:.3f}", "", quality,
             met[precision >= QUALITY_TARGET] if quality else ""),
            ("", "recall", f"{recall:.3f}", f"{floor_recall:.3f}", "", quality,
             met[recall >= QUALITY_TARGET] if quality else ""),
            ("", "F1", f"{f1(precision, recall):.3f}", f"{f1(floor_precision, floor_recall):.3f}", "", "", ""),
        ]
    print(tabulate(rows, headers=["companies", "figure", "dedup scan", "floor", "ratio", "target", "met"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(size) for size in DEFAULT_SIZES),
                        help="comma-separated numbers of companies (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="20,000 companies only")
    parser.add_argument("--runs", type=int, default=3, help="runs of the scan and of the floor per size (median)")
    options = parser.parse_args()
    try:
        sizes = QUICK_SIZES if options.quick else tuple(int(size.replace("_", "")) for size in options.sizes.split(","))
    except ValueError:
        parser.error(f"--sizes {options.sizes!r}: give numbers of companies separated by commas")
    all_figures = []
    launcher = Launcher()
    for count in sizes:
        figures = size_figures(launcher, count, max(1, options.runs))
        elapsed, peak, precision, recall = figures["scan"]
        print(f"{count:,}: scan {elapsed:.2f} s, {peak / 1e6:.0f} MB, precision {precision:.3f}, recall {recall:.3f}; "
              f"floor {figures['floor'][0]:.2f} s; load {figures['load']:.1f}", file=sys.stderr)
        all_figures.append(figures)
    launcher.close()
    print_figures(all_figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
