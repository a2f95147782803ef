"""`make bench`: the Python package's tifa.run on the corpus folders given, as `tifa run`.

Usage: python_package.py WORK_DIR OUT_DIR THREADS CORPUS...
"""
import sys

import tifa

work, out, threads, *corpora = sys.argv[1:]
result = tifa.run(corpora, work_dir=work, out_dir=out, threads=int(threads), progress=False)
print(f"{len(result)} slogans")
