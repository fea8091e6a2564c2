export { startUiServer, defaultAssetsDir } from './server.js';
export type { UiServer, UiServerOptions } from './server.js';
export { mappingYaml, normalizeDocument } from './mapping-document.js';
export { defaultConfigDir } from './remembered.js';
