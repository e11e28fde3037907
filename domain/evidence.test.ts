import { describe, expect, it } from 'vitest';
import { checkEvidenceFile, cleanFileName, MAX_EVIDENCE_BYTES } from './evidence';

const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const codes = (r: ReturnType<typeof checkEvidenceFile>) => (r.ok ? [] : r.problems.map((p) => `${p.path}:${p.code}`));

describe('evidence files (佐证材料)', () => {
  it('accepts a file whose content is what its extension says, and gives its media type', () => {
    expect(checkEvidenceFile('运维考核报告.pdf', pdf)).toEqual({ ok: true, fileName: '运维考核报告.pdf', mediaType: 'application/pdf' });
    expect(checkEvidenceFile('验收现场.PNG', png)).toMatchObject({ ok: true, mediaType: 'image/png' });
    expect(checkEvidenceFile('说明.txt', Buffer.from('满意度调查共发放问卷200份\n'))).toMatchObject({ ok: true, mediaType: 'text/plain; charset=utf-8' });
  });

  it('refuses a file that is not what its name says, naming what it is', () => {
    const r = checkEvidenceFile('合同.pdf', png);
    expect(codes(r)).toEqual(['content:content_type_mismatch']);
    expect(r.ok ? '' : r.problems[0]!.zh).toContain('实为PNG 图片');
    expect(codes(checkEvidenceFile('scan.jpg', Buffer.from('MZ\x90\x00 not a jpeg')))).toEqual(['content:content_type_mismatch']);
    // A zip that is not a Word document is not a .docx.
    expect(codes(checkEvidenceFile('a.docx', Buffer.from('PK\x03\x04xl/workbook.xml')))).toEqual(['content:content_type_mismatch']);
    expect(checkEvidenceFile('a.xlsx', Buffer.from('PK\x03\x04xl/workbook.xml')).ok).toBe(true);
  });

  it('refuses types an office does not file as evidence, empty and oversized files, and lists every problem', () => {
    expect(codes(checkEvidenceFile('tool.exe', pdf))).toEqual(['fileName:file_type_not_allowed']);
    expect(codes(checkEvidenceFile('noext', pdf))).toEqual(['fileName:file_type_not_allowed']);
    expect(codes(checkEvidenceFile('empty.pdf', Buffer.alloc(0)))).toEqual(['content:file_empty']);
    const big = Buffer.concat([pdf, Buffer.alloc(MAX_EVIDENCE_BYTES)]);
    expect(codes(checkEvidenceFile('big.pdf', big))).toEqual(['content:file_too_large']);
    expect(codes(checkEvidenceFile('big.exe', big))).toEqual(['fileName:file_type_not_allowed', 'content:file_too_large']);
    expect(codes(checkEvidenceFile(`${'长'.repeat(201)}.pdf`, pdf))).toEqual(['fileName:file_name_too_long']);
    // Binary bytes are not text.
    expect(codes(checkEvidenceFile('a.txt', Buffer.from([0x00, 0x01, 0x02])))).toEqual(['content:content_type_mismatch']);
  });

  it('keeps only the last path segment of a name and drops control characters', () => {
    expect(cleanFileName('C:\\Users\\财务\\报告.pdf')).toBe('报告.pdf');
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName(' a\u0000b\r\n.pdf ')).toBe('ab.pdf');
  });
});
