#!/usr/bin/env python3
"""Keeps docs/tutorial.md true: every ```console block starts with `$ vtdsim ...` and shows that command's exact
output. `check` re-runs every command against the built binary and fails on any difference; `update` rewrites
the outputs. Usage: tutorial.py check|update VTDSIM_BINARY [REPO_ROOT]"""
import pathlib
import re
import shlex
import subprocess
import sys


def run(binary, root, command):
    args = shlex.split(command)
    assert args[0] == "vtdsim", command
    out = subprocess.run([binary] + args[1:], cwd=root, capture_output=True, text=True,
                         env={"SYSTEMC_DISABLE_COPYRIGHT_MESSAGE": "1", "PATH": "/usr/bin:/bin"})
    return (out.stdout + out.stderr).rstrip("\n")


def main():
    mode, binary = sys.argv[1], sys.argv[2]
    root = pathlib.Path(sys.argv[3] if len(sys.argv) > 3 else pathlib.Path(__file__).resolve().parent.parent)
    doc = root / "docs" / "tutorial.md"
    text = doc.read_text()
    pattern = re.compile(r"```console\n\$ (vtdsim[^\n]*)\n(.*?)```", re.S)
    failures, blocks = [], 0

    def replace(m):
        nonlocal blocks
        blocks += 1
        command, shown = m.group(1), m.group(2).rstrip("\n")
        actual = run(binary, root, command)
        if actual != shown:
            failures.append((command, shown, actual))
        return f"```console\n$ {command}\n{actual}\n```"

    new = pattern.sub(replace, text)
    if mode == "update":
        doc.write_text(new)
        print(f"tutorial: {blocks} commands run, {len(failures)} outputs updated")
        return 0
    for command, shown, actual in failures:
        print(f"tutorial drifted: $ {command}")
        import difflib
        for line in difflib.unified_diff(shown.splitlines(), actual.splitlines(), "docs/tutorial.md", "actual",
                                         lineterm=""):
            print(line)
    print(f"tutorial: {blocks} commands, {len(failures)} differ")
    return 1 if failures or blocks == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
