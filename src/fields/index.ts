/** Field discovery: an object's custom fields, names and types, as its records show them. */
export { describeFields, discoverFields, NO_RECORDS_HINT, reportedOffsets } from './discover-fields.js';
export type {
  DiscoveredType,
  DiscoverFieldsOptions,
  DiscoverFieldsResult,
  FieldInfo,
  ReportedOffset,
} from './discover-fields.js';
