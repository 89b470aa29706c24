// Whether RX delivery should wait a turn of the event loop for datagrams still queued on the flow
// sockets. libuv reads at most 32 datagrams per socket per turn: after a stall of the receive
// worker, a socket that gave a full batch since the last check may hold more, and delivering then
// would pass over frames that arrived in time but were not read yet (they would count as late).
// Pure: the worker counts datagrams per flow and asks before each delivery.

/** libuv's per-socket, per-turn read limit (uv__udp_recvmsg). */
export const UV_UDP_READS_PER_TURN = 32;
/** At most this many turns in a row are waited: a flood on one socket cannot hold delivery up. */
export const MAX_DELIVERY_DEFERRALS = 64;

export class DeliveryDrainGate {
  /** Turns waited in total (a counter for the status). */
  deferrals = 0;
  private inARow = 0;

  /** `reads`: datagrams each flow socket gave since the last call (the caller resets its counts). */
  shouldWait(reads: Iterable<number>): boolean {
    let draining = false;
    for (const n of reads) if (n >= UV_UDP_READS_PER_TURN) draining = true;
    if (draining && this.inARow < MAX_DELIVERY_DEFERRALS) {
      this.inARow++;
      this.deferrals++;
      return true;
    }
    this.inARow = 0;
    return false;
  }
}
