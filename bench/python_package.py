"""`make bench`: the Python package's tifa.run on the corpus folders given, as `tifa run`.
Prints the slogans found and the seconds tifa.run itself took, without the interpreter's start
and `import tifa` (what a notebook pays once).

Usage: python_package.py WORK_DIR OUT_DIR THREADS CORPUS...
"""
import sys
import time

import tifa

work, out, threads, *corpora = sys.argv[1:]
start = time.perf_counter()
result = tifa.run(corpora, work_dir=work, out_dir=out, threads=int(threads), progress=False)
seconds = time.perf_counter() - start
print(f"{len(result)} slogans")
print(f"run_seconds {seconds:.4f}")
