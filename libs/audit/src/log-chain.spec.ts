import { canonicalJson, entryHash, type LogEntry, verifyChain } from './log-chain.js';

const incident = '8d3c2a4e-1f0b-4c1d-9a7e-2b5f6c7d8e9f';

function chain(n: number): LogEntry[] {
  const entries: LogEntry[] = [];
  let prev: string | null = null;
  for (let seq = 1; seq <= n; seq += 1) {
    const body = { seq, at: `2026-11-23T10:0${seq}:00.000Z`, actorId: null, actorKind: 'user', actorOrgId: null, action: 'a', reason: '', details: { b: 1, a: [seq] }, prevHash: prev };
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

  it('hashes an owner entry exactly as the per-incident log did, so chains from before the move still verify', () => {
    // Computed with entryHash of libs/incidents/src/management-log.ts as it was at 472c552.
    const body = {
      seq: 2,
      at: '2026-11-23T10:02:00.000Z',
      actorId: '0b7c4e1a-3d2f-4a5b-8c9d-1e2f3a4b5c6d',
      actorKind: 'user',
      actorOrgId: null,
      action: 'incident.phase_changed',
      reason: 'to respond — “now” 🚨',
      details: { to: 'respond', from: 'assess_decide', n: [1, { b: null, a: true }] },
      prevHash: 'a'.repeat(64),
    };
    expect(entryHash(incident, body)).toBe('b005a1c9b0fd2195b18f99cdfe97c2498021f64476943b7761522f8e214aa117');
  });

  it("binds a writer's organisation into its entry, so the entry cannot be passed off as another's", () => {
    const entries = chain(3);
    const writer = { ...entries[1], actorOrgId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b', prevHash: entries[0].hash };
    const { id: _id, hash: _hash, ...body } = writer;
    expect(entryHash(incident, body)).not.toBe(entries[1].hash);
    const signed = { ...writer, hash: entryHash(incident, body) };
    const third = { ...entries[2], prevHash: signed.hash };
    const { id: _id3, hash: _hash3, ...thirdBody } = third;
    const rechained = [entries[0], signed, { ...third, hash: entryHash(incident, thirdBody) }];
    expect(verifyChain(incident, rechained, { length: 3, hash: rechained[2].hash }).valid).toBe(true);
    const moved = [...rechained];
    moved[1] = { ...signed, actorOrgId: '00000000-0000-4000-8000-000000000001' };
    expect(verifyChain(incident, moved, { length: 3, hash: moved[2].hash }).breaks).toEqual([
      { seq: 2, id: 'id-2', problem: 'its content does not match its hash' },
    ]);
    moved[1] = { ...signed, actorOrgId: null };
    expect(verifyChain(incident, moved, { length: 3, hash: moved[2].hash }).firstBroken?.seq).toBe(2);
  });

  it('names a head that does not match the last entry', () => {
    const entries = chain(3);
    expect(verifyChain(incident, entries, { length: 3, hash: 'f'.repeat(64) }).breaks).toEqual([
      { seq: 3, id: 'id-3', problem: 'the recorded head (3 entries) does not end at this entry' },
    ]);
  });
});
