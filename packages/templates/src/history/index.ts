export { extractiveSummary, type HistoryCompressor } from './history-compressor.js';
export { fitHistory, type HistoryWindow, type HistoryWindowOptions } from './history-window.js';
export { TurnTooLongError } from './turn-too-long.js';
