export * from './limits.js';
export * from './handle.js';
export * from './messages.js';
export {
  encode as encodeFlowRequest,
  decode as decodeFlowRequest,
  encodingLength as flowRequestLength,
  checkFlowRequest,
  FLOW_ADDRESS_TAG,
} from './request.js';
export type { FlowRequest, DecodedFlowRequest, TransmitterLimits } from './request.js';
