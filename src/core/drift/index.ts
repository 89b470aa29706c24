// Adaptive resampling between the media clock and devices with their own clock (sound cards).
export { DRIFT_MAX_PPM, DriftController } from './controller.js';
export type { DriftControllerOptions } from './controller.js';
export { MAX_RATIO, MIN_RATIO, RESAMPLER_DESIGNS, Resampler } from './resampler.js';
export type { ResampleResult, ResamplerOptions, ResamplerQuality } from './resampler.js';
export { besselI0, designSincTable } from './sinc.js';
export type { SincDesign } from './sinc.js';
