export { loadConfig, resolveConfigPath, validateConfigObject, PRODUCTION_CONFIG, DEV_CONFIG } from './load.js';
export { writeConfig } from './write.js';
export { ConfigError, type ConfigErrorCode } from './errors.js';
export { ConfigSchema, type Config, type ConfigFile } from './schema.js';
