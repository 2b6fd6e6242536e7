/**
 * The contract between the transaction layer (RFC 3261 §17, RFC 6026) and its user, the UA core
 * (dialogs, registrar, B2BUA). Written before both so they can be built side by side; change it
 * only together with both sides.
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import type { Remote } from '../transport/types.js';

export interface TimerConfig {
  /** RTT estimate, default 500 ms. */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4000 ms. */
  t2: number;
  /** Maximum time a message stays in the network, default 5000 ms. */
  t4: number;
}

export const DEFAULT_TIMERS: Readonly<TimerConfig> = Object.freeze({ t1: 500, t2: 4000, t4: 5000 });

/** A request received by the box, with its transaction. */
export interface ServerTransaction {
  readonly id: string;
  readonly request: SipRequest;
  readonly source: Remote;
  /**
   * Send a response. Provisional responses may be sent several times; the first final response
   * ends the TU's part. For INVITE: 100 Trying was already sent by the layer on arrival; a 2xx moves
   * the transaction to Accepted (RFC 6026 §7.1) and its retransmission until ACK is the UA core's job
   * (§13.3.1.4); 3xx-6xx are retransmitted by the layer until ACK (timers G/H).
   * Throws (never silently ignores) when called after a final response.
   */
  respond(res: SipResponse): void;
  /** True once a final response was given. */
  readonly finished: boolean;
}

/** A request sent by the box, with its transaction. */
export interface ClientTransaction {
  readonly id: string;
  readonly request: SipRequest;
  /**
   * The final response: a real one, or one the layer made up — 408 Request Timeout on timer B/F,
   * 503 Service Unavailable on a transport error (§8.1.3.1, §8.1.3.3). For INVITE a 2xx resolves it
   * and later 2xx retransmissions (forking, lost ACK) go to `onResponse` too (RFC 6026 Accepted).
   */
  readonly final: Promise<SipResponse>;
}

export interface ClientRequestOptions {
  /** Every response: 1xx as they come, the final one, and (INVITE) retransmitted 2xx. */
  onResponse?: (res: SipResponse) => void;
}

/** The layer's user: the UA core. Called synchronously from the receive path; must not throw. */
export interface TransactionUser {
  /** A new request (not ACK; not a CANCEL that matched an INVITE). */
  onRequest(tx: ServerTransaction): void;
  /** An ACK no transaction absorbed: the ACK of a 2xx (§13.3.1.4, §17.2.3 note), or a stray one. */
  onAck(ack: SipRequest, source: Remote): void;
  /**
   * A CANCEL matched a pending INVITE server transaction (§9.2). The layer has already answered the
   * CANCEL with 200; the TU answers the INVITE (487) unless it has already sent a final response.
   */
  onCancel(invite: ServerTransaction, cancel: SipRequest): void;
  /** A response that matches no client transaction (a 2xx retransmission after it ended). */
  onStrayResponse?(res: SipResponse, source: Remote): void;
}

export interface TransactionLayerApi {
  setUser(tu: TransactionUser): void;
  /** Send a request in a new client transaction. The request's top Via must carry a fresh RFC 3261 branch. */
  request(req: SipRequest, dest: Remote, opts?: ClientRequestOptions): ClientTransaction;
  /**
   * CANCEL a pending INVITE client transaction (§9.1): builds the CANCEL from the INVITE (same
   * Request-URI, Call-ID, From, To, CSeq number, top Via), sends it once a provisional response
   * arrived, in its own non-INVITE transaction; resolves with the CANCEL's final response.
   */
  cancel(invite: ClientTransaction): Promise<SipResponse>;
  /** Number of live transactions (tests check nothing leaks). */
  readonly size: number;
  /** Stop all timers; pending client transactions resolve with 503. */
  close(): void;
}
