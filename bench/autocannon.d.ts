// autocannon ships no types; the bench uses its callback form only.
declare module 'autocannon' {
  function autocannon(opts: unknown, cb: (err: Error | null, result: any) => void): unknown;
  export default autocannon;
}
