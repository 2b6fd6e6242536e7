// rtpengine-client ships no types; we reach it only through ng-client.ts.
declare module 'rtpengine-client' {
  const rtpengine: { Client: new (opts: { localAddress?: string; localPort?: number; timeout?: number }) => unknown };
  export default rtpengine;
}
