// govuk-frontend's components (error summary focus, details, ...); a file, so the page's CSP needs no inline script.
import { initAll } from "./govuk/govuk-frontend.min.js";
initAll();
