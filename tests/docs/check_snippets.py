#!/usr/bin/env python3
"""Checks that the code shown in the documentation is code that compiles.

Every fenced block in docs/*.md and README.md that follows a line
    <!-- snippet: path/to/file.cpp#name -->
must equal the region of that file between "// [docs:name]" and "// [docs:end]", with the
region's common indentation removed. Prints each block that drifted and exits 1 if any did.
With --fix as the second argument, rewrites the drifted blocks from the code instead.
"""
import pathlib
import re
import sys
import textwrap

root = pathlib.Path(sys.argv[1])
fix = len(sys.argv) > 2 and sys.argv[2] == "--fix"
pages = sorted((root / "docs").glob("*.md")) + [root / "README.md"]
marker = re.compile(r"^<!-- snippet: ([^#]+)#(\S+) -->$")
failures = checked = 0

for page in pages:
    if not page.exists():
        continue
    lines = page.read_text().splitlines()
    fixed = False
    i = 0
    while i < len(lines):
        m = marker.match(lines[i])
        i += 1
        if not m:
            continue
        while i < len(lines) and not lines[i].startswith("```"):
            i += 1
        start = i + 1
        end = start
        while end < len(lines) and lines[end] != "```":
            end += 1
        block = "\n".join(lines[start:end])
        i = end + 1
        path, name = root / m.group(1), m.group(2)
        src = path.read_text() if path.exists() else ""
        r = re.search(r"^[ \t]*// \[docs:" + re.escape(name) + r"\]\n(.*?)^[ \t]*// \[docs:end\]",
                      src, re.S | re.M)
        checked += 1
        if not r:
            print(f"{page.name}: no region '{name}' in {m.group(1)}")
            failures += 1
            continue
        region = textwrap.dedent(r.group(1)).rstrip("\n")
        if block != region and fix:
            lines[start:end] = region.split("\n")
            i = start + len(region.split("\n")) + 1
            fixed = True
            print(f"{page.name}: rewrote the block of {m.group(1)}#{name}")
        elif block != region:
            print(f"{page.name}: the block after 'snippet: {m.group(1)}#{name}' differs from "
                  f"the code.\n--- page ---\n{block}\n--- code ---\n{region}\n")
            failures += 1

    if fixed:
        page.write_text("\n".join(lines) + "\n")

print(f"{checked} documentation snippets checked, {failures} differ")
sys.exit(1 if failures else 0)
