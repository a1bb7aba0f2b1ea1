export { RunHistoryTable, RUNS_PAGE_SIZE } from './RunHistoryTable';
export { errorHint } from './errorHint';
