export { startUiServer, defaultAssetsDir, mappingYaml, normalizeDocument } from './server.js';
export type { UiServer, UiServerOptions } from './server.js';
export { defaultConfigDir } from './remembered.js';
