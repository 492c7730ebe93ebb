/** The PAN-OS profile of the firewall-rest connector (Palo Alto NGFW XML API; research B2). */
export { createPanosApi } from './profile.js';
export { panosOptionsSchema, panosOptionsShape, panosCommitSchema, type PanosOptions, type PanosCommitOptions, type PanosProfileOptions } from './config.js';
export { PanosApiError, panosCode } from './errors.js';
export { USER_FIELDS as PANOS_USER_FIELDS } from './users.js';
