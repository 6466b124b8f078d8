// The case statement as an A4 PDF for the paper case file, in Chinese with a CJK font from Debian
// (fonts-wqy-zenhei or fonts-noto-cjk), embedded as a subset. The one place that uses pdfkit.
import { createWriteStream, existsSync } from 'node:fs';
import { CasesError } from './errors.js';
import type { CaseStatement } from './statement.js';
import { LABELS, methodText } from './statement-labels.js';

/** Debian's CJK fonts pdfkit (fontkit) can embed: the file and, in a collection, the face. */
const CJK_FONTS: { file: string; face?: string }[] = [
  { file: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', face: 'WenQuanYiZenHei' },
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', face: 'WenQuanYiMicroHei' },
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKsc-Regular' },
];

export function findCjkFont(): { file: string; face?: string } {
  const font = CJK_FONTS.find((f) => existsSync(f.file));
  if (!font) throw new CasesError(`no CJK font for the PDF statement: install one (apt-get install fonts-wqy-zenhei); looked for ${CJK_FONTS.map((f) => f.file).join(', ')}; nothing written`);
  return font;
}

/** Writes the statement PDF to `file` (a new file). */
export async function writeStatementPdf(s: CaseStatement, file: string): Promise<void> {
  const font = findCjkFont();
  // pdfkit is loaded here, on first use: it takes about a second of CPU to load, which no other command should pay
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margins: { top: 56, bottom: 56, left: 56, right: 56 }, info: { Title: `${LABELS.title} ${s.case.ref}`, Creator: 'evidock' } });
  const done = new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file, { flags: 'wx', mode: 0o444 });
    out.on('finish', resolve);
    out.on('error', reject);
    doc.pipe(out);
  });
  doc.registerFont('cjk', font.file, font.face as string);
  doc.font('cjk');
  const width = doc.page.width - 112;
  const field = (label: string, value: unknown, opts: { small?: boolean } = {}) => {
    doc.fontSize(9).fillColor('#444').text(label, { width });
    doc.fontSize(opts.small ? 7.5 : 10.5).fillColor('#000').text(String(value ?? '—'), { width, lineGap: 1 });
    doc.moveDown(0.35);
  };
  doc.fontSize(18).text(LABELS.title, { align: 'center', width });
  doc.moveDown(0.8);
  field(LABELS.caseRef, s.case.ref);
  if (s.case.title) field(LABELS.caseTitle, s.case.title);
  field(LABELS.actionEnded, s.case.actionEnded);
  field(LABELS.due, s.case.due);
  if (s.case.officers.length) field(LABELS.officers, s.case.officers.map((o) => `${o.number} ${o.name ?? ''}`.trim()).join('、'));
  field(LABELS.station, `${s.station.name || s.station.id} (${s.station.id})`);
  field(LABELS.generatedAt, s.generatedAt);
  field(LABELS.keyFingerprint, s.keyFingerprint, { small: true });
  s.recordings.forEach((r, i) => {
    doc.moveDown(0.6);
    doc.fontSize(13).fillColor('#000').text(`${i + 1}. ${LABELS.evidenceNumber}`, { width });
    doc.fontSize(12).text(r.evidenceNumber, { width });
    doc.moveDown(0.3);
    field(LABELS.storage, r.storage.location, { small: true });
    field(LABELS.sha256, r.sha256, { small: true });
    if (r.sm3) field(LABELS.sm3, r.sm3, { small: true });
    field(LABELS.method, methodText(r.method));
    field(LABELS.recorder, [r.recorder.make, r.recorder.model, r.recorder.serial].map((v) => v ?? '—').join(' / '));
    field(LABELS.recorded, r.recorded.start ? `${r.recorded.start}${r.recorded.end ? ' — ' + r.recorded.end : ''}` : '未知');
    field(LABELS.heldAt, r.heldAt);
    field(LABELS.officer, r.officer.number ? `${r.officer.number} ${r.officer.name ?? ''}`.trim() : '未知');
    field(LABELS.proves, r.proves ?? '—');
    field(LABELS.proof, `seq ${r.proof.seq}, tree size ${r.proof.treeSize}, leaf ${r.proof.leafHash}\n${r.proof.path.join('\n')}`, { small: true });
  });
  doc.moveDown(0.6);
  field(LABELS.verifierKey, s.verifierKey, { small: true });
  field(LABELS.checkpoint, s.checkpoint.note.trimEnd(), { small: true });
  doc.fontSize(9).text(LABELS.howToCheck, { width });
  doc.end();
  await done;
}
