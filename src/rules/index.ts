// rules/: the regulation as pure functions (see DESIGN.md §5).
export * from './dates.js';
export * from './calendar.js';
export * from './calendarLoad.js';
export * from './deadline.js';
export * from './gaps.js';
export * from './clock.js';
export * from './reports.js';
