import { canonicalJson, entryHash, type LogEntry, verifyChain } from './log-chain.js';

const incident = '8d3c2a4e-1f0b-4c1d-9a7e-2b5f6c7d8e9f';

function chain(n: number): LogEntry[] {
  const entries: LogEntry[] = [];
  let prev: string | null = null;
  for (let seq = 1; seq <= n; seq += 1) {
    const body = { seq, at: `2026-11-23T10:0${seq}:00.000Z`, actorId: null, actorKind: 'user', action: 'a', reason: '', details: { b: 1, a: [seq] }, prevHash: prev };
    const hash = entryHash(incident, body);
    entries.push({ id: `id-${seq}`, hash, ...body });
    prev = hash;
  }
  return entries;
}

describe('the management log chain', () => {
  it('hashes details independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it('verifies an intact chain against its head', () => {
    const entries = chain(3);
    expect(verifyChain(incident, entries, { length: 3, hash: entries[2].hash })).toEqual({ valid: true, entries: 3, firstBroken: null, breaks: [] });
  });

  it('names a changed entry', () => {
    const entries = chain(3);
    entries[1] = { ...entries[1], reason: 'rewritten' };
    expect(verifyChain(incident, entries, { length: 3, hash: entries[2].hash }).firstBroken).toEqual({ seq: 2, id: 'id-2', problem: 'its content does not match its hash' });
  });

  it('names a removed entry in the middle and at the end', () => {
    const entries = chain(3);
    expect(verifyChain(incident, [entries[0], entries[2]], { length: 3, hash: entries[2].hash }).firstBroken?.seq).toBe(2);
    expect(verifyChain(incident, entries.slice(0, 2), { length: 3, hash: entries[2].hash }).firstBroken?.seq).toBe(3);
  });

  it('reports every break, so a later tampering does not hide behind an earlier one', () => {
    const entries = chain(6);
    entries[1] = { ...entries[1], reason: 'rewritten' };
    entries[4] = { ...entries[4], details: { b: 2, a: [5] } };
    const verdict = verifyChain(incident, entries, { length: 6, hash: entries[5].hash });
    expect(verdict.valid).toBe(false);
    expect(verdict.breaks).toEqual([
      { seq: 2, id: 'id-2', problem: 'its content does not match its hash' },
      { seq: 5, id: 'id-5', problem: 'its content does not match its hash' },
    ]);
  });

  it('names a re-hashed entry by the broken link of the one after it, and a removal as well', () => {
    const entries = chain(6);
    const rewritten = { ...entries[2], reason: 'rewritten' };
    entries[2] = { ...rewritten, hash: entryHash(incident, rewritten) };
    const verdict = verifyChain(incident, [...entries.slice(0, 4), entries[5]], { length: 6, hash: entries[5].hash });
    expect(verdict.breaks).toEqual([
      { seq: 4, id: 'id-4', problem: 'its link to the previous entry does not match' },
      { seq: 5, id: null, problem: 'entry 5 is missing' },
    ]);
  });

  it('names a head that does not match the last entry', () => {
    const entries = chain(3);
    expect(verifyChain(incident, entries, { length: 3, hash: 'f'.repeat(64) }).breaks).toEqual([
      { seq: 3, id: 'id-3', problem: 'the recorded head (3 entries) does not end at this entry' },
    ]);
  });
});
