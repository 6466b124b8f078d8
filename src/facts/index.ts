// The door of facts/: applies rules/ to held recordings and records each fact with its audit
// entry (DESIGN.md §1, §2 step 6). Ingest calls recordHeldFacts per held file and
// recordSessionFacts after a session; a station calls catchUpFacts when it opens.
export type { FactsContext, FactsEnv, HeldOriginal, RecordingProvenance } from './context.js';
export { calendarWarning, loadStationCalendar } from './calendar-source.js';
export { installCalendarFile, type CalendarInstall } from './calendar-import.js';
export { recordHeldFacts } from './held-facts.js';
export { recordSessionFacts } from './session-facts.js';
export { catchUpFacts } from './catch-up.js';
export { reevaluate } from './deadline.js';
export { registerFieldTrip, type TripRegistered } from './field-trips.js';
export { explainInterruption, type ExplainResult } from './gap-explanations.js';
export { lateReport, type LateRow } from './late-report.js';
export { complianceReport } from './compliance-report.js';
