/**
 * `mapping init`: a mapping skeleton from a CSV file's header and first rows and, with a client, from the object's
 * real fields and the instance's time zone. It sits beside `import` and `export` (it reads a CSV and talks to
 * Coupa), so that `mapping` stays free of both.
 */
export { initMapping } from './init-mapping.js';
export type { InitMappingOptions, InitMappingResult, InitMappingSource } from './init-mapping.js';
export { likelyZone, type LikelyZoneResult, type OffsetSeen } from './likely-zone.js';
