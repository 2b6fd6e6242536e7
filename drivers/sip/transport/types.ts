import type { SipMessage } from '../message/index.js';

export type TransportKind = 'udp' | 'tcp';

/** Where a message came from, or where one goes. */
export interface Remote {
  transport: TransportKind;
  address: string;
  port: number;
}

/** A parsed message handed up by the transport. */
export interface Inbound {
  message: SipMessage;
  source: Remote;
  /** Set for stream transports: responses to this request should go back on the same connection. */
  connectionId?: string;
}

/**
 * What the transaction layer and the UA core need from the transport. `send` resolves once the
 * bytes are handed to the socket; it rejects with a TransportError on failure (transport errors
 * are reported up: RFC 3261 §17.1.4, §17.2.4).
 */
export interface SipSender {
  send(msg: SipMessage, dest: Remote): Promise<void>;
  /** The address and port for Via sent-by and Contact. */
  readonly local: { address: string; port: number };
}
