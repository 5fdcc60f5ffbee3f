"""Interactive outputs (Plotly, Vega-Lite/Vega, saved ipywidgets state) as data for the
sandboxed chart frames (see docs/charts.md); the static rendering stays underneath."""
