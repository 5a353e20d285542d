/** Credential masking lives in src/mask.ts (the terminal uses it too); kept here for the send modules. */
export { addSecret, addSecretsFrom, hasSecrets, mask, maskUrl } from '../mask.js';
