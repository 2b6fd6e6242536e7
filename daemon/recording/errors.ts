import { CodedError } from '../../drivers/coded-error.js';

export type RecordingErrorCode = 'RECORDING_NO_PCAP' | 'RECORDING_PCAP_MISMATCH';

/** Why a recording failed; the code and message end up in the row's `error` column. */
export class RecordingError extends CodedError<RecordingErrorCode> {}
