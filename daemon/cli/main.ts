#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CodedError, errorMessage } from '../../drivers/coded-error.js';
import { VERSION } from '../package-info.js';
import { registerDaemon } from './daemon-command.js';
import { registerSetup } from './setup-command.js';
import { registerStatus } from './status-command.js';
import { registerDoctor } from './doctor-command.js';
import { registerBackup } from './backup-command.js';
import { registerLines } from './lines-command.js';
import { registerBlacklist } from './blacklist-command.js';
import { registerRecordings } from './recordings-command.js';
import { registerPrompts } from './prompts-command.js';
import { registerCallbacks, registerVoicemail } from './voicemail-command.js';
import { registerCalls } from './calls-command.js';
import { registerExtensions } from './extensions-command.js';
import { registerGroups } from './groups-command.js';
import { registerFlows } from './flows-command.js';
import { registerQueues } from './queues-command.js';
import { registerVip } from './vip-command.js';
import { registerAgents } from './agents-command.js';

const program = new Command('octoline')
  .description('Octoline: the 8-line call-center box (SIP, IVR, queues, recording, reports)')
  .version(VERSION)
  .showHelpAfterError('(add --help for usage)')
  // Options after a command belong to it: `flows show main --version 2` is not the program's --version.
  .enablePositionalOptions()
  .exitOverride();

registerDaemon(program);
registerSetup(program);
registerStatus(program);
registerDoctor(program);
registerBackup(program);
registerLines(program);
registerBlacklist(program);
registerRecordings(program);
registerPrompts(program);
registerVoicemail(program);
registerCallbacks(program);
registerCalls(program);
registerExtensions(program);
registerGroups(program);
registerFlows(program);
registerQueues(program);
registerVip(program);
registerAgents(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commander has printed its own usage errors; ours (bad flag values) are one clear line.
  if (err instanceof CommanderError) process.exitCode = err.exitCode;
  else {
    process.stderr.write(`octoline: ${err instanceof CodedError ? errorMessage(err) : String(err)}\n`);
    process.exitCode = 2;
  }
}
