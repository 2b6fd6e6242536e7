import { CodedError } from '../coded-error.js';

export type MixerErrorCode =
  | 'MIXER_CLOSED'                // add() after close()
  | 'MIXER_DUPLICATE_PARTICIPANT' // add() of an id already in the conference
  | 'MIXER_UNKNOWN_PARTICIPANT'   // setRemote()/setHears() of an id not in the conference
  | 'MIXER_BAD_OPTION'            // jitterFrames out of range, a codec or payload type that is not G.711 RTP
  | 'MIXER_BIND_FAILED'           // the participant's UDP socket could not be bound
  | 'MIXER_NO_G711';              // an SDP offer without PCMU or PCMA audio (the mixer cannot take that leg)

export class MixerError extends CodedError<MixerErrorCode> {}
