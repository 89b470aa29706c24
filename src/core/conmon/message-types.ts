// Conmon message types (PROTOCOL.md §4.3, §4.5). Requests arrive unicast on port 8700; every answer
// goes out by multicast to 224.0.0.231:8702.
export const MSG_INTERFACE_INFO = 0x0011;
export const MSG_INTERFACE_QUERY = 0x0013;
export const MSG_CLOCK_STATUS = 0x0020;
export const MSG_CLOCK_QUERY = 0x0021;
export const MSG_BOARD_INFO = 0x0060;
export const MSG_BOARD_INFO_QUERY = 0x0061;
export const MSG_IDENTIFY = 0x0063;
export const MSG_CLEAR_CONFIG_QUERY = 0x0077;
export const MSG_CLEAR_CONFIG_STATUS = 0x0078;
export const MSG_SAMPLE_RATE_STATUS = 0x0080;
export const MSG_SAMPLE_RATE_REQUEST = 0x0081;
export const MSG_ENCODING_STATUS = 0x0082;
export const MSG_ENCODING_REQUEST = 0x0083;
export const MSG_REBOOT = 0x0090;
export const MSG_FACTORY_RESET = 0x0091;
export const MSG_REBOOT_ACK = 0x0092;
export const MSG_RX_CHANNEL_CHANGE = 0x0102;
export const MSG_PRODUCT_INFO = 0x00c0;
export const MSG_PRODUCT_INFO_QUERY = 0x00c1;
export const MSG_AES67_REQUEST = 0x1006;
export const MSG_AES67_STATUS = 0x1007;
/** DC's periodic query; no answer needed (§4.3). */
export const MSG_DC_PERIODIC_QUERY = 0x1008;
