"""The hot path of the notebook page: immutable parts cached per process, conditional
requests and compression (see docs/deploy.md, "Fast pages")."""
