import { Type } from '@sinclair/typebox';

/** Every error answer of the API: a stable code to branch on and a sentence for people. */
export const ErrorSchema = Type.Object({ code: Type.String(), message: Type.String() });
