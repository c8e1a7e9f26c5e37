// Shared contracts: zod schemas with inferred types. Each domain file appends its export here.
export * from './common.js';
export * from './auth.js';
export * from './health.js';
export * from './sidecar.js';
export * from './stash-sense-compat.js';
export * from './face-index.js';
export * from './faces.js';
export * from './contributions.js';
export * from './index-distribution.js';
export * from './admin.js';
