"""newsmark's benchmark suite (`make bench`, or `python -m bench`).

It measures and reports; it never fails on a slow machine. See README.md.
"""
