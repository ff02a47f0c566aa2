"""Score the mutants ``mutmut results --all true`` lists on stdin, per module and in all.

A mutant is killed when a test failed (or it timed out); it survived when every test
passed; "no tests" counts as survived (nothing would catch it).
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict

LINE = re.compile(r"^\s*(?P<module>[\w.]+?)\.x(?:_|ǁ)\S*__mutmut_\d+: (?P<status>.+)$")
KILLED = {"killed", "timeout"}


def main() -> None:
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for line in sys.stdin:
        m = LINE.match(line)
        if m:
            by_module[m["module"]][m["status"].strip()] += 1
    total: Counter[str] = Counter()
    print(f"{'module':<36}{'mutants':>8}{'killed':>8}{'survived':>9}{'score':>8}")
    for module in sorted(by_module):
        c = by_module[module]
        total += c
        _row(module, c)
    _row("all", total)


def _row(name: str, c: Counter[str]) -> None:
    n = sum(c.values())
    killed = sum(c[s] for s in KILLED)
    survived = n - killed - c["not checked"] - c["skipped"]
    checked = killed + survived
    score = f"{killed / checked:.1%}" if checked else "-"
    print(f"{name:<36}{n:>8}{killed:>8}{survived:>9}{score:>8}")


if __name__ == "__main__":
    main()
