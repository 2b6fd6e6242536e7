/** SIP message layer: parse, inspect, build and serialize (see docs/sip-message.md). */
export { SipBuildError, SipParseError } from './errors.js';
export type { FailedRequestHead, SipBuildErrorCode, SipParseErrorCode } from './errors.js';
export { DEFAULT_LIMITS } from './limits.js';
export type { ParserLimits } from './limits.js';
export { parseMessage } from './parser.js';
export type { ParseOptions, Transport } from './parser.js';
export { StreamFramer } from './stream-framer.js';
export type { FramerEvent, FramerOptions } from './stream-framer.js';
export { serialize } from './serializer.js';
export { validateMessage } from './validate.js';
export { createErrorResponse, createRequest, createResponse } from './message.js';
export type { RequestInit, ResponseOptions, SipMessage, SipRequest, SipResponse } from './message.js';
export { canonicalName, headerKey, isListHeader, SipHeaders, splitList } from './headers.js';
export type { HeaderField } from './headers.js';
export {
  getCallId,
  getContacts,
  getContentLength,
  getContentType,
  getCSeq,
  getExpires,
  getFrom,
  getMaxForwards,
  getRecordRoutes,
  getRoutes,
  getTo,
  getTokens,
  getTopVia,
  getVias,
} from './accessors.js';
export { formatUri, parseUri, tryParseUri, uriEquals } from './uri.js';
export type { AbsoluteUri, SipUri, Uri } from './uri.js';
export { formatNameAddr, parseNameAddr } from './name-addr.js';
export type { NameAddr } from './name-addr.js';
export { formatParams, unquote } from './params.js';
export type { Params } from './params.js';
export { BRANCH_MAGIC_COOKIE, formatVia, parseVia, rfc3261Branch } from './via.js';
export type { Via } from './via.js';
export { formatCSeq, MAX_CSEQ, parseCSeq } from './cseq.js';
export type { CSeq } from './cseq.js';
export { formatMediaType, mediaRangeCovers, parseMediaType } from './media-type.js';
export type { MediaType } from './media-type.js';
export { formatAuthHeader, isDigest, parseAuthHeader, qopOptions } from './digest-header.js';
export type { AuthHeader } from './digest-header.js';
export { checkRequest, checkResponse, DEFAULT_CHECK_OPTIONS } from './request-checks.js';
export type { RequestCheckOptions, RequestRejection, ResponseCheck } from './request-checks.js';
export { reasonPhrase } from './reason-phrases.js';
export { readableText, wireText } from './text.js';
