export * from './vector-math.js';
export * from './codecs.js';
