export { checkEmail, emailKey, type EmailCheck } from './email.js';
export { parseList, detectSeparator, type ParsedList, type Recipient, type RowProblem, type Duplicate } from './parse.js';
export { readList, resolveList, type ListRef } from './read.js';
export { formatListReport, listSummary } from './report.js';
export { scanList, listColumns, type ListScan } from './stream.js';
