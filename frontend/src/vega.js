// Vega, Vega-Lite and the CSP-safe expression interpreter as one script for the chart frame.
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import { expressionInterpreter } from "vega-interpreter";

globalThis.nsVega = { vega, vegaLite, expressionInterpreter };
