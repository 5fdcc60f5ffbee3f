"""Notebooks to safe HTML: cells, outputs, markup, the sanitiser, math, and the jobs that
run the renderer in a limited child process or the background worker."""
