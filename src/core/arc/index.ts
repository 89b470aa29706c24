// ARC (the Dante control protocol on the ARC port): codecs, the pure server logic and the
// controller-side builders and parsers. PROTOCOL.md §3.
export * from './constants.js';
export * from './header.js';
export * from './format.js';
export * from './paging.js';
export { ipv4ToU32, u32ToIpv4 } from '../ipv4.js';
export * from './channel-counts.js';
export * from './device-name.js';
export * from './device-info.js';
export * from './settings.js';
export * from './tx-channels.js';
export * from './rx-channels.js';
export * from './channel-rename.js';
export * from './subscriptions.js';
export * from './tx-flows.js';
export * from './rx-flows.js';
export * from './multicast.js';
export * from './fixed-replies.js';
export * from './device-view.js';
export * from './server.js';
export * from './controller.js';
