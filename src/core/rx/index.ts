export * from './types.js';
export * from './plan.js';
export * from './subscriptions.js';
