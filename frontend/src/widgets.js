// The standard Jupyter widget manager for saved widget state, without its page embedder (which
// compiles a JSON schema with `new Function`, refused by the frame's policy).
import { HTMLManager } from "@jupyter-widgets/html-manager/lib/htmlmanager.js";
// eslint-disable-next-line no-undef
const styles = NS_WIDGET_STYLES; // the bundled CSS of src/widgets.css, set by build.mjs

globalThis.nsWidgets = { HTMLManager, styles };
