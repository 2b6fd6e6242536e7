/**
 * The ng protocol's shapes as far as Octoline uses them. rtpengine answers with a dictionary whose
 * `result` is 'ok', 'pong', 'error' or 'load limit'; every other field depends on the command.
 */
export type NgResult = 'ok' | 'pong' | 'error' | 'load limit';

export interface NgReply {
  result: NgResult;
  'error-reason'?: string;
  warning?: string;
  [key: string]: unknown;
}

/** Reply of offer/answer: the SDP rewritten to rtpengine's ports. */
export interface NgSdpReply extends NgReply {
  sdp: string;
}

export type NgValue = string | number | boolean | NgValue[] | { [key: string]: NgValue | undefined };
export type NgParams = Record<string, NgValue | undefined>;

/** The ng commands this project sends, by the method names rtpengine-client exposes. */
export type NgCommand =
  | 'ping' | 'offer' | 'answer' | 'delete' | 'query' | 'list' | 'statistics'
  | 'startRecording' | 'stopRecording'
  | 'blockDTMF' | 'unblockDTMF' | 'playDTMF'
  | 'blockMedia' | 'unblockMedia' | 'silenceMedia' | 'unsilenceMedia'
  | 'playMedia' | 'stopMedia'
  | 'subscribeRequest' | 'subscribeAnswer' | 'unsubscribe' | 'publish';
