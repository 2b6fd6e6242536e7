import t from 'tap';
import { dialogInfoXml } from './dialog-info-xml.js';

t.test('no dialogs: an empty full-state document, which phones show as idle', async (t) => {
  const xml = dialogInfoXml({ version: 0, entity: 'sip:1002@127.0.0.1', dialogs: [] });
  t.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\r\n/);
  t.match(xml, /<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:1002@127.0.0.1">/);
  t.notMatch(xml, /<dialog /);
  t.match(xml, /<\/dialog-info>\r\n$/);
});

t.test('each dialog has its id, direction, state and the other party', async (t) => {
  const xml = dialogInfoXml({
    version: 3, entity: 'sip:1002@box',
    dialogs: [
      { id: 'c1-r', state: 'early', direction: 'recipient', remote: 'sip:0612345678@box' },
      { id: 'c2-i', state: 'confirmed', direction: 'initiator' },
    ],
  });
  t.match(xml, /version="3"/);
  t.match(xml, /<dialog id="c1-r" direction="recipient">\r\n\s+<state>early<\/state>\r\n\s+<remote>\r\n\s+<identity>sip:0612345678@box<\/identity>\r\n\s+<target uri="sip:0612345678@box"\/>/);
  t.match(xml, /<dialog id="c2-i" direction="initiator">\r\n\s+<state>confirmed<\/state>\r\n\s+<\/dialog>/);
  t.equal(xml.match(/<dialog /g)?.length, 2);
  t.equal(xml.match(/<\/dialog>/g)?.length, 2, 'every dialog element is closed');
});

t.test('markup in ids and URIs is escaped', async (t) => {
  const xml = dialogInfoXml({ version: 0, entity: 'sip:a&b@box', dialogs: [{ id: '<x>"\'', state: 'terminated', direction: 'initiator', remote: 'sip:1&2@box' }] });
  t.match(xml, /entity="sip:a&amp;b@box"/);
  t.match(xml, /id="&lt;x&gt;&quot;&apos;"/);
  t.match(xml, /<identity>sip:1&amp;2@box<\/identity>/);
});
