#!/usr/bin/env bash
# Corpus benchmark (see README.md "Performance" and benchmarks/corpus/run.py --help).
# Usage: bash benchmarks/corpus/run.sh [run.py options], e.g. --hours 50 --files 100 --ranks 1,2 --threads 1,2
exec /usr/bin/python3 "$(dirname "$0")/run.py" "$@"
