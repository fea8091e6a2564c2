/**
 * The layer import and export share (and the web page will): checks of the run's target (object id, time zone,
 * whole-number options), the session with Coupa (client lifecycle, event hooks, the preflight read) and the
 * instance's zone (the offsets its records report, the likely zones that have them, ranked once). It sits
 * between the commands (`import`, `export`) and the modules they use (`mapping`, `csv`, `coupa`).
 */
export { checkObjectId, checkPositiveWholeNumber, checkTimeZone } from './target.js';
export { combineHandlers, openClient, readPreflight } from './session.js';
export type { OpenClientOptions, RunClient } from './session.js';
export {
  contradictedOffset,
  describeZoneMismatch,
  instanceOffsets,
  zonesWithOffsets,
} from './instance-zone.js';
export type { InstanceOffset } from './instance-zone.js';
