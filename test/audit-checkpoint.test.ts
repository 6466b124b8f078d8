import { describe, expect, it } from 'vitest';
import { CheckpointError, formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from '../src/audit/checkpoint.js';
import { MemoryTreeStore, MerkleTree } from '../src/audit/merkle.js';
import {
  NoteError, formatSignerKey, formatVerifierKey, generateSigner, keyHash, openNote, parseNote,
  parseSignerKey, parseVerifierKey, signNote, verifierOf,
} from '../src/audit/note.js';

describe('signed note', () => {
  it('verifies the example of the C2SP signed-note spec (Go sumdb/note test key)', () => {
    // From golang.org/x/mod/sumdb/note's documentation: key PeterNeumann and its signed note.
    const vkey = parseVerifierKey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
    const note = 'If you think cryptography is the answer to your problem,\nthen you don\'t know what your problem is.\n\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
    expect(openNote(note, [vkey]).text).toBe("If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n");
    const tampered = note.replace('cryptography', 'Cryptography');
    expect(() => openNote(tampered, [vkey])).toThrow(NoteError);
  });

  it('signs and opens; key texts round-trip', () => {
    const s = generateSigner('STATION-01');
    const skey = formatSignerKey(s);
    expect(skey).toMatch(/^PRIVATE\+KEY\+STATION-01\+[0-9a-f]{8}\+/);
    const s2 = parseSignerKey(skey);
    const v = parseVerifierKey(formatVerifierKey(verifierOf(s)));
    expect(v.keyHash.equals(keyHash('STATION-01', s.publicKey))).toBe(true);
    const note = signNote('hello\nworld\n', s2);
    expect(note).toMatch(/^hello\nworld\n\n\u2014 STATION-01 [A-Za-z0-9+/=]+\n$/);
    expect(Buffer.from(note.split(' ').pop()!.trim(), 'base64').length).toBe(68);
    expect(openNote(note, [v]).signedBy).toEqual(['STATION-01']);
  });

  it('rejects a note signed by another key, or unsigned, or malformed', () => {
    const a = generateSigner('STATION-01');
    const b = generateSigner('STATION-01');
    const note = signNote('x\n', b);
    expect(() => openNote(note, [verifierOf(a)])).toThrow(/not signed by a trusted key/);
    expect(() => parseNote('x\n')).toThrow(NoteError);
    expect(() => parseNote('x\n\n-- STATION-01 AAAA\n')).toThrow(NoteError);
    expect(() => signNote('no newline', a)).toThrow(NoteError);
    expect(() => signNote('a\n\nb\n', a)).toThrow(NoteError);
  });

  it('ignores unknown signers but fails on a bad signature by a known one', () => {
    const a = generateSigner('STATION-01');
    const other = generateSigner('witness.example');
    const note = signNote('x\n', a);
    const withOther = note + signNote('x\n', other).split('\n\n')[1];
    expect(openNote(withOther, [verifierOf(a)]).signedBy).toEqual(['STATION-01']);
    const sigLine = note.split('\n\n')[1];
    const raw = Buffer.from(sigLine.trim().split(' ').pop()!, 'base64');
    raw[10] ^= 1;
    const forged = `x\n\n\u2014 STATION-01 ${raw.toString('base64')}\n`;
    expect(() => openNote(forged, [verifierOf(a)])).toThrow(/does not verify/);
  });

  it('rejects bad key texts', () => {
    const s = generateSigner('A');
    const vk = formatVerifierKey(verifierOf(s));
    expect(() => parseVerifierKey(vk.replace(/^A\+/, 'B+'))).toThrow(NoteError);
    expect(() => parseVerifierKey('A+00000000+' + vk.split('+').slice(2).join('+'))).toThrow(NoteError);
    expect(() => generateSigner('has space')).toThrow(NoteError);
    expect(() => generateSigner('has+plus')).toThrow(NoteError);
  });
});

describe('checkpoint', () => {
  const tree = new MerkleTree(new MemoryTreeStore());
  for (let i = 0; i < 10; i++) tree.append(Buffer.from(`e${i}`));

  it('formats the C2SP body and parses it back', () => {
    const text = formatCheckpoint({ origin: 'STATION-01', size: 10, root: tree.root() });
    expect(text).toBe(`STATION-01\n10\n${tree.root().toString('base64')}\n`);
    const c = parseCheckpoint(text);
    expect(c.size).toBe(10);
    expect(c.root.equals(tree.root())).toBe(true);
  });

  it('rejects malformed bodies', () => {
    const r = tree.root().toString('base64');
    for (const t of [`S\n010\n${r}\n`, `S\n-1\n${r}\n`, `S\n10\n${r}`, `S\n10\n`, `S\n10\nAAAA\n`, `\n10\n${r}\n`, `S\n10\n${r}\n\n`]) {
      expect(() => parseCheckpoint(t), JSON.stringify(t)).toThrow(CheckpointError);
    }
  });

  it('signs with the station key; opens only with that key and origin', () => {
    const s = generateSigner('STATION-01');
    const note = signCheckpoint({ origin: 'STATION-01', size: 10, root: tree.root() }, s);
    expect(note.startsWith(`STATION-01\n10\n${tree.root().toString('base64')}\n\n\u2014 STATION-01 `)).toBe(true);
    const c = openCheckpoint(note, verifierOf(s), 'STATION-01');
    expect(c.size).toBe(10);
    expect(() => openCheckpoint(note, verifierOf(s), 'STATION-02')).toThrow(CheckpointError);
    expect(() => openCheckpoint(note, verifierOf(generateSigner('STATION-01')))).toThrow(CheckpointError);
    expect(() => openCheckpoint(note.replace('\n10\n', '\n11\n'), verifierOf(s))).toThrow(CheckpointError);
    expect(() => signCheckpoint({ origin: 'OTHER', size: 10, root: tree.root() }, s)).toThrow(CheckpointError);
  });
});
