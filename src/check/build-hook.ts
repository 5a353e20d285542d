/** What `roundup build` needs from the preflight, behind one lazy import. */
export { runChecks } from './index.js';
export { formatFinding } from './report.js';
