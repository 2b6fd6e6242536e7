/**
 * The dialog-info document of the dialog event package (RFC 4235 §4): what a phone's BLF lamp
 * shows. Always full state: every current dialog of the watched extension; none means idle.
 */

export type DialogInfoState = 'trying' | 'proceeding' | 'early' | 'confirmed' | 'terminated';

export interface DialogInfoEntry {
  id: string;
  state: DialogInfoState;
  direction: 'initiator' | 'recipient';
  /** The other party's URI (`sip:1001@box`), shown by phones as who rings or talks. */
  remote?: string | undefined;
}

export const DIALOG_INFO_TYPE = 'application/dialog-info+xml';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * The document: `version` counts the documents sent to one subscriber from 0 (§4.1.2), `entity`
 * is the watched resource's URI.
 */
export function dialogInfoXml(o: { version: number; entity: string; dialogs: readonly DialogInfoEntry[] }): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${o.version}" state="full" entity="${escapeXml(o.entity)}">`,
  ];
  for (const d of o.dialogs) {
    lines.push(`  <dialog id="${escapeXml(d.id)}" direction="${d.direction}">`, `    <state>${d.state}</state>`);
    if (d.remote !== undefined) {
      const uri = escapeXml(d.remote);
      lines.push(`    <remote>`, `      <identity>${uri}</identity>`, `      <target uri="${uri}"/>`, `    </remote>`);
    }
    lines.push('  </dialog>');
  }
  lines.push('</dialog-info>', '');
  return lines.join('\r\n');
}
